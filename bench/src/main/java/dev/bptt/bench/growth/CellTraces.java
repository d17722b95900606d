package dev.bptt.bench.growth;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.Gate;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackLayout;
import dev.bptt.kernel.rnn.StackedRnn;
import dev.bptt.kernel.spectral.Spectral;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * BPTT traces of one-layer {@link StackedRnn}s (Elman tanh, GRU, LSTM) set up so that the cells can
 * be compared at matched sizes: D = H, B = 1, h_0 (and c_0) = 0, and for every gate the same blocks
 *
 * <ul>
 *   <li>weight_hh[gate] = M, the caller's H×H matrix (so every gate sees the same spectral radius);
 *   <li>weight_ih[gate] = a·I (the growth experiment's W_xh = 0.5·I);
 *   <li>bias_ih = bias_hh = 0, except the LSTM forget gate's bias_hh block = b_f;
 * </ul>
 *
 * driven by x_t = s·ξ_t, ξ_t ~ N(0, I) seeded exactly as {@link ElmanTraceProvider} (so s = 1, a =
 * 0.5 is its input), with one loss at t = T whose ∂L/∂h_T is the same seeded unit vector g. The
 * traces are the kernel's own: h[k] = ‖∂L/∂h_{T−k}‖ from {@code traceDh} (k = T from ∂L/∂h_0), and
 * for the LSTM c[k] = ‖∂L/∂c_{T−k}‖ from {@code traceDc} (k = T from ∂L/∂c_0).
 */
public final class CellTraces {
  /** Seed of the inputs ξ and of g. */
  private final long seed;

  private final int hidden, steps;
  private final float[] xi, g;

  /** The traces of one run and the mean saturation of the forward pass. */
  public record Traces(double[] h, double[] c, double meanTanhSlope) {}

  /**
   * @param seed seed of ξ and g (the growth experiment's seed)
   * @param hidden H (= D)
   * @param steps T
   */
  public CellTraces(long seed, int hidden, int steps) {
    this.seed = seed;
    this.hidden = hidden;
    this.steps = steps;
    xi = new float[steps * hidden];
    SplittableRandom r = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
    for (int i = 0; i < xi.length; i++) {
      xi[i] = (float) r.nextGaussian();
    }
    g = new float[hidden];
    Spectral.randomStart(seed, hidden, g, 0);
  }

  /** The seed of the inputs and of g. */
  public long seed() {
    return seed;
  }

  /**
   * One forward and backward pass.
   *
   * @param cell ELMAN (tanh), GRU or LSTM
   * @param m every gate's weight_hh block, H×H row-major
   * @param inputGain a: every gate's weight_ih block is a·I
   * @param drive s: the inputs are s·ξ_t
   * @param forgetBias b_f, the LSTM forget gate's bias_hh block (ignored for the other cells)
   */
  public Traces run(CellType cell, float[] m, double inputGain, double drive, double forgetBias) {
    int h = hidden;
    StackedRnn net =
        switch (cell) {
          case ELMAN -> StackedRnn.elman(h, h, Activation.TANH);
          case GRU -> StackedRnn.gru(h, h);
          case LSTM -> StackedRnn.lstm(h, h);
        };
    StackLayout layout = net.layout();
    float[] params = new float[layout.size()];
    for (Gate gate : Gate.values()) {
      if (gate.cell() != cell) {
        continue;
      }
      var whh = layout.weightHh(0, gate, params);
      System.arraycopy(m, 0, whh.array(), whh.offset(), h * h);
      var wih = layout.weightIh(0, gate, params);
      for (int i = 0; i < h; i++) {
        wih.array()[wih.offset() + i * h + i] = (float) inputGain;
      }
    }
    if (cell == CellType.LSTM) {
      var bf = layout.biasHh(0, Gate.FORGET, params);
      Arrays.fill(bf.array(), bf.offset(), bf.offset() + bf.length(), (float) forgetBias);
    }
    float[] x = new float[xi.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (drive * xi[i]);
    }
    boolean lstm = cell == CellType.LSTM;
    float[] traceDh = new float[steps], traceDc = lstm ? new float[steps] : null;
    float[] d0 = new float[net.stateSize()];
    SequenceShape shape = SequenceShape.steps(steps);
    SequenceBatch seq =
        new SequenceBatch(net, shape)
            .input(x)
            .losses(LossSteps.lastStep())
            .upstream(g)
            .initialStateGradient(d0)
            .traceDh(traceDh)
            .traceDc(traceDc);
    RnnWorkspace ws = new RnnWorkspace(net, shape);
    net.forward(params, seq, ws);
    net.backward(params, new float[layout.size()], seq, ws);
    double slope = 0;
    float[] out = ws.output();
    for (int t = 1; t <= steps; t++) {
      int at = ws.outputOffset(t);
      for (int i = 0; i < h; i++) {
        slope += 1 - (double) out[at + i] * out[at + i];
      }
    }
    double[] th = new double[steps + 1];
    double[] tc = lstm ? new double[steps + 1] : null;
    for (int k = 0; k < steps; k++) {
      th[k] = traceDh[steps - 1 - k];
      if (lstm) {
        tc[k] = traceDc[steps - 1 - k];
      }
    }
    th[steps] = Blas.norm2(h, d0, 0);
    if (lstm) {
      tc[steps] = Blas.norm2(h, d0, h);
    }
    return new Traces(th, tc, slope / ((double) steps * h));
  }
}
