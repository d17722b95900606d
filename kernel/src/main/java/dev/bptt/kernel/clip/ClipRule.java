package dev.bptt.kernel.clip;

/**
 * How a norm clip turns the pre-clip norm N and the threshold θ into the coefficient c that
 * multiplies the gradient (g ← c·g). Both rules give c ≤ 1 and c = θ/N up to the PyTorch ε; they
 * differ at the edge and in when c is applied.
 */
public enum ClipRule {
  /**
   * PyTorch {@code clip_grad_norm_}: c = min(1, θ / (N + 10⁻⁶)), always applied. After a clip the
   * norm is θ·N/(N + 10⁻⁶), slightly below θ; a norm in (θ − 10⁻⁶, θ] is still scaled by a factor
   * just under 1; N = 0 gives c = 1.
   */
  PYTORCH {
    @Override
    double rule(double maxNorm, double norm) {
      return Math.min(1.0, maxNorm / (norm + PYTORCH_EPSILON));
    }
  },
  /**
   * Strict rule of d2l 9.5 and Pascanu et al. 2013 (Algorithm 1): c = θ/N when N &gt; θ, else c = 1
   * (the gradient is left bitwise untouched). After a clip the norm is θ up to rounding. Pascanu's
   * paper writes N ≥ θ; at N = θ both give c = 1, so the rules agree.
   */
  STRICT {
    @Override
    double rule(double maxNorm, double norm) {
      return norm > maxNorm ? maxNorm / norm : 1.0;
    }
  };

  /** The ε PyTorch adds to the norm before dividing: 10⁻⁶. */
  public static final double PYTORCH_EPSILON = 1e-6;

  /**
   * The coefficient c ∈ [0, 1] this rule applies for threshold θ = {@code maxNorm} and a finite
   * pre-clip norm N = {@code norm} ≥ 0, computed in double.
   *
   * @param maxNorm θ ≥ 0 (may be +∞: then c = 1)
   * @param norm N ≥ 0, finite
   * @return PYTORCH: min(1, θ/(N + 10⁻⁶)); STRICT: θ/N if N &gt; θ, else 1
   * @throws IllegalArgumentException if θ is NaN or negative, or N is NaN, negative or infinite
   */
  public final double coefficient(double maxNorm, double norm) {
    if (!(maxNorm >= 0)) {
      throw new IllegalArgumentException("maxNorm must be >= 0 (or +Infinity), got " + maxNorm);
    }
    if (!(norm >= 0) || norm == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException("norm must be finite and >= 0, got " + norm);
    }
    return rule(maxNorm, norm);
  }

  /** The rule itself, for checked arguments. */
  abstract double rule(double maxNorm, double norm);
}
