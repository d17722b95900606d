package dev.bptt.kernel.internal;

import dev.bptt.kernel.blas.Activation;

/**
 * Unchecked kernels shared by the public facades and the engines: the implementation chosen once
 * per JVM, the blocked reductions and the activation passes. Callers have validated every argument;
 * nothing here checks.
 */
public final class Kernels {
  private static final BlasSupport IMPL = VectorizationProvider.get().blas();
  private static final CellSupport CELLS = VectorizationProvider.get().cells();

  private Kernels() {}

  /** The kernel implementation chosen once per JVM by {@link VectorizationProvider}. */
  public static BlasSupport blas() {
    return IMPL;
  }

  /** The gated-cell passes of the same implementation. */
  public static CellSupport cells() {
    return CELLS;
  }

  /**
   * Length of the blocks reductions are cut into: each block is summed in float (four vector
   * accumulators), the block sums are added in double in order. The float error bound is then that
   * of one block, γ_B(u) with B = 16384, whatever n (a single float pass over 16 M entries could
   * lose 1 % in the worst case); the double additions cost nothing measurable.
   */
  public static final int REDUCTION_BLOCK = 1 << 14;

  /**
   * Σ xᵢ² over n entries: blocked float passes summed in double, redone in double on overflow or
   * underflow.
   */
  public static double sumOfSquares(int n, float[] x, int xOff) {
    double acc = 0;
    for (int i = 0, len; i < n; i += len) { // i + len ≤ n: no int overflow near Integer.MAX_VALUE
      len = Math.min(REDUCTION_BLOCK, n - i);
      acc += blockSumOfSquares(len, x, xOff + i);
    }
    return acc;
  }

  private static double blockSumOfSquares(int n, float[] x, int xOff) {
    float fast = IMPL.sumOfSquaresFast(n, x, xOff);
    // The float pass is exact enough unless it overflowed (inf/NaN) or the total is so small
    // that squares flushed below 2^-126 (at most n of them, each < 2^-126) could exceed
    // u = 2^-24 of it: then redo in double, whose range holds every float square.
    if (fast < Float.POSITIVE_INFINITY && fast >= n * 0x1p-102) {
      return fast;
    }
    return sumOfSquaresDouble(n, x, xOff);
  }

  /** Σ |xᵢ| over n entries, blocked like {@link #sumOfSquares}. */
  public static double norm1(int n, float[] x, int xOff) {
    double acc = 0;
    for (int i = 0, len; i < n; i += len) {
      len = Math.min(REDUCTION_BLOCK, n - i);
      acc += blockNorm1(len, x, xOff + i);
    }
    return acc;
  }

  private static double blockNorm1(int n, float[] x, int xOff) {
    float fast = IMPL.sumAbs(n, x, xOff);
    if (fast < Float.POSITIVE_INFINITY) {
      return fast;
    }
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += Math.abs(x[xOff + i]);
      s1 += Math.abs(x[xOff + i + 1]);
      s2 += Math.abs(x[xOff + i + 2]);
      s3 += Math.abs(x[xOff + i + 3]);
    }
    for (; i < n; i++) {
      s0 += Math.abs(x[xOff + i]);
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** Σ xᵢ² in double, four accumulators: every float square is a normal double, none overflow. */
  private static double sumOfSquaresDouble(int n, float[] x, int xOff) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      double v0 = x[xOff + i], v1 = x[xOff + i + 1], v2 = x[xOff + i + 2], v3 = x[xOff + i + 3];
      s0 += v0 * v0;
      s1 += v1 * v1;
      s2 += v2 * v2;
      s3 += v3 * v3;
    }
    for (; i < n; i++) {
      double v = x[xOff + i];
      s0 += v * v;
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** y ← φ(x) over n entries (y may be x). */
  public static void activate(Activation f, int n, float[] x, int xOff, float[] y, int yOff) {
    switch (f) {
      case TANH -> IMPL.tanh(n, x, xOff, y, yOff);
      case SIGMOID -> IMPL.sigmoid(n, x, xOff, y, yOff);
      case RELU -> IMPL.relu(n, x, xOff, y, yOff);
      case IDENTITY -> {
        if (x != y || xOff != yOff) {
          System.arraycopy(x, xOff, y, yOff, n);
        }
      }
    }
  }

  /** out ← g ⊙ φ′ from the activation output h (out may be g or h). */
  public static void activationGrad(
      Activation f, int n, float[] h, int hOff, float[] g, int gOff, float[] out, int outOff) {
    switch (f) {
      case TANH -> IMPL.tanhGrad(n, h, hOff, g, gOff, out, outOff);
      case SIGMOID -> IMPL.sigmoidGrad(n, h, hOff, g, gOff, out, outOff);
      case RELU -> IMPL.reluGrad(n, h, hOff, g, gOff, out, outOff);
      case IDENTITY -> {
        if (g != out || gOff != outOff) {
          System.arraycopy(g, gOff, out, outOff, n);
        }
      }
    }
  }

  /**
   * C += Aᵀ·B with the K sum over rows taken in DESCENDING row order: C[i][j] += Σ_{r = rows−1..0}
   * a[aOff + r·lda + i]·b[bOff + r·ldb + j], for C m×n (ldc), A rows×m (lda), B rows×n (ldb). One
   * ordered FMA chain per element (see {@link GemmDriver}): the weight-gradient sums of BPTT, whose
   * terms come in descending t, so that processing steps in segments from last to first sums
   * bitwise like one call. (Implemented by walking A and B with negative leading dimensions, which
   * only this method passes to the driver.)
   */
  public static void addTransposedProductDescending(
      int m,
      int n,
      int rows,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float[] c,
      int cOff,
      int ldc) {
    if (rows == 0) {
      return;
    }
    IMPL.gemm(
        true,
        false,
        m,
        n,
        rows,
        1f,
        a,
        aOff + (rows - 1) * lda,
        -lda,
        b,
        bOff + (rows - 1) * ldb,
        -ldb,
        1f,
        c,
        cOff,
        ldc);
  }

  /**
   * dst[dstOff..+cols) += Σ over rows r of src[srcOff + r·ld ..+cols), rows in descending order.
   */
  public static void addRowSumsDescending(
      int rows, int cols, float[] src, int srcOff, int ld, float[] dst, int dstOff) {
    for (int r = rows - 1; r >= 0; r--) {
      IMPL.axpy(cols, 1f, src, srcOff + r * ld, dst, dstOff);
    }
  }

  /**
   * dst[dstOff + j] += Σ over rows r of a[aOff + r·lda + j]·b[bOff + r·ldb + j] for j &lt; cols,
   * rows in descending order: ∂L/∂γ of layer normalization (dn⊙x̂ summed over steps and sequences).
   * A plain loop, each term rounded as a product and then a sum (Java never fuses them), so an
   * element's bits depend neither on cols nor on where a block of units starts (thread splits).
   */
  public static void addRowProductSumsDescending(
      int rows,
      int cols,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float[] dst,
      int dstOff) {
    for (int r = rows - 1; r >= 0; r--) {
      addProducts(cols, a, aOff + r * lda, b, bOff + r * ldb, dst, dstOff);
    }
  }

  private static void addProducts(
      int n, float[] a, int aOff, float[] b, int bOff, float[] dst, int dstOff) {
    for (int j = 0; j < n; j++) {
      dst[dstOff + j] += a[aOff + j] * b[bOff + j];
    }
  }

  /**
   * Copies the row vector src[off..off+cols) into each of {@code rows} rows of dst from dstOff, row
   * stride ld.
   */
  public static void fillRows(
      int rows, int cols, float[] src, int off, float[] dst, int dstOff, int ld) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(src, off, dst, dstOff + r * ld, cols);
    }
  }

  /** Adds the row vector src[off..off+cols) to each of {@code rows} rows of dst, row stride ld. */
  public static void addToRows(
      int rows, int cols, float[] src, int off, float[] dst, int dstOff, int ld) {
    for (int r = 0; r < rows; r++) {
      IMPL.axpy(cols, 1f, src, off, dst, dstOff + r * ld);
    }
  }
}
