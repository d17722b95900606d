package dev.bptt.kernel.bptt;

import dev.bptt.kernel.internal.Checks;
import java.util.random.RandomGenerator;

/**
 * Truncation probabilities c_t for randomized unbiased truncation (ARTBP, Tallec &amp; Ollivier
 * 2017), as a function of Δt, the number of steps since the last truncation (or since the start of
 * the sequence). A truncation at step t cuts the flow from δ_{t+1} into δ_t; where the flow is kept
 * it is multiplied by 1/(1 − c_t). Since E[(1 − ε_t)/(1 − c_t) | past] = 1 for ε_t ~
 * Bernoulli(c_t), every product of factors along a gradient path has expectation 1 and the
 * estimated gradient is unbiased (the paper's Proposition 1), even though c_t depends on earlier
 * draws.
 */
public sealed interface TruncationSchedule {

  /**
   * Constant c: segment lengths are geometric with mean 1/c. The product of compensations over a
   * segment grows like (1 − c)^{−n}, so the variance grows exponentially with the reach the
   * gradient needs (the paper's argument for the polynomial tail).
   *
   * @param c probability in [0, 1)
   */
  static Constant constant(double c) {
    return new Constant(c);
  }

  /**
   * The paper's polynomial tail (its Eq. 14): c_t = (α − 1)/((α − 2)·L₀ + Δt). With Δt counted from
   * 1 the survival P(length &gt; n) = Π_{k=1..n}(1 − c_k) telescopes to a ratio of Gamma functions,
   * and the mean segment length is exactly L₀; the tail P(length &gt; n) ~ n^{1−α} has finite
   * variance for α &gt; 3 (the paper uses α = 4 or 6) and compensations that grow only
   * polynomially.
   *
   * @param meanLength L₀ &gt; 1 (so that c_1 &lt; 1)
   * @param alpha α &gt; 2 (so that the mean exists)
   */
  static PolynomialTail polynomialTail(double meanLength, double alpha) {
    return new PolynomialTail(meanLength, alpha);
  }

  /**
   * c as a function of Δt.
   *
   * @param sinceLast Δt ≥ 1, steps since the last truncation
   * @return c in [0, 1)
   */
  double probability(int sinceLast);

  /**
   * Draws the truncation points of one sequence of T steps and writes the flow factors the backward
   * pass uses: flow[0] = 1 (the flow into h_0 is never cut: h_0 is where the sequence starts), and
   * for t = 1..T−1, in increasing t, one draw u = random.nextDouble(): truncate (flow[t] = 0, Δt
   * restarts) if u &lt; c(Δt), else flow[t] = (float) (1/(1 − c(Δt))). Exactly T − 1 draws, so two
   * generators in the same state give the same flows.
   *
   * @param random the generator (advanced by T − 1 draws)
   * @param steps T ≥ 1
   * @param flow receives the factors at flowOff..flowOff+T−1
   * @param flowOff offset into flow
   * @return the number of truncation points drawn
   */
  default int sample(RandomGenerator random, int steps, float[] flow, int flowOff) {
    Checks.notNull("random", random);
    Checks.positive("steps (T)", steps);
    Checks.vector("flow", flow, flowOff, steps);
    return sampleUnchecked(random, steps, flow, flowOff);
  }

  /** {@link #sample} without the checks. */
  private int sampleUnchecked(RandomGenerator random, int steps, float[] flow, int flowOff) {
    flow[flowOff] = 1f;
    int cuts = 0, sinceLast = 0;
    for (int t = 1; t < steps; t++) {
      sinceLast++;
      double c = probability(sinceLast);
      if (random.nextDouble() < c) {
        flow[flowOff + t] = 0f;
        cuts++;
        sinceLast = 0;
      } else {
        flow[flowOff + t] = (float) (1 / (1 - c));
      }
    }
    return cuts;
  }

  private static void checkSinceLast(int sinceLast) {
    Checks.positive("steps since the last truncation", sinceLast);
  }

  /**
   * See {@link #constant(double)}.
   *
   * @param c probability in [0, 1)
   */
  record Constant(double c) implements TruncationSchedule {
    /** Validates c. */
    public Constant {
      if (!(c >= 0 && c < 1)) {
        throw new IllegalArgumentException("truncation probability c must be in [0, 1), got " + c);
      }
    }

    @Override
    public double probability(int sinceLast) {
      checkSinceLast(sinceLast);
      return c;
    }
  }

  /**
   * See {@link #polynomialTail(double, double)}.
   *
   * @param meanLength L₀ &gt; 1
   * @param alpha α &gt; 2
   */
  record PolynomialTail(double meanLength, double alpha) implements TruncationSchedule {
    /** Validates L₀ and α. */
    public PolynomialTail {
      if (!(meanLength > 1) || Double.isInfinite(meanLength)) {
        throw new IllegalArgumentException(
            "mean segment length L0 must be finite and > 1, got " + meanLength);
      }
      if (!(alpha > 2) || Double.isInfinite(alpha)) {
        throw new IllegalArgumentException(
            "alpha must be finite and > 2 (4 or 6 in the paper), got " + alpha);
      }
    }

    @Override
    public double probability(int sinceLast) {
      checkSinceLast(sinceLast);
      // < 1 exactly (L0 > 1), but it rounds to 1.0 for α and L0 just above their bounds at Δt = 1:
      // the largest double below 1 is then the nearest value in the documented [0, 1)
      return Math.min(Math.nextDown(1.0), (alpha - 1) / ((alpha - 2) * meanLength + sinceLast));
    }
  }
}
