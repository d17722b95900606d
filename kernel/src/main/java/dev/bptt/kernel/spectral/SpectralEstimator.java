package dev.bptt.kernel.spectral;

import dev.bptt.kernel.internal.Checks;

/**
 * The estimators of {@link Spectral} with their start vector, scratch and stopping rule held in one
 * reusable object: {@code SpectralEstimator.square(n).spectralRadius(w)} instead of ten positional
 * arguments and a scratch array sized by a second call.
 *
 * <p>Configuration (maximum iterations, tolerance, seed, warm start) is changed through {@code
 * with…} copies, each with scratch of its own; an instance is not thread-safe (its scratch and
 * iterate are reused by every call, so a call allocates nothing but its result). Each call starts
 * from {@link Spectral#randomStart} with the seed (bitwise reproducible), or, with a warm start,
 * from the previous call's vector (a few steps suffice when the matrix changed little, e.g. W_hh
 * between training steps).
 */
public final class SpectralEstimator {
  /** Default maximum number of power steps. */
  public static final int DEFAULT_MAX_ITERATIONS = 1000;

  /** Default relative residual to stop at. */
  public static final double DEFAULT_TOLERANCE = 1e-5;

  private final int rows;
  private final int cols;
  private final int maxIterations;
  private final double tolerance;
  private final long seed;
  private final boolean warmStart;
  private final float[] v;
  private final float[] work;
  private boolean started;

  private SpectralEstimator(
      int rows, int cols, int maxIterations, double tolerance, long seed, boolean warmStart) {
    Checks.positive("rows", rows);
    Checks.positive("cols", cols);
    Checks.positive("maxIterations", maxIterations);
    if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
      throw new IllegalArgumentException("tolerance must be finite and >= 0, got " + tolerance);
    }
    this.rows = rows;
    this.cols = cols;
    this.maxIterations = maxIterations;
    this.tolerance = tolerance;
    this.seed = seed;
    this.warmStart = warmStart;
    this.v = new float[cols];
    int len =
        rows == cols
            ? Math.max(
                Spectral.spectralRadiusWorkLength(cols), Spectral.sigmaMaxWorkLength(rows, cols))
            : Spectral.sigmaMaxWorkLength(rows, cols);
    this.work = new float[len];
  }

  /**
   * An estimator for n×n matrices (all three estimates), with the defaults {@link
   * #DEFAULT_MAX_ITERATIONS}, {@link #DEFAULT_TOLERANCE}, seed 0 and no warm start.
   *
   * @param n order ≥ 1
   */
  public static SpectralEstimator square(int n) {
    return new SpectralEstimator(n, n, DEFAULT_MAX_ITERATIONS, DEFAULT_TOLERANCE, 0L, false);
  }

  /**
   * An estimator of σ_max for matrices of {@code rows} rows and {@code cols} columns.
   *
   * @param rows m ≥ 1
   * @param cols n ≥ 1
   */
  public static SpectralEstimator rectangular(int rows, int cols) {
    return new SpectralEstimator(rows, cols, DEFAULT_MAX_ITERATIONS, DEFAULT_TOLERANCE, 0L, false);
  }

  /** A copy that stops after at most {@code maxIterations} (≥ 1) power steps. */
  public SpectralEstimator withMaxIterations(int maxIterations) {
    return new SpectralEstimator(rows, cols, maxIterations, tolerance, seed, warmStart);
  }

  /** A copy that stops at relative residual {@code tolerance} (finite, ≥ 0; 0 runs every step). */
  public SpectralEstimator withTolerance(double tolerance) {
    return new SpectralEstimator(rows, cols, maxIterations, tolerance, seed, warmStart);
  }

  /** A copy whose start vectors come from {@code seed}. */
  public SpectralEstimator withSeed(long seed) {
    return new SpectralEstimator(rows, cols, maxIterations, tolerance, seed, warmStart);
  }

  /** A copy that starts each call after the first from the previous call's vector. */
  public SpectralEstimator withWarmStart(boolean warmStart) {
    return new SpectralEstimator(rows, cols, maxIterations, tolerance, seed, warmStart);
  }

  /** m. */
  public int rows() {
    return rows;
  }

  /** n. */
  public int cols() {
    return cols;
  }

  /** The most power steps per call. */
  public int maxIterations() {
    return maxIterations;
  }

  /** The relative residual a call stops at. */
  public double tolerance() {
    return tolerance;
  }

  /**
   * The last call's vector (the eigenvector or right singular vector estimate; for {@link
   * #spectralRadius} the real part of the Ritz vector), n floats; read only.
   */
  public float[] vector() {
    return v;
  }

  /**
   * ρ(W) of the n×n row-major matrix at offset 0 with ld = n (see {@link Spectral#spectralRadius}).
   */
  public SpectralEstimate spectralRadius(float[] w) {
    return spectralRadius(w, 0, cols);
  }

  /** ρ(W) of the n×n matrix at {@code off} with leading dimension {@code ld} ≥ n. */
  public SpectralEstimate spectralRadius(float[] w, int off, int ld) {
    requireSquare("spectralRadius");
    Checks.matrix("W", w, off, rows, cols, ld);
    start();
    return Spectral.spectralRadius(cols, w, off, ld, v, 0, work, 0, maxIterations, tolerance);
  }

  /**
   * σ_max(W) of the m×n row-major matrix at offset 0 with ld = n (see {@link Spectral#sigmaMax}).
   */
  public SpectralEstimate sigmaMax(float[] w) {
    return sigmaMax(w, 0, cols);
  }

  /** σ_max(W) of the m×n matrix at {@code off} with leading dimension {@code ld} ≥ n. */
  public SpectralEstimate sigmaMax(float[] w, int off, int ld) {
    Checks.matrix("W", w, off, rows, cols, ld);
    start();
    return Spectral.sigmaMax(rows, cols, w, off, ld, v, 0, work, 0, maxIterations, tolerance);
  }

  /**
   * Dominant eigenpair of the symmetric n×n matrix at offset 0 with ld = n (see {@link
   * Spectral#symmetricDominant}).
   */
  public SpectralEstimate symmetricDominant(float[] a) {
    return symmetricDominant(a, 0, cols);
  }

  /**
   * Dominant eigenpair of the symmetric n×n matrix at {@code off} with leading dimension {@code ld}
   * ≥ n.
   */
  public SpectralEstimate symmetricDominant(float[] a, int off, int ld) {
    requireSquare("symmetricDominant");
    Checks.matrix("A", a, off, rows, cols, ld);
    start();
    return Spectral.symmetricDominant(cols, a, off, ld, v, 0, work, 0, maxIterations, tolerance);
  }

  private void requireSquare(String method) {
    if (rows != cols) {
      throw new IllegalStateException(
          method + " needs a square estimator, this one is " + rows + "x" + cols);
    }
  }

  private void start() {
    boolean finite = true;
    for (float x : v) {
      finite &= Float.isFinite(x);
    }
    if (!warmStart || !started || !finite) {
      Spectral.randomStart(seed, cols, v, 0);
    }
    started = true;
  }
}
