package dev.bptt.bench.growth;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.spectral.Spectral;

/**
 * The trace of a linear RNN (φ = identity) without the RNN: ∂L/∂h_T = g, a seeded unit vector, and
 * δ_{t−1} = W_hhᵀ·δ_t ({@code Blas.gemvT}), which is exactly BPTT's recurrence when φ′ = 1 and the
 * loss sits on the last step. No renormalization, like BPTT itself: a norm that leaves the float
 * range shows up as 0 or ∞ in the trace, which the experiment's fit skips.
 */
public final class LinearTraceProvider implements TraceProvider {
  private final long seed;

  /**
   * @param seed seed of the loss gradient g = ∂L/∂h_T
   */
  public LinearTraceProvider(long seed) {
    this.seed = seed;
  }

  @Override
  public void trace(float[] whh, int hidden, Activation act, float[] traceOut) {
    if (act != Activation.IDENTITY) {
      throw new UnsupportedOperationException(
          "LinearTraceProvider runs the identity activation only, not " + act);
    }
    float[] delta = new float[hidden], next = new float[hidden];
    Spectral.randomStart(seed, hidden, delta, 0);
    traceOut[0] = (float) Blas.norm2(hidden, delta, 0);
    for (int k = 1; k < traceOut.length; k++) {
      Blas.gemvT(hidden, hidden, 1f, whh, 0, hidden, delta, 0, 0f, next, 0);
      traceOut[k] = (float) Blas.norm2(hidden, next, 0);
      float[] t = delta;
      delta = next;
      next = t;
    }
  }
}
