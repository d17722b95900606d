package dev.bptt.bench.clip;

import dev.bptt.bench.Agreement;
import dev.bptt.kernel.clip.GradientClipper;
import java.util.Map;

/**
 * Derived error bounds for the setup-time agreement checks of the clipping benchmarks: each
 * implementation's clipped buffer against a double-precision reference.
 */
final class ClipAgreement {
  private static final double UD = 0x1p-53;

  private ClipAgreement() {}

  /**
   * Relative error of our L2 norm of n entries: float sums over blocks of {@link
   * GradientClipper#NORM_BLOCK} (γ_B with the squares' rounding), block sums added in double, √ and
   * the loss-scale division in double, and the reference's own double sum.
   */
  static double oursNorm(long n) {
    return Agreement.gamma(Math.max(1, Math.min(n, GradientClipper.NORM_BLOCK))) + 2 * (n + 8) * UD;
  }

  /**
   * Relative error of the naive norm: one float sum of n squares (γ_{n}), √ rounded to float (u),
   * one more u for the reference: γ_{n+2}. Defined only while (n+2)·u &lt; 1/2; past that the
   * worst-case bound of a plain float sum says nothing and the naive loop is not checked.
   */
  static double naiveNorm(long n) {
    return (n + 2) * Agreement.U < 0.5 ? Agreement.gamma(n + 2) : Double.NaN;
  }

  /**
   * Relative error of entries multiplied by c = θ/N̂ where N̂ errs by δ: δ/(1 − δ) for c, then the
   * quotient's and the product's float roundings and the reference's (3u).
   */
  static double scaled(double delta) {
    return delta / (1 - delta) + 3 * Agreement.U;
  }

  /**
   * Checks each implementation on its own (their bounds differ): {@code reset} restores the inputs,
   * the call clips {@code out}, and every |outᵢ − refᵢ| must be ≤ rel·|refᵢ|. An implementation
   * whose bound is NaN (undefined at this size) is skipped.
   */
  static void check(
      String what,
      double[] ref,
      float[] out,
      Runnable reset,
      Map<String, Runnable> impls,
      Map<String, Double> rel) {
    for (var e : impls.entrySet()) {
      double r = rel.get(e.getKey());
      if (Double.isNaN(r)) {
        continue;
      }
      double[] bound = new double[ref.length];
      for (int i = 0; i < ref.length; i++) {
        bound[i] = r * Math.abs(ref[i]) + Float.MIN_VALUE;
      }
      Agreement.array(
          what + " (" + e.getKey() + ")", ref, bound, out, reset, Map.of(e.getKey(), e.getValue()));
    }
  }
}
