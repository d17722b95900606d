package dev.bptt.verify.gated;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackLayout;
import dev.bptt.kernel.rnn.StackedRnn;
import dev.bptt.verify.NaiveStack;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One seeded stacked-RNN problem: cell, activation (Elman), sizes, parameters, inputs, a non-zero
 * initial state, upstream gradients with a loss pattern (every, last or random steps), non-zero
 * starting gradients (so += is checked), every kernel array at an offset between NaN canaries.
 *
 * <p>Weights are U(±2/(D_k + H)) so that Σ_j|W_ij| ≈ 1: the recurrent maps are at most mildly
 * expanding and the running error bounds of {@link NaiveStack} stay informative over the steps;
 * biases U(±0.5), inputs U(±1), h_0 U(±0.5), c_0 U(±1), upstream U(±1), starting gradients U(±0.1).
 *
 * <p>Dimensions (what {@link dev.bptt.verify.Shrink} halves): {@code {T, B, D, H, layers, O}}.
 *
 * <p>Layer normalization ({@link StackedRnn#withLayerNorm()}): a seed's case has it or not with
 * probability ½ ({@link #layerNorm(long)}, independent of the other draws, which it leaves as they
 * were), so every property test over seeded cases covers both; γ = 0.03·(1 + U(±⅔)), β = U(±0.5),
 * drawn from their own stream after everything else. γ is small for the float bounds: LN's Jacobian
 * is s·γ⊙(I − 11ᵀ/n − x̂x̂ᵀ/n) with s = 1/√(σ² + ε), and as LN(W·h) does not depend on W's scale,
 * s·Σ_j|W_ij| ≈ √H/rms(h) is not small, so the running bound (which adds magnitudes, and cannot see
 * that the kernel's errors are small where the Jacobian is) grows by about γ·s·Σ|W| per step; at γ
 * ≈ 1 it passes 1 within a few steps and the bounds of most cases became infinite (measured: over
 * 200 seeds, nearly every LN case), at 0.03 it stays near or below 1. The double reference's
 * finite-difference check uses γ ≈ 1 (its unit roundoff leaves room).
 */
final class GatedCase {
  static final float CANARY = Float.intBitsToFloat(0x7fc0c0de);
  static final int T = 0, B = 1, D = 2, H = 3, LAYERS = 4, O = 5;

  /** The centre of layer normalization's γ = GAMMA·(1 + U(±⅔)) (see the class comment). */
  static final float GAMMA = 0.03f;

  final long seed;
  final StackLayout layout;
  final Activation act;
  final StackedRnn net;
  final BpttRunner runner;
  final int steps, batch;
  final SequenceShape shape;

  /** Parameters: layout.size() floats, then canaries. */
  final float[] params;

  final float[] x;
  final int xOff;
  final float[] s0;
  final int s0Off;

  /** Upstream gradients of every step [T][B][O′], zero where no loss (for the reference). */
  final float[] dOut;

  final boolean[] lossAt;
  final LossSteps losses;
  final float[] upstream;
  final int upOff;

  /** Starting gradients (layout.size() floats, then canaries). */
  final float[] grads0;

  /** The sizes {T, B, D, H, layers, O}; null when a shrunk array describes no case. */
  static int[] dims(long seed) {
    SplittableRandom r = new SplittableRandom(seed * 31 + 7);
    int[] edge = {1, 3, 7, 15, 17, 33};
    int h = r.nextInt(3) == 0 ? 1 + r.nextInt(20) : edge[r.nextInt(edge.length)];
    int d = r.nextInt(4) == 0 ? r.nextInt(6) : edge[r.nextInt(edge.length)];
    int layers = 1 + r.nextInt(3);
    // Keep the reference's work (∝ T·B·layers·G·H·(D+H)) modest.
    int batch = r.nextInt(4) == 0 ? 1 + r.nextInt(33) : 1 + r.nextInt(4);
    int steps = 1 + r.nextInt(batch * h > 100 ? 4 : 12);
    int o = r.nextBoolean() ? 0 : 1 + r.nextInt(4);
    return new int[] {steps, batch, d, h, layers, o};
  }

  static boolean valid(int[] d) {
    return d[T] >= 1 && d[B] >= 1 && d[D] >= 0 && d[H] >= 1 && d[LAYERS] >= 1 && d[O] >= 0;
  }

  /** The cell of a seed's case: the three cells in turn. */
  static CellType cell(long seed) {
    return CellType.values()[(int) Math.floorMod(seed, 3L)];
  }

  GatedCase(long seed, CellType cell, int[] d) {
    this(seed, cell, d, null, layerNorm(seed));
  }

  /** Whether a seed's case has layer normalization: ½, from a stream of its own. */
  static boolean layerNorm(long seed) {
    return new SplittableRandom(seed ^ 0x4c4e4c4e4c4eL).nextBoolean();
  }

  /** A case without layer normalization. */
  GatedCase(long seed, CellType cell, int[] d, Integer pattern) {
    this(seed, cell, d, pattern, false);
  }

  /**
   * @param pattern 0 every step, 1 last step, 2 random steps; null: drawn from the seed
   * @param ln with layer normalization
   */
  GatedCase(long seed, CellType cell, int[] d, Integer pattern, boolean ln) {
    this(seed, cell, d, pattern, ln, GAMMA);
  }

  /**
   * @param gamma the centre of layer normalization's γ (spread ⅔ of it): {@link #GAMMA} keeps the
   *     float bounds informative, 1 (PyTorch's initialization) suits the double reference's checks
   */
  GatedCase(long seed, CellType cell, int[] d, Integer pattern, boolean ln, float gamma) {
    this.seed = seed;
    SplittableRandom r = new SplittableRandom(seed);
    this.layout = new StackLayout(cell, d[D], d[H], d[LAYERS], d[O], ln);
    Activation[] acts = Activation.values();
    this.act = cell == CellType.ELMAN ? acts[r.nextInt(acts.length)] : Activation.TANH;
    this.net = StackedRnn.of(layout, act);
    this.runner = new BpttRunner(net);
    this.steps = d[T];
    this.batch = d[B];
    this.shape = SequenceShape.steps(steps).batch(batch);
    int n = layout.size();
    this.params = new float[n + 3];
    Arrays.fill(params, CANARY);
    for (int k = 0; k < layout.layers(); k++) {
      double w = 2.0 / (layout.layerInputSize(k) + layout.hiddenSize());
      fill(r, params, layout.offWeightIh(k), layout.gateRows() * layout.layerInputSize(k), w);
      fill(r, params, layout.offWeightHh(k), layout.gateRows() * layout.hiddenSize(), w);
      fill(r, params, layout.offBiasIh(k), 2 * layout.gateRows(), 0.5);
    }
    fill(r, params, layout.offReadoutWeight(), d[O] * d[H], 2.0 / d[H]);
    fill(r, params, layout.offReadoutBias(), d[O], 0.5);
    int dIn = d[D];
    this.xOff = r.nextInt(4);
    this.x = padded(r, xOff, steps * batch * dIn, 1.0);
    this.s0Off = r.nextInt(4);
    int stateN = batch * net.stateSize();
    this.s0 = padded(r, s0Off, stateN, 0.5);
    if (cell == CellType.LSTM) {
      int hn = layout.layers() * batch * d[H];
      for (int i = 0; i < hn; i++) {
        s0[s0Off + hn + i] *= 2;
      }
    }
    int p = pattern != null ? pattern : r.nextInt(3);
    if (p == 0) {
      lossAt = null;
      losses = LossSteps.everyStep();
    } else if (p == 1) {
      lossAt = new boolean[steps];
      lossAt[steps - 1] = true;
      losses = LossSteps.lastStep();
    } else {
      lossAt = new boolean[steps];
      int c = 0;
      for (int t = 0; t < steps; t++) {
        lossAt[t] = r.nextInt(3) == 0;
        c += lossAt[t] ? 1 : 0;
      }
      if (c == 0) {
        lossAt[r.nextInt(steps)] = true;
      }
      losses = LossSteps.at(lossSteps());
    }
    int w = layout.stepOutputSize(), row = batch * w;
    this.dOut = new float[steps * row];
    int count = 0;
    for (int t = 1; t <= steps; t++) {
      if (hasLoss(t)) {
        fill(r, dOut, (t - 1) * row, row, 1.0);
        count++;
      }
    }
    this.upOff = r.nextInt(4);
    this.upstream = new float[upOff + count * row + 3];
    Arrays.fill(upstream, CANARY);
    int k = 0;
    for (int t = 1; t <= steps; t++) {
      if (hasLoss(t)) {
        System.arraycopy(dOut, (t - 1) * row, upstream, upOff + k * row, row);
        k++;
      }
    }
    this.grads0 = new float[n + 3];
    Arrays.fill(grads0, CANARY);
    fill(r, grads0, 0, n, 0.1);
    if (ln) {
      SplittableRandom q = new SplittableRandom(~seed);
      for (int l = 0; l < layout.layers(); l++) {
        int g = layout.offLayerNormWeight(l);
        fill(q, params, g, layout.gateRows(), gamma * 2 / 3);
        for (int i = 0; i < layout.gateRows(); i++) {
          params[g + i] += gamma;
        }
        fill(q, params, layout.offLayerNormBias(l), layout.gateRows(), 0.5);
      }
    }
  }

  boolean hasLoss(int t) {
    return lossAt == null || lossAt[t - 1];
  }

  int[] lossSteps() {
    return java.util.stream.IntStream.rangeClosed(1, steps).filter(this::hasLoss).toArray();
  }

  String describe() {
    return net
        + " T="
        + steps
        + " B="
        + batch
        + " losses="
        + losses
        + " offsets x="
        + xOff
        + " s0="
        + s0Off
        + " up="
        + upOff;
  }

  // ---- the reference ----

  NaiveStack reference(NaiveStack.Model model) {
    return new NaiveStack(layout, act, model);
  }

  double[] paramsD() {
    return toDouble(params, 0, layout.size());
  }

  double[] xD() {
    return toDouble(x, xOff, steps * batch * layout.inputSize());
  }

  double[] s0D() {
    return toDouble(s0, s0Off, batch * net.stateSize());
  }

  double[] dOutD() {
    return toDouble(dOut, 0, dOut.length);
  }

  double[] grads0D() {
    return toDouble(grads0, 0, layout.size());
  }

  static double[] toDouble(float[] a, int off, int n) {
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      r[i] = a[off + i];
    }
    return r;
  }

  // ---- kernel runs ----

  /** A sequence holder for this case with fresh output arrays (canaried). */
  Outputs outputs() {
    return new Outputs(this);
  }

  /** Kernel outputs with canaries: grads, ∂L/∂s_0 at an offset, traces with a canary tail. */
  static final class Outputs {
    final float[] grads;
    final float[] ds0;
    final int ds0Off;
    final float[] traceDh, traceDc, traceDelta;
    final SequenceBatch seq;
    private final GatedCase c;

    Outputs(GatedCase c) {
      this.c = c;
      grads = c.grads0.clone();
      ds0Off = 1 + (int) Math.floorMod(c.seed, 3L);
      ds0 = new float[ds0Off + c.batch * c.net.stateSize() + 2];
      Arrays.fill(ds0, CANARY);
      traceDh = canaries(c.steps + 2);
      traceDelta = canaries(c.steps + 2);
      traceDc = c.layout.cell() == CellType.LSTM ? canaries(c.steps + 2) : null;
      seq =
          new SequenceBatch(c.net, c.shape)
              .input(c.x, c.xOff)
              .initialState(c.s0, c.s0Off)
              .losses(c.losses)
              .upstream(c.upstream, c.upOff)
              .traceDh(traceDh)
              .traceDc(traceDc)
              .traceDelta(traceDelta);
    }

    Outputs withInitialStateGradient() {
      seq.initialStateGradient(ds0, ds0Off);
      return this;
    }

    /** Null if every canary (grads tail, around ∂L/∂s_0, trace tails) is intact. */
    String canariesIntact(boolean ds0Written) {
      int n = c.layout.size();
      for (int i = n; i < grads.length; i++) {
        if (!isCanary(grads[i])) {
          return "grads[" + i + "] past the layout was written: " + grads[i];
        }
      }
      int s = c.batch * c.net.stateSize();
      for (int i = 0; i < ds0.length; i++) {
        boolean inside = ds0Written && i >= ds0Off && i < ds0Off + s;
        if (!inside && !isCanary(ds0[i])) {
          return "ds0[" + i + "] outside ∂L/∂s_0 was written: " + ds0[i];
        }
      }
      for (float[] tr : new float[][] {traceDh, traceDc, traceDelta}) {
        if (tr != null) {
          for (int i = c.steps; i < tr.length; i++) {
            if (!isCanary(tr[i])) {
              return "trace[" + i + "] past T was written: " + tr[i];
            }
          }
        }
      }
      return null;
    }
  }

  static boolean isCanary(float v) {
    return Float.floatToRawIntBits(v) == Float.floatToRawIntBits(CANARY);
  }

  static float[] canaries(int n) {
    float[] a = new float[n];
    Arrays.fill(a, CANARY);
    return a;
  }

  /** Runs a strategy on a fresh workspace (capacity = the case's shape) into fresh outputs. */
  Outputs run(BpttStrategy strategy, boolean ds0) {
    Outputs out = outputs();
    if (ds0) {
      out.withInitialStateGradient();
    }
    runner.run(strategy, params, out.grads, out.seq, new BpttWorkspace(net, shape, strategy));
    return out;
  }

  // ---- comparisons ----

  /** Null if |got[gOff + i] − ref[i]| ≤ err[i] for all i (NaN fails), else a message. */
  static String within(String what, float[] got, int gOff, double[] ref, double[] err) {
    for (int i = 0; i < ref.length; i++) {
      double diff = Math.abs(got[gOff + i] - ref[i]);
      if (!(diff <= err[i])) {
        return what
            + "["
            + i
            + "]: kernel "
            + got[gOff + i]
            + ", reference "
            + ref[i]
            + ", |diff| "
            + diff
            + " > bound "
            + err[i];
      }
    }
    return null;
  }

  private static void fill(SplittableRandom r, float[] a, int off, int n, double scale) {
    for (int i = 0; i < n; i++) {
      a[off + i] = (float) (scale * (2 * r.nextDouble() - 1));
    }
  }

  private static float[] padded(SplittableRandom r, int off, int n, double scale) {
    float[] a = new float[off + n + 3];
    Arrays.fill(a, CANARY);
    fill(r, a, off, n, scale);
    return a;
  }
}
