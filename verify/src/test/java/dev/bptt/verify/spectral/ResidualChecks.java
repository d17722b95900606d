package dev.bptt.verify.spectral;

import dev.bptt.kernel.spectral.SpectralEstimate;
import dev.bptt.verify.Tolerance;

/** Checks that a residual the kernel reports is the true one up to its own rounding. */
final class ResidualChecks {
  private ResidualChecks() {}

  /**
   * For {@code symmetricDominant}: the kernel forms ŵ = fl(A·v) (error ≤ γ_{2n+2}·F·‖v‖ with F =
   * ‖A‖_F), r̂ = fl(ŵ − θ·v) (one axpy element: ≤ γ₂(|ŵᵢ| + |θvᵢ|), so ≤ γ₂·2F‖v‖(1 + γ) in norm,
   * as |θ| ≤ F), and ‖r̂‖ with relative error γ_{n+1}. With the true ‖Av − θv‖ = rTrue: |reported −
   * rTrue| ≤ slack + γ_{n+1}(rTrue + slack), slack = (γ_{2n+2} + 2γ₂(1+γ_{2n+2}))·F‖v‖.
   *
   * @return null when within the bound, else a message
   */
  static String symmetricResidualHonest(
      SpectralEstimate est, float[] a, int n, double frob, double[] v, double rTrue) {
    double g = SpectralBounds.gemvGamma(n);
    double slack = (g + 2 * Tolerance.gamma(2) * (1 + g)) * frob * Spectra.norm(v);
    double bound = slack + SpectralBounds.normRel(n) * (rTrue + slack);
    if (Math.abs(est.residual() - rTrue) > bound) {
      return "reported residual "
          + est.residual()
          + " differs from the true "
          + rTrue
          + " by more than "
          + bound;
    }
    return null;
  }
}
