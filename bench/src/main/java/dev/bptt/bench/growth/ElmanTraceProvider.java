package dev.bptt.bench.growth;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.spectral.Spectral;
import java.util.SplittableRandom;

/**
 * The growth experiment's trace from the real thing: an {@link ElmanRnn} (D = H, no readout) with
 * the given W_hh, W_xh = s·I and b_h = 0, driven by seeded inputs x_t ~ N(0, 1) (so the projected
 * input W_xh·x_t ~ N(0, s²)), h_0 = 0, and a loss on the last step only with ∂L/∂h_T = g, the same
 * seeded unit vector as {@link LinearTraceProvider}. The trace is the BPTT pass's own per-step
 * ‖∂L/∂h_t‖ ({@code traceDh}), with ‖∂L/∂h_0‖ from its dh0 output.
 */
public final class ElmanTraceProvider implements TraceProvider {
  private final long seed;
  private final double inputStd;

  /**
   * @param seed seed of the inputs and of g
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
    int wxh = layout.offWxh();
    for (int i = 0; i < hidden; i++) {
      params[wxh + i * hidden + i] = (float) inputStd;
    }
    System.arraycopy(whh, 0, params, layout.offWhh(), hidden * hidden);
    float[] x = new float[steps * hidden];
    SplittableRandom r = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    // One loss, at step T: the compact upstream holds the single block ∂L/∂h_T = g.
    float[] g = new float[hidden];
    Spectral.randomStart(seed, hidden, g, 0);
    float[] traceDh = new float[steps];
    float[] dh0 = new float[hidden];
    SequenceShape shape = SequenceShape.steps(steps);
    SequenceBatch seq =
        new SequenceBatch(rnn, shape)
            .input(x)
            .losses(LossSteps.lastStep())
            .upstream(g)
            .initialStateGradient(dh0)
            .traceDh(traceDh)
            .traceDelta(null);
    RnnWorkspace ws = new RnnWorkspace(rnn, shape);
    rnn.forward(params, seq, ws);
    rnn.backward(params, new float[layout.size()], seq, ws);
    for (int k = 0; k < steps; k++) {
      traceOut[k] = traceDh[steps - 1 - k];
    }
    traceOut[steps] = (float) Blas.norm2(hidden, dh0, 0);
  }
}
