package dev.bptt.kernel.internal;

/**
 * The per-step matrix–vector products of a one-sequence (B = 1) pass split across a {@link Team}: y
 * ← α·W·x + β·y by blocks of rows of W, and y ← α·Wᵀ·x + β·y by blocks of columns (the entries of
 * y). Each thread then streams only its part of W, which for the recurrent matrices of H ≳ 256
 * stays in that core's own cache instead of all of W in one core's.
 *
 * <p>Bits: blocks start at multiples of {@link #ALIGN} (a multiple of every vector length and of
 * the gemv's four-row blocking), so every entry of y is computed by the same operations as in the
 * unsplit call (same row blocking, same vector body or scalar tail), whatever the thread count.
 */
final class SplitGemv {
  /** Block boundaries are multiples of this. */
  static final int ALIGN = 64;

  /** Products of fewer matrix entries stay on the caller: the hand-off would cost more. */
  static final long MIN_ENTRIES = 1L << 15;

  private final Team team;
  private final Product rows = new Product(false);
  private final Product cols = new Product(true);

  SplitGemv(Team team) {
    this.team = team;
  }

  /** y ← α·W·x + β·y, W m×n (lda), rows split across the team when it pays. */
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
      int yOff) {
    int parts = parts(m, n, m);
    if (parts < 2) {
      Kernels.blas().gemv(m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
      return;
    }
    rows.set(parts, m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
    team.run(parts, rows);
  }

  /** y ← α·Wᵀ·x + β·y, W m×n (lda), the n entries of y split across the team when it pays. */
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
      int yOff) {
    int parts = parts(m, n, n);
    if (parts < 2) {
      Kernels.blas().gemvT(m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
      return;
    }
    cols.set(parts, m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
    team.run(parts, cols);
  }

  private int parts(int m, int n, int split) {
    if ((long) m * n < MIN_ENTRIES) {
      return 1;
    }
    return Math.min(team.threads(), (split + ALIGN - 1) / ALIGN);
  }

  /** Start of block i of {@code parts} over [0, len): multiples of ALIGN, the last ends at len. */
  static int blockStart(int i, int parts, int len) {
    if (i >= parts) {
      return len;
    }
    return Math.min(len, (int) (((long) i * len / parts + ALIGN / 2) / ALIGN * ALIGN));
  }

  /** One block of rows (W·x) or of columns (Wᵀ·x) per task. */
  private static final class Product implements Team.Task {
    private final boolean transposed;
    private int parts;
    private int m;
    private int n;
    private float alpha;
    private float[] a;
    private int aOff;
    private int lda;
    private float[] x;
    private int xOff;
    private float beta;
    private float[] y;
    private int yOff;

    Product(boolean transposed) {
      this.transposed = transposed;
    }

    void set(
        int parts,
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
      this.parts = parts;
      this.m = m;
      this.n = n;
      this.alpha = alpha;
      this.a = a;
      this.aOff = aOff;
      this.lda = lda;
      this.x = x;
      this.xOff = xOff;
      this.beta = beta;
      this.y = y;
      this.yOff = yOff;
    }

    @Override
    public void run(int i) {
      BlasSupport k = Kernels.blas();
      if (transposed) {
        int j0 = blockStart(i, parts, n), j1 = blockStart(i + 1, parts, n);
        if (j1 > j0) {
          k.gemvT(m, j1 - j0, alpha, a, aOff + j0, lda, x, xOff, beta, y, yOff + j0);
        }
      } else {
        int r0 = blockStart(i, parts, m), r1 = blockStart(i + 1, parts, m);
        if (r1 > r0) {
          k.gemv(r1 - r0, n, alpha, a, aOff + r0 * lda, lda, x, xOff, beta, y, yOff + r0);
        }
      }
    }
  }
}
