package dev.bptt.verify;

/**
 * Derived error bounds, never tuned constants.
 *
 * <p><b>Model.</b> Every float operation of a kernel rounds as fl(a∘b) = (a∘b)(1+δ) + η with |δ| ≤
 * u = 2⁻²⁴ and |η| ≤ {@link Float#MIN_VALUE}/2, where η ≠ 0 only for a product (or a fused
 * multiply-add) whose exact result falls below the normal range; sums that land there are exact. If
 * every term of a result passes through at most {@code depth} roundings (a product, the additions
 * on its path through whatever summation tree the kernel uses, scalings), the classical bound
 * (Higham, <i>Accuracy and Stability of Numerical Algorithms</i>, §3.1) is |ŷ − y| ≤
 * γ_depth·Σ|terms| with γₖ = k·u/(1 − k·u). Any summation tree of n terms has depth at most n − 1,
 * which is why the bounds below never depend on how many accumulators or lanes the kernel uses.
 * Each underflowing rounding adds at most MIN_VALUE/2, which later roundings can grow by at most (1
 * + γ) ≤ 2: callers pass the (weighted) count of such roundings and the bound adds count·MIN_VALUE.
 *
 * <p>The reference ({@link NaiveBlas}) adds the same terms in double with the same depth, so its
 * own error is at most γᵈ_depth·Σ|terms| with uᵈ = 2⁻⁵³; {@link #bound} adds that too, and scales
 * the magnitude (itself summed in double) by (1 + γᵈ_depth).
 */
public final class Tolerance {
  private Tolerance() {}

  /** Unit roundoff of float, round to nearest. */
  public static final double U = 0x1p-24;

  /** Unit roundoff of double, round to nearest. */
  public static final double U_DOUBLE = 0x1p-53;

  /** γₖ = k·u/(1 − k·u) for float (+∞ once k·u ≥ 1: no bound). */
  public static double gamma(long k) {
    return gamma(k, U);
  }

  /** γᵈₖ, the same for double. */
  public static double gammaDouble(long k) {
    return gamma(k, U_DOUBLE);
  }

  private static double gamma(long k, double u) {
    double ku = k * u;
    return ku >= 1 ? Double.POSITIVE_INFINITY : ku / (1 - ku);
  }

  /**
   * (γ_depth + γᵈ_depth)·magnitude·(1 + γᵈ_depth) + underflows·MIN_VALUE: the forward error allowed
   * between a float kernel result and its double reference (see the class comment).
   *
   * @param depth the most roundings any term passes through
   * @param magnitude Σ|terms| of the result (from a {@code NaiveBlas …Magnitude} method)
   * @param underflows weighted count of roundings that may underflow (each ≤ MIN_VALUE/2, at most
   *     doubled by later roundings, so it is counted once per MIN_VALUE)
   */
  public static double bound(long depth, double magnitude, double underflows) {
    double gd = gammaDouble(depth);
    return (gamma(depth) + gd) * magnitude * (1 + gd) + underflows * Float.MIN_VALUE;
  }

  // ---- bounds per kernel (depth and underflow counts derived in each comment) ----

  /**
   * dot: n products each rounded once (or fused), then a summation tree of depth ≤ n − 1: depth n.
   * Each of the n products may underflow.
   */
  public static double dot(int n, double magnitude) {
    return bound(n, magnitude, n);
  }

  /**
   * axpy yᵢ + α·xᵢ: one product and one addition (one rounding if fused): depth 2; the product may
   * underflow.
   */
  public static double axpy(double magnitude) {
    return bound(2, magnitude, 1);
  }

  /** scale α·xᵢ: one rounding, which may underflow. */
  public static double scale(double magnitude) {
    return bound(1, magnitude, 1);
  }

  /**
   * One element of α·Σₚ₍ₚ₌₀..ₖ₋₁₎ aₚ·bₚ + β·c, the shape of every gemv, gemvᵀ, ger (k = 1, β = 1)
   * and gemm element, for <em>any</em> evaluation order the kernels may choose (they differ and
   * change: α folded into one factor or applied to partial sums, blocked or chained sums):
   *
   * <ul>
   *   <li>depth: each term is rounded by at most two multiplications (the three factors in any
   *       association), then at most k − 1 additions inside blocks of the sum, at most one α
   *       scaling of its block and at most k additions of block sums and β·c: ≤ 2k + 2. So the
   *       bound is γ₂ₖ₊₂·(|α|Σ|aₚbₚ| + |β||c|), i.e. c·k·u with c ≈ 2.
   *   <li>underflow: the first multiplication of a term may lose MIN_VALUE/2, which the second
   *       multiplies by the remaining factor (≤ F = max(|α|, |aₚ|, |bₚ|)); the second loses at most
   *       MIN_VALUE/2; up to k α-scalings of partial sums and β·c lose MIN_VALUE/2 each: (k·(F + 2)
   *       + 1)·MIN_VALUE/2, counted doubled (see the class comment).
   * </ul>
   *
   * @param k number of products in the sum
   * @param magnitude |α|·Σₚ|aₚbₚ| + |β||c|
   * @param maxFactor F, an upper bound of |α| and every |aₚ|, |bₚ|
   */
  public static double scaledProductSum(int k, double magnitude, double maxFactor) {
    return bound(2L * k + 2, magnitude, k * (maxFactor + 2) + 1);
  }

  /**
   * tanh′ from the output, g·(1 − h·h): three roundings. With p = fl(h²) = h²(1+δ₁), d = fl(1 − p),
   * o = fl(g·d): o − g(1 − h²) = g[(1 − h²)((1+δ₂)(1+δ₃) − 1) − h²δ₁(1+δ₂)(1+δ₃)], so |error| ≤
   * γ₃·|g|·(|1 − h²| + h²): the h² term matters where 1 − h² cancels (|h| → 1). Underflows: h² (its
   * error multiplied by |g|) and the final product: |g| + 1.
   */
  public static double tanhGrad(float h, float g) {
    double hv = h;
    return bound(3, Math.abs((double) g) * (Math.abs(1 - hv * hv) + hv * hv), Math.abs(g) + 1.0);
  }

  /**
   * sigmoid′ from the output, g·(h·(1 − h)): three roundings of exact operands (1 − h is formed
   * from the exact h, no cancellation is inherited): |error| ≤ γ₃·|g·h·(1 − h)|. Underflows: h·(1 −
   * h) (its error multiplied by |g|) and the final product: |g| + 1.
   */
  public static double sigmoidGrad(float h, float g) {
    double hv = h;
    return bound(3, Math.abs(g * hv * (1 - hv)), Math.abs(g) + 1.0);
  }

  // ---- ulps ----

  /**
   * Number of floats strictly between a and b, plus one (0 when equal; +0 and −0 are 0 apart). Two
   * NaNs are 0 apart, a NaN and a number {@link Long#MAX_VALUE}.
   */
  public static long ulpDistance(float a, float b) {
    if (Float.isNaN(a) || Float.isNaN(b)) {
      return Float.isNaN(a) && Float.isNaN(b) ? 0 : Long.MAX_VALUE;
    }
    return Math.abs(ordinal(a) - ordinal(b));
  }

  /** Position of a float on the number line: monotone, consecutive floats differ by 1. */
  private static long ordinal(float f) {
    int bits = Float.floatToRawIntBits(f);
    return bits >= 0 ? bits : -(long) (bits & 0x7fffffff);
  }

  /**
   * Whether {@code got} lies within {@code ulps} floats of the correctly rounded value of a real
   * number known only as a double {@code approx} with relative error at most {@code relErr}. The
   * correctly rounded float is (float) approx unless the real value may lie on the other side of a
   * rounding midpoint, that is unless approx is within relErr·|approx| of the midpoint between
   * (float) approx and its neighbour towards approx; then both candidates are tried, so a rejection
   * always means a true violation. NaN matches NaN only.
   */
  public static boolean withinUlpsOfCorrectlyRounded(
      float got, double approx, double relErr, long ulps) {
    if (Double.isNaN(approx)) {
      return Float.isNaN(got);
    }
    float nearest = (float) approx;
    if (ulpDistance(got, nearest) <= ulps) {
      return true;
    }
    if (Float.isInfinite(nearest) || approx == nearest) {
      return false;
    }
    float other = Math.nextAfter(nearest, approx);
    double midpoint = ((double) nearest + (double) other) / 2; // exact: two floats, in double
    boolean ambiguous = Math.abs(approx - midpoint) <= relErr * Math.abs(approx);
    return ambiguous && ulpDistance(got, other) <= ulps;
  }
}
