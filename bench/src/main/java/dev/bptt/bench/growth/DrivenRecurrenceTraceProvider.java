package dev.bptt.bench.growth;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.spectral.Spectral;
import java.util.SplittableRandom;

/**
 * A stand-in for the Elman RNN's trace that also runs nonlinear activations: the recurrence h_t =
 * φ(W_hh·h_{t−1} + x_t), h_0 = 0, driven by seeded pre-projected inputs x_t ~ N(0, s²) (what
 * W_xh·x_t + b would contribute), with ∂L/∂h_T = g a seeded unit vector. Backward, as BPTT: δ_{t−1}
 * = W_hhᵀ·(φ′(z_t) ⊙ δ_t), φ′ from the stored h_t ({@code Blas.activationGrad}). For φ = identity
 * this is {@link LinearTraceProvider}'s recurrence with the same g, so the two give the same
 * identity traces.
 */
public final class DrivenRecurrenceTraceProvider implements TraceProvider {
  private final long seed;
  private final double inputStd;

  /**
   * @param seed seed of the inputs and of g
   * @param inputStd s, the standard deviation of each input component
   */
  public DrivenRecurrenceTraceProvider(long seed, double inputStd) {
    this.seed = seed;
    this.inputStd = inputStd;
  }

  @Override
  public void trace(float[] whh, int hidden, Activation act, float[] traceOut) {
    int steps = traceOut.length - 1;
    float[] h = new float[(steps + 1) * hidden]; // h[t] at t·H, h_0 = 0
    if (act
        != Activation.IDENTITY) { // φ′ = 1 needs no forward pass (and a linear one may overflow)
      SplittableRandom r = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
      for (int t = 1; t <= steps; t++) {
        int at = t * hidden;
        for (int i = 0; i < hidden; i++) {
          h[at + i] = (float) (inputStd * r.nextGaussian());
        }
        Blas.gemv(hidden, hidden, 1f, whh, 0, hidden, h, at - hidden, 1f, h, at);
        Blas.activate(act, hidden, h, at, h, at);
      }
    }
    float[] delta = new float[hidden], e = new float[hidden];
    Spectral.randomStart(seed, hidden, delta, 0); // the same g as LinearTraceProvider(seed)
    traceOut[0] = (float) Blas.norm2(hidden, delta, 0);
    for (int t = steps; t >= 1; t--) {
      Blas.activationGrad(act, hidden, h, t * hidden, delta, 0, e, 0);
      Blas.gemvT(hidden, hidden, 1f, whh, 0, hidden, e, 0, 0f, delta, 0);
      traceOut[steps - t + 1] = (float) Blas.norm2(hidden, delta, 0);
    }
  }
}
