package dev.bptt.kernel.spectral;

import dev.bptt.kernel.internal.Checks;
import java.util.random.RandomGenerator;

/**
 * Weight-matrix generators with a prescribed (or well-known) spectrum, for recurrent weights W_hh
 * and the experiments on gradient growth. Every generator draws from a caller-provided {@link
 * RandomGenerator} ({@code new SplittableRandom(seed)} gives a deterministic matrix per seed),
 * validates all arguments before writing anything, and writes only the rows×cols block of the
 * row-major destination (a, off, ld), leaving any padding columns untouched.
 *
 * <p>Matrices are built in double and rounded to float once, so each written entry is the double
 * value times (1 + δ), |δ| ≤ 2⁻²⁴ (plus 2⁻⁵³-level double error). A finite scale (gain, bound, σ,
 * eigenvalue, ρ) whose largest entry would round to ±∞ in float is refused with an {@link
 * IllegalArgumentException} naming it, before anything is written.
 */
public final class SpectralInit {
  /** Most power steps the rescaling generators spend estimating ρ of their draw. */
  public static final int RESCALE_MAX_ITER = 20_000;

  private SpectralInit() {}

  /**
   * Haar-random orthogonal matrix times a gain: rows×cols, W = gain·Q. If rows ≥ cols, Q has
   * orthonormal columns (QᵀQ = I); if rows &lt; cols, orthonormal rows (QQᵀ = I, Q is the transpose
   * of a cols×rows draw). Q comes from the Householder QR of a Gaussian matrix with the sign fix
   * Q·diag(sign(diag R)), which makes it Haar-distributed (as PyTorch's {@code orthogonal_(gain)}).
   * For square Q every |λᵢ(W)| = σᵢ(W) = |gain|.
   *
   * @param rng source of the Gaussian draws (rows·cols of them, row-major)
   * @param gain finite scale
   */
  public static void orthogonal(
      RandomGenerator rng, double gain, int rows, int cols, float[] a, int off, int ld) {
    orthogonal("gain", rng, gain, rows, cols, a, off, ld);
  }

  /** {@link #orthogonal} with the scale's name for messages. */
  private static void orthogonal(
      String name,
      RandomGenerator rng,
      double gain,
      int rows,
      int cols,
      float[] a,
      int off,
      int ld) {
    Checks.notNull("rng", rng);
    withinFloat(name, gain, 1);
    checkDest(rows, cols, a, off, ld);
    boolean tall = rows >= cols;
    int m = tall ? rows : cols, n = tall ? cols : rows;
    double[] q = Householder.haarColumns(rng, m, n);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        double qij = tall ? q[i * n + j] : q[j * n + i];
        a[off + i * ld + j] = (float) (gain * qij);
      }
    }
  }

  /**
   * Scaled orthogonal n×n matrix W = ρ·Q with Q Haar: every eigenvalue has |λ| = ρ and every
   * singular value is ρ, so ‖Wᵀg‖ = ρ‖g‖ for every g (up to the final rounding to float). Same
   * draws as {@link #orthogonal}{@code (rng, rho, n, n, ...)}.
   *
   * @param rho finite scale (the spectral radius when ≥ 0)
   */
  public static void scaledOrthogonal(
      RandomGenerator rng, double rho, int n, float[] a, int off, int ld) {
    orthogonal("rho", rng, rho, n, n, a, off, ld);
  }

  /**
   * Symmetric n×n matrix with the given eigenvalues: M = Q·diag(λ)·Qᵀ, i.e. M_ij = Σₖ Q_ik·λₖ·Q_jk
   * summed in double, with Q the Haar matrix that {@link #orthogonal}{@code (rng, 1, n, n, ...)}
   * would draw from an rng in the same state, so its column k is the eigenvector for λₖ. Each M_ij
   * (i ≤ j) is rounded once and mirrored, so the float result is exactly symmetric; its eigenvalues
   * lie within 2⁻²⁴·‖λ‖₂ (+ double error) of λ (Weyl: the rounding is a symmetric perturbation of
   * Frobenius norm ≤ 2⁻²⁴‖M‖_F).
   *
   * @param eigenvalues λ (length n ≥ 1, finite), in any order
   */
  public static void symmetric(
      RandomGenerator rng, double[] eigenvalues, float[] a, int off, int ld) {
    Checks.notNull("rng", rng);
    Checks.notNull("eigenvalues", eigenvalues);
    int n = eigenvalues.length;
    Checks.positive("eigenvalues.length", n);
    for (int k = 0; k < n; k++) {
      withinFloat("eigenvalues[" + k + "]", eigenvalues[k], 1);
    }
    checkDest(n, n, a, off, ld);
    double[] q = Householder.haarColumns(rng, n, n);
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        double s = 0;
        for (int k = 0; k < n; k++) {
          s += q[i * n + k] * eigenvalues[k] * q[j * n + k];
        }
        float v = (float) s;
        a[off + i * ld + j] = v;
        a[off + j * ld + i] = v;
      }
    }
  }

  /**
   * Scaled identity W = gain·I (n×n), the IRNN initialization of Le, Jaitly and Hinton (2015): ρ =
   * σ_max = |gain|, so a linear (or ReLU, in its active region) recurrence neither shrinks nor
   * grows the back-propagated error when gain = 1.
   */
  public static void scaledIdentity(double gain, int n, float[] a, int off, int ld) {
    withinFloat("gain", gain, 1);
    checkDest(n, n, a, off, ld);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        a[off + i * ld + j] = i == j ? (float) gain : 0f;
      }
    }
  }

  /**
   * Gaussian matrix rescaled to a target spectral radius: draws G with G_ij ~ N(0, 1/n)
   * (row-major), estimates ρ̂ = ρ(G) with {@link Spectral#spectralRadius} (start vector from {@code
   * rng.nextLong()}, at most {@link #RESCALE_MAX_ITER} steps, relative residual {@link
   * #rescaleTolerance}(n)), and writes W = (ρ/ρ̂)·G. ρ̂ is the Ritz value when the estimate
   * converged, else its growth rate ‖G^J x‖^{1/J}.
   *
   * <p><b>ρ(W) is an estimate.</b> When converged, ρ̂ is an exact eigenvalue modulus of G + E with
   * ‖E‖₂ ≤ residual, so to first order |ρ(W) − ρ|/ρ ≤ κ(λ₁)·residual/ρ̂ ≤ κ(λ₁)·tolerance, κ(λ₁)
   * the condition number of G's dominant eigenvalue (O(1) to O(10) for Gaussian matrices of a few
   * hundred rows). The returned estimate lets callers check.
   *
   * @param rho target spectral radius (&gt; 0, finite)
   * @param n order (≥ 1)
   * @return the estimate of ρ(G) for the unscaled draw G that set the scale ρ/ρ̂
   * @throws IllegalStateException if the draw has ρ̂ = 0 or not finite (probability 0; nothing is
   *     written)
   */
  public static SpectralEstimate gaussianRescaled(
      RandomGenerator rng, double rho, int n, float[] a, int off, int ld) {
    Checks.notNull("rng", rng);
    positiveFinite("rho", rho);
    Checks.positive("n", n);
    checkDest(n, n, a, off, ld);
    float[] g = new float[n * n];
    double sd = 1 / Math.sqrt(n);
    for (int i = 0; i < g.length; i++) {
      g[i] = (float) (sd * rng.nextGaussian());
    }
    return rescaleInto(rng, g, rho, n, a, off, ld);
  }

  /**
   * Sparse matrix with exactly {@code perRow} non-zeros per row, rescaled to a target spectral
   * radius: Pascanu, Mikolov and Bengio's "smart tanh" initialization (2013) with perRow = 15 and ρ
   * = 0.95. Row i gets perRow distinct columns chosen uniformly (a partial Fisher–Yates shuffle)
   * holding N(0, 1) values (an exact 0 is redrawn); the rest is 0. Then W = (ρ/ρ̂)·G as in {@link
   * #gaussianRescaled}, with the same estimate caveat. Row i holds the incoming weights of unit i
   * for h_t = φ(W·h_{t−1} + …).
   *
   * @param perRow non-zeros per row, 1 ≤ perRow ≤ n (every row has one, so the pattern holds a
   *     cycle and ρ(G) = 0 needs an exact cancellation: probability 0)
   * @param rho target spectral radius (&gt; 0, finite)
   * @return the estimate of ρ(G) for the unscaled draw
   * @throws IllegalStateException if the draw has ρ̂ = 0 or not finite (probability 0; nothing is
   *     written)
   */
  public static SpectralEstimate sparseRescaled(
      RandomGenerator rng, int perRow, double rho, int n, float[] a, int off, int ld) {
    Checks.notNull("rng", rng);
    positiveFinite("rho", rho);
    Checks.positive("n", n);
    if (perRow < 1 || perRow > n) {
      throw new IllegalArgumentException("perRow must be in [1, n=" + n + "], got " + perRow);
    }
    checkDest(n, n, a, off, ld);
    float[] g = new float[n * n];
    int[] cols = new int[n];
    for (int j = 0; j < n; j++) {
      cols[j] = j;
    }
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < perRow; k++) {
        int pick = k + rng.nextInt(n - k);
        int c = cols[pick];
        cols[pick] = cols[k];
        cols[k] = c;
        float value;
        do {
          value = (float) rng.nextGaussian();
        } while (value == 0f);
        g[i * n + c] = value;
      }
    }
    return rescaleInto(rng, g, rho, n, a, off, ld);
  }

  /**
   * Relative residual at which the rescaling generators stop estimating ρ: max(10⁻⁴,
   * 2·n^{3/2}·2⁻²⁴). The second term is twice the worst-case float rounding floor γₙ·‖G‖_F/ρ(G) of
   * the residual for draws whose ‖G‖_F ≈ √n·ρ(G) (Gaussian and sparse draws, by the circular law),
   * so the tolerance can be reached.
   */
  public static double rescaleTolerance(int n) {
    return Math.max(1e-4, 2 * Math.pow(n, 1.5) * 0x1p-24);
  }

  /**
   * Uniform U(−bound, bound) entries (rows×cols): each (float)(bound·(2r − 1)) with r uniform in
   * [0, 1). For a square n×n matrix the circular law gives ρ ≈ bound·√(n/3).
   *
   * @param bound half-width (finite, ≥ 0)
   */
  public static void uniform(
      RandomGenerator rng, double bound, int rows, int cols, float[] a, int off, int ld) {
    Checks.notNull("rng", rng);
    nonNegativeFinite("bound", bound);
    withinFloat("bound", bound, 1);
    checkDest(rows, cols, a, off, ld);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        a[off + i * ld + j] = (float) (bound * (2 * rng.nextDouble() - 1));
      }
    }
  }

  /**
   * PyTorch's default {@code nn.RNN} initialization: every weight U(−1/√H, 1/√H) with H the hidden
   * size. For W_hh (H×H) the circular law gives ρ ≈ √(H·(1/H)/3) = √(1/3) ≈ 0.577 for every H.
   *
   * @param hidden H (≥ 1), sets the bound 1/√H
   */
  public static void pytorchDefault(
      RandomGenerator rng, int hidden, int rows, int cols, float[] a, int off, int ld) {
    Checks.positive("hidden", hidden);
    uniform(rng, 1 / Math.sqrt(hidden), rows, cols, a, off, ld);
  }

  /**
   * Normal N(0, σ²) entries (rows×cols), as d2l's from-scratch RNN (σ = 0.01). For a square n×n
   * matrix the circular law gives ρ ≈ σ·√n (0.057 for σ = 0.01, n = 32).
   *
   * @param sigma standard deviation (finite, ≥ 0)
   */
  public static void normal(
      RandomGenerator rng, double sigma, int rows, int cols, float[] a, int off, int ld) {
    Checks.notNull("rng", rng);
    nonNegativeFinite("sigma", sigma);
    checkDest(rows, cols, a, off, ld);
    // Drawn first, written only if every σ·z fits a float (z is unbounded in principle).
    double[] z = new double[Math.multiplyExact(rows, cols)];
    double max = 0;
    for (int i = 0; i < z.length; i++) {
      z[i] = rng.nextGaussian();
      max = Math.max(max, Math.abs(z[i]));
    }
    withinFloat("sigma", sigma, max);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        a[off + i * ld + j] = (float) (sigma * z[i * cols + j]);
      }
    }
  }

  // ---- helpers ----

  /** Estimates ρ̂ of the n×n draw g, then writes (ρ/ρ̂)·g into the destination. */
  private static SpectralEstimate rescaleInto(
      RandomGenerator rng, float[] g, double rho, int n, float[] a, int off, int ld) {
    float[] v = new float[n];
    float[] work = new float[Spectral.spectralRadiusWorkLength(n)];
    Spectral.randomStart(rng.nextLong(), n, v, 0);
    SpectralEstimate est =
        Spectral.spectralRadius(n, g, 0, n, v, 0, work, 0, RESCALE_MAX_ITER, rescaleTolerance(n));
    double rhoHat = est.converged() ? est.value() : est.growthRate();
    if (!(rhoHat > 0) || rhoHat == Double.POSITIVE_INFINITY) {
      throw new IllegalStateException(
          "the draw has estimated spectral radius "
              + rhoHat
              + " (a degenerate draw); nothing written, use another seed");
    }
    double s = rho / rhoHat;
    double max = 0;
    for (float x : g) {
      max = Math.max(max, Math.abs(x));
    }
    withinFloat("rho", rho, max / rhoHat); // (ρ/ρ̂)·max|g| is the largest entry written
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        a[off + i * ld + j] = (float) (s * g[i * n + j]);
      }
    }
    return est;
  }

  private static void checkDest(int rows, int cols, float[] a, int off, int ld) {
    Checks.nonNegative("rows", rows);
    Checks.nonNegative("cols", cols);
    Checks.matrix("A", a, off, rows, cols, ld);
  }

  /**
   * Refuses a finite scale whose largest product |value|·factor would round to ±∞ in float (so
   * nothing non-finite is ever written), naming the argument and the bound.
   */
  private static void withinFloat(String name, double value, double factor) {
    finite(name, value);
    if (Math.abs(value) * factor > Float.MAX_VALUE) {
      throw new IllegalArgumentException(
          name
              + " = "
              + value
              + " would write entries up to "
              + Math.abs(value) * factor
              + ", beyond the float range ("
              + Float.MAX_VALUE
              + "); nothing written");
    }
  }

  private static void finite(String name, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(name + " must be finite, got " + value);
    }
  }

  private static void positiveFinite(String name, double value) {
    if (!(value > 0) || value == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException(name + " must be finite and > 0, got " + value);
    }
  }

  private static void nonNegativeFinite(String name, double value) {
    if (!(value >= 0) || value == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
    }
  }
}
