package dev.bptt.bench.growth;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.spectral.Spectral;

import java.util.SplittableRandom;

/**
 * The growth experiment's trace from the real thing: an {@link ElmanRnn} (D = H, no readout) with
 * the given W_hh, W_xh = s·I and b_h = 0, driven by seeded inputs x_t ~ N(0, 1) (so the projected
 * input W_xh·x_t ~ N(0, s²)), h_0 = 0, and a loss on the last step only with ∂L/∂h_T = g, the
 * same seeded unit vector as {@link LinearTraceProvider}. The trace is the BPTT pass's own
 * per-step ‖∂L/∂h_t‖ ({@code traceDh}), with ‖∂L/∂h_0‖ from its dh0 output.
 */
public final class ElmanTraceProvider implements TraceProvider {
  private final long seed;
  private final double inputStd;

  /**
   * @param seed     seed of the inputs and of g
   * @param inputStd s, the scale of the projected inputs
   */
  public ElmanTraceProvider(long seed, double inputStd) {
    this.seed = seed;
    this.inputStd = inputStd;
  }

  @Override
  public void trace(float[] whh, int hidden, Activation act, float[] traceOut) {
    int steps = traceOut.length - 1;
    RnnLayout layout = new RnnLayout(hidden, hidden, 0);
    ElmanRnn rnn = new ElmanRnn(layout, act);
    float[] params = new float[layout.size()];
    RnnLayout.View wxh = layout.wxh();
    for (int i = 0; i < hidden; i++) {
      params[wxh.offset() + i * hidden + i] = (float) inputStd;
    }
    System.arraycopy(whh, 0, params, layout.offWhh(), hidden * hidden);
    float[] x = new float[steps * hidden];
    SplittableRandom r = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    RnnWorkspace ws = new RnnWorkspace(layout, steps, 1);
    rnn.forward(params, ws, x, 0, null, 0);
    float[] dOut = new float[steps * hidden];
    Spectral.randomStart(seed, hidden, dOut, (steps - 1) * hidden); // ∂L/∂h_T = g
    boolean[] lossAt = new boolean[steps];
    lossAt[steps - 1] = true;
    float[] traceDh = new float[steps];
    float[] dh0 = new float[hidden];
    rnn.backward(params, new float[layout.size()], ws, dOut, 0, lossAt, dh0, 0, traceDh, null);
    for (int k = 0; k < steps; k++) {
      traceOut[k] = traceDh[steps - 1 - k];
    }
    traceOut[steps] = (float) dev.bptt.kernel.blas.Blas.norm2(hidden, dh0, 0);
  }
}
