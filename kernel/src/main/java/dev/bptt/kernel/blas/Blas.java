package dev.bptt.kernel.blas;

import dev.bptt.kernel.internal.BlasSupport;
import dev.bptt.kernel.internal.Checks;
import dev.bptt.kernel.internal.Kernels;
import dev.bptt.kernel.internal.VectorizationProvider;

/**
 * BLAS-style kernels over flat row-major {@code float[]} buffers, checked entry points.
 *
 * <p>Vectors are (array, offset, length); a row-major m×n matrix A is (array, offset, ld) with
 * element (i, j) at {@code off + i·ld + j} and {@code ld >= max(1, n)}. Every method validates all
 * arguments first and throws {@link NullPointerException}, {@link IllegalArgumentException} or
 * {@link IndexOutOfBoundsException} naming the argument and its values; a rejected call has written
 * nothing. After validation the work goes to the unchecked kernel chosen once by {@link
 * VectorizationProvider} (Vector API, or the scalar twin). No method allocates.
 *
 * <p>Reductions run in a fixed order (four accumulators, then one lane reduction), so results are
 * bitwise reproducible for a given implementation and vector width.
 */
public final class Blas {
  private static final BlasSupport IMPL = Kernels.blas();

  private Blas() {}

  /** Name of the implementation in use, e.g. {@code "panama-256"} or {@code "scalar"}. */
  public static String implementation() {
    return IMPL.name();
  }

  /**
   * Dot product Σᵢ xᵢ·yᵢ over i &lt; n, accumulated in float.
   *
   * @param n length (≥ 0); reads x[xOff..xOff+n) and y[yOff..yOff+n)
   * @return the dot product (0 for n = 0)
   */
  public static float dot(int n, float[] x, int xOff, float[] y, int yOff) {
    Checks.nonNegative("n", n);
    Checks.vector("x", x, xOff, "n", n);
    Checks.vector("y", y, yOff, "n", n);
    return IMPL.dot(n, x, xOff, y, yOff);
  }

  /**
   * y ← y + α·x over n elements. Reads x, reads and writes y. x and y may be the same range; a
   * partial overlap is rejected.
   */
  public static void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    Checks.nonNegative("n", n);
    Checks.vector("x", x, xOff, "n", n);
    Checks.vector("y", y, yOff, "n", n);
    Checks.exactOrNoOverlap("x", x, xOff, "y", y, yOff, n);
    IMPL.axpy(n, alpha, x, xOff, y, yOff);
  }

  /** x ← α·x over n elements (in place). */
  public static void scale(int n, float alpha, float[] x, int xOff) {
    Checks.nonNegative("n", n);
    Checks.vector("x", x, xOff, "n", n);
    IMPL.scale(n, alpha, x, xOff);
  }

  /**
   * Σᵢ xᵢ² as a double, safe from overflow and underflow: per block of 16384 entries a fast float
   * pass with four accumulators (block sums added in double, in order), and when its result is
   * infinite, NaN or so small that squares lost to underflow could matter (below n·2⁻¹⁰²), an
   * exact-range pass in double. Entries up to {@link Float#MAX_VALUE} and down to subnormals give
   * the right finite value. NaN if any entry is NaN; +∞ if an entry is infinite.
   */
  public static double sumOfSquares(int n, float[] x, int xOff) {
    Checks.nonNegative("n", n);
    Checks.vector("x", x, xOff, "n", n);
    return Kernels.sumOfSquares(n, x, xOff);
  }

  /** ‖x‖₂ = √(Σᵢ xᵢ²), overflow- and underflow-safe (see {@link #sumOfSquares}). */
  public static double norm2(int n, float[] x, int xOff) {
    return Math.sqrt(sumOfSquares(n, x, xOff));
  }

  /**
   * ‖x‖₁ = Σᵢ |xᵢ| as a double: float passes over blocks of 16384 entries, block sums added in
   * double in order; a block is redone in double when its float sum overflows.
   */
  public static double norm1(int n, float[] x, int xOff) {
    Checks.nonNegative("n", n);
    Checks.vector("x", x, xOff, "n", n);
    return Kernels.norm1(n, x, xOff);
  }

  /** ‖x‖∞ = maxᵢ |xᵢ| (0 for n = 0, NaN if any entry is NaN). */
  public static float normInf(int n, float[] x, int xOff) {
    Checks.nonNegative("n", n);
    Checks.vector("x", x, xOff, "n", n);
    return IMPL.maxAbs(n, x, xOff);
  }

  /**
   * y ← α·A·x + β·y with A m×n row-major (lda), x of length n, y of length m. Reads A and x; writes
   * y (reads it only when β ≠ 0). y must not overlap A or x. With α = 0 and β = 1 it returns after
   * the checks, y untouched (BLAS quick return).
   */
  public static void gemv(
      int m,
      int n,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] x,
      int xOff,
      float beta,
      float[] y,
      int yOff) {
    Checks.nonNegative("m", m);
    Checks.nonNegative("n", n);
    Checks.matrix("A", a, aOff, "m", m, "n", n, lda);
    Checks.vector("x", x, xOff, "n", n);
    Checks.vector("y", y, yOff, "m", m);
    Checks.noOverlap(
        "y", y, yOff, (long) yOff + m, "A", a, aOff, Checks.matrixEnd(aOff, m, n, lda));
    Checks.noOverlap("y", y, yOff, (long) yOff + m, "x", x, xOff, (long) xOff + n);
    if (alpha == 0f && beta == 1f) {
      return; // BLAS quick return: y keeps its bits (0·s + y would turn −0 into +0, ∞·0 into NaN)
    }
    IMPL.gemv(m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
  }

  /**
   * y ← α·Aᵀ·x + β·y with A m×n row-major (lda), read in place; x of length m, y of length n. Reads
   * A and x; writes y (reads it only when β ≠ 0). y must not overlap A or x. With α = 0 and β = 1
   * it returns after the checks, y untouched (BLAS quick return).
   *
   * <p>Computed as row updates y ← y + fl(α·xᵢ)·Aᵢ after y ← β·y, α applied to x in float first as
   * the reference BLAS's column-major sgemv("N") does (this is that call on the same buffer). So
   * with |α| &gt; 1 an fl(α·xᵢ) that overflows gives ±∞ or NaN in y even where α·Aᵀ·x fits in
   * float; scale x instead of passing such an α. As in any float accumulation, an element whose
   * |α|·Σᵢ|xᵢ||aᵢⱼ| + |β||yⱼ| exceeds the float range may overflow in an intermediate sum.
   */
  public static void gemvT(
      int m,
      int n,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] x,
      int xOff,
      float beta,
      float[] y,
      int yOff) {
    Checks.nonNegative("m", m);
    Checks.nonNegative("n", n);
    Checks.matrix("A", a, aOff, "m", m, "n", n, lda);
    Checks.vector("x", x, xOff, "m", m);
    Checks.vector("y", y, yOff, "n", n);
    Checks.noOverlap(
        "y", y, yOff, (long) yOff + n, "A", a, aOff, Checks.matrixEnd(aOff, m, n, lda));
    Checks.noOverlap("y", y, yOff, (long) yOff + n, "x", x, xOff, (long) xOff + m);
    if (alpha == 0f && beta == 1f) {
      return; // BLAS quick return: y keeps its bits (0·s + y would turn −0 into +0, ∞·0 into NaN)
    }
    if (m == 0 && !Float.isFinite(alpha)) {
      // No rows, but α·0 is NaN: y ← α·0 + β·y is NaN, as gemv with n = 0 gives (the kernels
      // scale y by β and add no row).
      java.util.Arrays.fill(y, yOff, yOff + n, Float.NaN);
      return;
    }
    IMPL.gemvT(m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
  }

  /**
   * Rank-1 update A ← A + α·x·yᵀ with A m×n row-major (lda), x of length m, y of length n. Reads x
   * and y, reads and writes A. A must not overlap x or y.
   *
   * <p>aᵢⱼ ← aᵢⱼ + fl(α·xᵢ)·yⱼ: α is applied to x in float first (the reference BLAS applies it to
   * y), so with |α| &gt; 1 a row whose fl(α·xᵢ) overflows gets ±∞ or NaN even where α·xᵢ·yⱼ fits in
   * float; scale x or y instead of passing such an α.
   */
  public static void ger(
      int m,
      int n,
      float alpha,
      float[] x,
      int xOff,
      float[] y,
      int yOff,
      float[] a,
      int aOff,
      int lda) {
    Checks.nonNegative("m", m);
    Checks.nonNegative("n", n);
    Checks.vector("x", x, xOff, "m", m);
    Checks.vector("y", y, yOff, "n", n);
    Checks.matrix("A", a, aOff, "m", m, "n", n, lda);
    long aEnd = Checks.matrixEnd(aOff, m, n, lda);
    Checks.noOverlap("A", a, aOff, aEnd, "x", x, xOff, (long) xOff + m);
    Checks.noOverlap("A", a, aOff, aEnd, "y", y, yOff, (long) yOff + n);
    IMPL.ger(m, n, alpha, x, xOff, y, yOff, a, aOff, lda);
  }

  /**
   * General matrix product C ← α·op(A)·op(B) + β·C, all row-major. C is m×n (ldc); op(A) is m×k: A
   * is stored m×k when {@code transA == N}, k×m when T (lda); op(B) is k×n: B is stored k×n when
   * {@code transB == N}, n×k when T (ldb). Reads A and B; writes C (reads it only when β ≠ 0). C
   * must not overlap A or B.
   *
   * <p>Cache-blocked (packed panels of A and B) with a register-tiled micro-kernel; the packing
   * panels are per-thread buffers made on a thread's first call and reused after, so a call
   * allocates nothing once warm. α is applied to the entries of op(A) in float as they are packed
   * (the reference BLAS applies it to op(B)): cᵢⱼ = β·cᵢⱼ + Σₚ fl(α·aᵢₚ)·bₚⱼ, one ordered chain per
   * element. So with |α| &gt; 1 a row whose fl(α·aᵢₚ) overflows gets ±∞ or NaN even where α·(A·B)
   * fits in float; scale A or B instead of passing such an α. As in any float accumulation, an
   * element whose |α|·Σₚ|aᵢₚ||bₚⱼ| + |β||cᵢⱼ| exceeds the float range may overflow in an
   * intermediate sum.
   */
  public static void gemm(
      Transpose transA,
      Transpose transB,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float beta,
      float[] c,
      int cOff,
      int ldc) {
    Checks.notNull("transA", transA);
    Checks.notNull("transB", transB);
    Checks.nonNegative("m", m);
    Checks.nonNegative("n", n);
    Checks.nonNegative("k", k);
    boolean ta = transA == Transpose.T;
    boolean tb = transB == Transpose.T;
    int aRows = ta ? k : m, aCols = ta ? m : k;
    int bRows = tb ? n : k, bCols = tb ? k : n;
    Checks.matrix("A", a, aOff, ta ? "k" : "m", aRows, ta ? "m" : "k", aCols, lda);
    Checks.matrix("B", b, bOff, tb ? "n" : "k", bRows, tb ? "k" : "n", bCols, ldb);
    Checks.matrix("C", c, cOff, "m", m, "n", n, ldc);
    long cEnd = Checks.matrixEnd(cOff, m, n, ldc);
    Checks.noOverlap("C", c, cOff, cEnd, "A", a, aOff, Checks.matrixEnd(aOff, aRows, aCols, lda));
    Checks.noOverlap("C", c, cOff, cEnd, "B", b, bOff, Checks.matrixEnd(bOff, bRows, bCols, ldb));
    IMPL.gemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }

  /**
   * y ← φ(x) element-wise over n elements. y may be the same range as x (in place); a partial
   * overlap is rejected. TANH is within 2 ulp of {@code (float) Math.tanh}, SIGMOID within 4 ulp of
   * the correctly rounded 1/(1+e^−x); RELU and IDENTITY are exact.
   */
  public static void activate(Activation f, int n, float[] x, int xOff, float[] y, int yOff) {
    Checks.notNull("f", f);
    Checks.nonNegative("n", n);
    Checks.vector("x", x, xOff, "n", n);
    Checks.vector("y", y, yOff, "n", n);
    Checks.exactOrNoOverlap("x", x, xOff, "y", y, yOff, n);
    Kernels.activate(f, n, x, xOff, y, yOff);
  }

  /**
   * out ← g ⊙ φ′ where φ′ is written from the activation output h = φ(z) (see {@link Activation}).
   * Reads h and g, writes out; out may be the same range as g or h.
   */
  public static void activationGrad(
      Activation f, int n, float[] h, int hOff, float[] g, int gOff, float[] out, int outOff) {
    Checks.notNull("f", f);
    Checks.nonNegative("n", n);
    Checks.vector("h", h, hOff, "n", n);
    Checks.vector("g", g, gOff, "n", n);
    Checks.vector("out", out, outOff, "n", n);
    Checks.exactOrNoOverlap("h", h, hOff, "out", out, outOff, n);
    Checks.exactOrNoOverlap("g", g, gOff, "out", out, outOff, n);
    Kernels.activationGrad(f, n, h, hOff, g, gOff, out, outOff);
  }
}
