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
   * C += Aᵀ·B over the weight-gradient rows: C[i][j] += Σ_{r = rows−1..0} a[aOff + r·lda +
   * i]·b[bOff + r·ldb + j], for C m×n (ldc), A rows×m (lda), B rows×n (ldb), local row r being
   * absolute row blk.top − (rows − 1 − r): the terms come in descending t, and are summed in the
   * levels of {@link SumBlocks} at absolute boundaries, so that processing steps in segments from
   * last to first (with blk carrying the open sums) sums bitwise like one call. (Implemented by
   * walking A and B with negative leading dimensions, which only this method passes to the driver.)
   */
  public static void addTransposedProductBlocked(
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
      int ldc,
      SumBlocks blk) {
    if (rows == 0) {
      return;
    }
    IMPL.blockedSum(
        m,
        n,
        rows,
        a,
        aOff + (rows - 1) * lda,
        -lda,
        b,
        bOff + (rows - 1) * ldb,
        -ldb,
        c,
        cOff,
        ldc,
        blk);
  }

  private static final ThreadLocal<float[][]> ROW_SUMS =
      ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

  /**
   * dst[dstOff + j] += Σ over rows r (descending) of a[aOff + r·lda + j], or of the products a[aOff
   * + r·lda + j]·b[bOff + r·ldb + j] when b is not null (∂L/∂γ of layer normalization: dn⊙x̂, each
   * term rounded as a product and then a sum, Java never fuses them), for j &lt; cols: the bias
   * sums, in the same {@link SumBlocks} levels and absolute rows as {@link
   * #addTransposedProductBlocked} (local row r is absolute row blk.top − (rows − 1 − r)). Additions
   * plain adds (a run's rows go through {@link BlasSupport#addRows}, the run sum held in registers,
   * bitwise the same as one axpy with α = 1 per row), rounded alike in vector body and scalar tail,
   * so an element's bits depend neither on cols nor on where a block of units starts (thread
   * splits). Two scratch rows per thread, made on its first call (or first wider call).
   */
  public static void addRowSumsBlocked(
      int rows,
      int cols,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float[] dst,
      int dstOff,
      SumBlocks blk) {
    if (rows == 0 || cols == 0) {
      return;
    }
    float[][] buf = ROW_SUMS.get();
    if (buf[0].length < cols) {
      buf[0] = new float[cols];
      buf[1] = new float[cols];
    }
    final float[] t2 = buf[0], a1 = buf[1];
    final int ci = dstOff + blk.shift;
    for (int done = 0, blockLen; done < rows; done += blockLen) {
      final long rowTop = blk.top - done;
      blockLen = SumBlocks.runLength(rowTop, SumBlocks.BLOCK, rows - done);
      final boolean first = done == 0, last = done + blockLen == rows;
      if (first && blk.opensTop(SumBlocks.BLOCK)) {
        System.arraycopy(blk.l2, ci, t2, 0, cols);
      } else {
        java.util.Arrays.fill(t2, 0, cols, 0f);
      }
      for (int q = 0, len; q < blockLen; q += len) {
        len = SumBlocks.runLength(rowTop - q, SumBlocks.SUB, blockLen - q);
        if (first && q == 0 && blk.opensTop(SumBlocks.SUB)) {
          System.arraycopy(blk.l1, ci, a1, 0, cols);
        } else {
          java.util.Arrays.fill(a1, 0, cols, 0f);
        }
        int r0 = rows - 1 - done - q;
        if (b == null) {
          IMPL.addRows(len, cols, a, aOff + r0 * lda, -lda, a1, 0);
        } else {
          for (int i = 0, r = r0; i < len; i++, r--) {
            addProducts(cols, a, aOff + r * lda, b, bOff + r * ldb, a1, 0);
          }
        }
        if (last && q + len == blockLen && blk.leavesOpen(SumBlocks.SUB, rows)) {
          System.arraycopy(a1, 0, blk.l1, ci, cols);
        } else {
          IMPL.axpy(cols, 1f, a1, 0, t2, 0);
        }
      }
      if (last && blk.leavesOpen(SumBlocks.BLOCK, rows)) {
        System.arraycopy(t2, 0, blk.l2, ci, cols);
      } else {
        IMPL.axpy(cols, 1f, t2, 0, dst, dstOff);
      }
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
}
