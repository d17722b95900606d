package dev.bptt.kernel.internal;

/**
 * Unchecked BLAS-style kernels over flat row-major {@code float[]} buffers. Callers (the public
 * {@code dev.bptt.kernel.Blas} facade) have validated every argument; implementations assume sizes
 * are non-negative, ranges fit and outputs do not overlap inputs.
 *
 * <p>Two implementations with the same method order and loop structure: {@link DefaultBlasSupport}
 * (scalar twin) and {@code PanamaBlasSupport} (Vector API).
 */
public interface BlasSupport {

  /** Σᵢ xᵢ·yᵢ, four accumulators combined as (a0+a1)+(a2+a3). */
  float dot(int n, float[] x, int xOff, float[] y, int yOff);

  /** y ← y + α·x. */
  void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

  /**
   * y[j] ← (…((y[j] + a[aOff + j]) + a[aOff + lda + j]) + …) + a[aOff + (rows−1)·lda + j] for j
   * &lt; n, rows added in the order given (lda may be negative): bitwise the same as rows calls of
   * {@code axpy(n, 1, row, y)}, with y[j] held in a register across the rows instead of read and
   * written once per row.
   */
  void addRows(int rows, int n, float[] a, int aOff, int lda, float[] y, int yOff);

  /** x ← α·x. */
  void scale(int n, float alpha, float[] x, int xOff);

  /** Σᵢ xᵢ² in float with four accumulators; may overflow or underflow (caller rescues). */
  float sumOfSquaresFast(int n, float[] x, int xOff);

  /** Σᵢ |xᵢ| accumulated in float with four accumulators. */
  float sumAbs(int n, float[] x, int xOff);

  /** maxᵢ |xᵢ| (NaN if any xᵢ is NaN). */
  float maxAbs(int n, float[] x, int xOff);

  /**
   * Index i in [0, n) of the first NaN or ±∞ among x[xOff..xOff+n), or −1 when all are finite (a
   * lane is non-finite exactly when x − x ≠ 0).
   */
  int firstNonFinite(int n, float[] x, int xOff);

  /** y[m] ← α·A·x + β·y, A m×n row-major; β = 0 means y is not read. */
  void gemv(
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
      int yOff);

  /** y[n] ← α·Aᵀ·x + β·y, A m×n row-major, x of length m; β = 0 means y is not read. */
  void gemvT(
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
      int yOff);

  /** A ← A + α·x·yᵀ, A m×n row-major, x of length m, y of length n. */
  void ger(
      int m,
      int n,
      float alpha,
      float[] x,
      int xOff,
      float[] y,
      int yOff,
      float[] a,
      int aOff,
      int lda);

  /**
   * C[m×n] ← α·op(A)·op(B) + β·C. transA/transB: false = N, true = T. β = 0 means C is not read.
   */
  void gemm(
      boolean transA,
      boolean transB,
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
      int ldc);

  /**
   * C[m×n] += Σ over k rows of A-row ⊗ B-row (C[i][j] += Σₚ a[aOff + p·lda + i]·b[bOff + p·ldb +
   * j]), summed in the levels of {@link SumBlocks} at blk's absolute row boundaries (p = 0 is row
   * blk.top), carrying open sums through blk. Negative lda/ldb walk the rows downwards.
   */
  void blockedSum(
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float[] c,
      int cOff,
      int ldc,
      SumBlocks blk);

  /** Floats {@link #packB} needs for a k×n op(B). */
  int packedSize(int k, int n);

  /**
   * Packs the k×n op(B) (B, or Bᵀ with transB, at bOff with ldb) for repeated {@link #gemmPacked}
   * calls: the recurrent weights are packed once per pass instead of once per time step.
   */
  void packB(boolean transB, int k, int n, float[] b, int bOff, int ldb, float[] packed);

  /** C ← α·op(A)·B + β·C with B packed by {@link #packB}; bitwise equal to {@link #gemm}. */
  void gemmPacked(
      boolean transA,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] packed,
      float beta,
      float[] c,
      int cOff,
      int ldc);

  /**
   * C ← I + A·B (m×n, A m×k untransposed, B k×n packed by {@link #packB}), I[i][j] = init[initOff +
   * i·ldInit + j] (ldInit = 0 repeats one row, e.g. a bias; init null: I = 0): bitwise equal to
   * copying I into C and calling {@link #gemmPacked} with α = β = 1, without that pass over C.
   */
  void gemmPackedFrom(
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int lda,
      float[] packed,
      float[] init,
      int initOff,
      int ldInit,
      float[] c,
      int cOff,
      int ldc);

  /** y ← tanh(x) element-wise (y may equal x at the same offset). */
  void tanh(int n, float[] x, int xOff, float[] y, int yOff);

  /** y ← 1/(1+e^−x) element-wise. */
  void sigmoid(int n, float[] x, int xOff, float[] y, int yOff);

  /** y ← max(x, 0) element-wise. */
  void relu(int n, float[] x, int xOff, float[] y, int yOff);

  /** out ← g ⊙ (1 − h²): tanh derivative from the output h. */
  void tanhGrad(int n, float[] h, int hOff, float[] g, int gOff, float[] out, int outOff);

  /** out ← g ⊙ h ⊙ (1 − h): sigmoid derivative from the output h. */
  void sigmoidGrad(int n, float[] h, int hOff, float[] g, int gOff, float[] out, int outOff);

  /** out ← g where h &gt; 0, else 0: ReLU derivative from the output h. */
  void reluGrad(int n, float[] h, int hOff, float[] g, int gOff, float[] out, int outOff);

  /**
   * x ← min(max(fl(x·mul), −c), c) element-wise, with Math.min/max semantics (NaN stays NaN, −0
   * stays −0); c ≥ 0. For value clipping.
   */
  void clamp(int n, float mul, float c, float[] x, int xOff);

  /** Short name for logs and reports ("scalar" or "panama-256"). */
  String name();
}
