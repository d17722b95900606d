package dev.bptt.kernel.clip;

import java.util.Objects;

/**
 * What a clip found and did: a reusable, caller-owned holder that every {@link GradientClipper}
 * call fills in place, so clipping allocates nothing once the holder has grown to the largest view
 * count (and, for AGC, row count) it has seen. Not thread-safe: one per calling thread.
 *
 * <p>All norms are of the true (unscaled) gradient: with a loss scale s they are the norms of the
 * stored buffer divided by s.
 */
public final class ClipResult {
  private NormType normType = NormType.L2;
  private double totalNorm;
  private double coefficient = 1.0;
  private boolean clipped;
  private int clippedUnits;
  private boolean nonFinite;
  private boolean skipStep;
  private int viewCount;
  private double[] viewNorms = new double[0];
  private double[] viewCoefficients = new double[0];
  private double[] scratch = new double[0];
  // The last (grads, weights) pair an adaptive clip validated; sets are immutable, so a pair
  // checked once (O(k²) overlap test) need not be checked again.
  private TensorSet checkedGrads;
  private TensorSet checkedWeights;

  /** An empty result, to be filled by a clip. */
  public ClipResult() {}

  /**
   * The norm the clip measured: the configured one for norm clips, {@link NormType#LINF} for value
   * clipping, {@link NormType#L2} (Frobenius) for adaptive clipping.
   */
  public NormType normType() {
    return normType;
  }

  /**
   * Pre-clip norm of all views as one vector, ‖g‖ = ‖(g₁, …, g_k)‖ (L2: √(Σᵥ Σᵢ gᵥᵢ²), L1: Σᵥ Σᵢ
   * |gᵥᵢ|, L∞: maxᵥ maxᵢ |gᵥᵢ|), of the unscaled gradient. NaN or +∞ when {@link #nonFinite()}. 0
   * for no views.
   */
  public double totalNorm() {
    return totalNorm;
  }

  /**
   * The coefficient c the rule chose (g ← c·g): for a global-norm clip the one factor applied to
   * every entry; for per-view and adaptive clips the smallest factor applied to any view or row;
   * NaN for value clipping (it clamps, it does not scale). On a non-finite gradient: 1 (SKIP,
   * untouched), 0 (ZERO) or NaN (PROPAGATE). The stored buffer is multiplied by the float nearest
   * c/s (s = loss scale); when that is exactly 1 the buffer is not written.
   */
  public double coefficient() {
    return coefficient;
  }

  /**
   * True when the rule shrank the gradient: c &lt; 1 for some view or row, or some entry was
   * clamped by value clipping. False on every non-finite path.
   */
  public boolean clipped() {
    return clipped;
  }

  /**
   * Number of units the rule shrank: views for global-norm (all or none) and per-view clips, views
   * holding at least one clamped entry for value clipping, rows for adaptive clipping.
   */
  public int clippedUnits() {
    return clippedUnits;
  }

  /** True when the gradient held a NaN or ±∞ (the non-finite policy then acted). */
  public boolean nonFinite() {
    return nonFinite;
  }

  /**
   * True when the optimizer step should be skipped: the gradient was non-finite under {@link
   * NonFinitePolicy#SKIP} and was left untouched.
   */
  public boolean skipStep() {
    return skipStep;
  }

  /**
   * Number of views k of the last clip; {@link #viewNorm} and {@link #viewCoefficient} take i &lt;
   * k.
   */
  public int viewCount() {
    return viewCount;
  }

  /**
   * Pre-clip norm of view i alone (same norm type as {@link #totalNorm()}, unscaled).
   *
   * @throws IndexOutOfBoundsException if i is not in [0, {@link #viewCount()})
   */
  public double viewNorm(int i) {
    return viewNorms[Objects.checkIndex(i, viewCount)];
  }

  /**
   * Coefficient applied to view i: the global c, the view's own c (per-view clip), the smallest row
   * c (adaptive; 1 for an exempt view), NaN for value clipping, or the non-finite value of {@link
   * #coefficient()}.
   *
   * @throws IndexOutOfBoundsException if i is not in [0, {@link #viewCount()})
   */
  public double viewCoefficient(int i) {
    return viewCoefficients[Objects.checkIndex(i, viewCount)];
  }

  /** One line for logs: norm type, total norm, coefficient, flags. */
  @Override
  public String toString() {
    return "ClipResult["
        + normType
        + " norm="
        + totalNorm
        + " coef="
        + coefficient
        + " clipped="
        + clipped
        + " units="
        + clippedUnits
        + " nonFinite="
        + nonFinite
        + " skipStep="
        + skipStep
        + " views="
        + viewCount
        + "]";
  }

  // ---- filled by GradientClipper ----

  /** Starts a clip over k views: resets the flags, grows the per-view arrays if needed. */
  void begin(NormType type, int k) {
    normType = type;
    totalNorm = 0;
    coefficient = 1.0;
    clipped = false;
    clippedUnits = 0;
    nonFinite = false;
    skipStep = false;
    viewCount = k;
    if (viewNorms.length < k) {
      int cap = Math.max(k, 2 * viewNorms.length);
      viewNorms = new double[cap];
      viewCoefficients = new double[cap];
    }
  }

  /** A scratch array of at least n doubles, reused across calls (raw partials, AGC row sums). */
  double[] scratch(int n) {
    if (scratch.length < n) {
      scratch = new double[Math.max(n, 2 * scratch.length)];
    }
    return scratch;
  }

  /** Records the pre-clip norm of view i. */
  void viewNorm(int i, double norm) {
    viewNorms[i] = norm;
  }

  /** Records the coefficient applied to view i. */
  void viewCoefficient(int i, double c) {
    viewCoefficients[i] = c;
  }

  /** Records the outcome of a finite clip. */
  void finish(double total, double coef, int units, boolean anyClipped) {
    totalNorm = total;
    coefficient = coef;
    clippedUnits = units;
    clipped = anyClipped;
  }

  /** Records a non-finite gradient and the policy's outcome (coefficient 1, 0 or NaN). */
  void finishNonFinite(double total, NonFinitePolicy policy) {
    totalNorm = total;
    nonFinite = true;
    skipStep = policy == NonFinitePolicy.SKIP;
    coefficient =
        switch (policy) {
          case SKIP, THROW -> 1.0;
          case ZERO -> 0.0;
          case PROPAGATE -> Double.NaN;
        };
    for (int i = 0; i < viewCount; i++) {
      viewCoefficients[i] = coefficient;
    }
  }

  /**
   * True when this (grads, weights) pair passed the AGC shape and overlap checks with this holder.
   */
  boolean isPairChecked(TensorSet grads, TensorSet weights) {
    return checkedGrads == grads && checkedWeights == weights;
  }

  /** Remembers that this (grads, weights) pair passed the AGC checks. */
  void markPairChecked(TensorSet grads, TensorSet weights) {
    checkedGrads = grads;
    checkedWeights = weights;
  }
}
