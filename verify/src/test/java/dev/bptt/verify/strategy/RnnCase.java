package dev.bptt.verify.strategy;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StepLoss;
import dev.bptt.verify.NaiveBptt;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One seeded RNN problem for the strategy tests: layout, activation, parameters scaled so that
 * states neither saturate nor vanish at once (W ~ U(±1/√fan-in)), inputs, h_0, upstream gradients,
 * a loss pattern and non-zero starting gradients (so += is checked too).
 *
 * <p>The upstream gradients exist twice: {@link #dOut} over every step [T][B][O′] with the mask
 * {@link #lossAt} (what the double reference {@link NaiveBptt} reads), and {@link #upstream}, the
 * compact [L][B][O′] array of the loss steps {@link #losses} in increasing order (what the kernel
 * reads).
 */
final class RnnCase {
  /** Which steps carry a loss. */
  enum Losses {
    EVERY,
    LAST,
    RANDOM
  }

  final RnnLayout layout;
  final Activation act;
  final ElmanRnn rnn;
  final BpttRunner runner;
  final int steps;
  final int batch;
  final SequenceShape shape;
  final float[] params;
  final float[] x;
  final float[] h0;

  /** Upstream gradients of every step [T][B][O′] (zero where no loss), for the reference. */
  final float[] dOut;

  /** Loss steps (index t − 1), or null for every step. */
  final boolean[] lossAt;

  /** The same loss steps for the kernel. */
  final LossSteps losses;

  /** The loss steps, increasing. */
  final int[] lossSteps;

  /** Compact upstream gradients [L][B][O′] of {@link #lossSteps}, for the kernel. */
  final float[] upstream;

  final float[] grads0;

  RnnCase(
      long seed,
      int d,
      int h,
      int o,
      int steps,
      int batch,
      Activation act,
      Losses losses,
      boolean withH0) {
    SplittableRandom r = new SplittableRandom(seed);
    this.layout = new RnnLayout(d, h, o);
    this.act = act;
    this.rnn = new ElmanRnn(layout, act);
    this.runner = new BpttRunner(rnn);
    this.steps = steps;
    this.batch = batch;
    this.shape = SequenceShape.steps(steps).batch(batch);
    this.params = new float[layout.size()];
    fill(r, params, layout.offWxh(), h * d, 1 / Math.sqrt(Math.max(1, d)));
    fill(r, params, layout.offWhh(), h * h, 1 / Math.sqrt(h));
    fill(r, params, layout.offBh(), h, 0.1);
    fill(r, params, layout.offWhy(), o * h, 1 / Math.sqrt(h));
    fill(r, params, layout.offBy(), o, 0.1);
    this.x = array(r, steps * batch * d, 1);
    this.h0 = withH0 ? array(r, batch * h, 0.5) : null;
    float[] up = array(r, steps * batch * layout.stepOutputSize(), 1);
    boolean[] mask =
        switch (losses) {
          case EVERY -> null;
          case LAST -> mask(steps, t -> t == steps);
          case RANDOM -> mask(steps, t -> r.nextInt(3) != 0);
        };
    this.grads0 = array(r, layout.size(), 0.25);
    if (mask != null && count(mask) == 0) {
      // The old API allowed a sequence without any loss step, LossSteps cannot name none: the
      // same gradient (no upstream term anywhere) is a loss at every step with zero upstream.
      mask = null;
      Arrays.fill(up, 0f);
    }
    if (mask != null) {
      // Zero where no loss: the reference reads the full array with the mask only.
      int row = batch * layout.stepOutputSize();
      for (int t = 1; t <= steps; t++) {
        if (!mask[t - 1]) {
          Arrays.fill(up, (t - 1) * row, t * row, 0f);
        }
      }
    }
    this.dOut = up;
    this.lossAt = mask;
    this.lossSteps = lossSteps(mask, steps);
    this.losses = lossStepsOf(mask, steps, losses == Losses.LAST);
    this.upstream = compact(dOut, mask, steps, batch * layout.stepOutputSize());
  }

  /** A case with dimensions and options drawn from the seed. */
  static RnnCase random(long seed, int d, int h, int o, int steps, int batch) {
    SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
    Activation act = Activation.values()[r.nextInt(Activation.values().length)];
    Losses losses = Losses.values()[r.nextInt(Losses.values().length)];
    return new RnnCase(seed, d, h, o, steps, batch, act, losses, r.nextBoolean());
  }

  String describe() {
    return "D="
        + layout.inputSize()
        + " H="
        + layout.hiddenSize()
        + " O="
        + layout.outputSize()
        + " T="
        + steps
        + " B="
        + batch
        + " "
        + act
        + " losses="
        + losses
        + " h0="
        + (h0 != null);
  }

  /** A fresh sequence batch of this case: inputs, h_0, loss steps and the compact upstream. */
  SequenceBatch seq() {
    SequenceBatch s = new SequenceBatch(rnn, shape).input(x).losses(losses).upstream(upstream);
    return h0 == null ? s : s.initialState(h0);
  }

  /** A workspace of exactly this case's shape for a strategy. */
  BpttWorkspace workspace(BpttStrategy strategy) {
    return new BpttWorkspace(rnn, shape, strategy);
  }

  /** Gradients (from grads0) and dh0 of the fused full BPTT of {@link ElmanRnn}: the reference. */
  Result full() {
    RnnWorkspace ws = new RnnWorkspace(rnn, shape);
    float[] g = grads0.clone(), dh0 = new float[batch * layout.hiddenSize()];
    SequenceBatch s = seq().initialStateGradient(dh0);
    rnn.forward(params, s, ws);
    rnn.backward(params, g, s, ws);
    float[] hT = new float[batch * layout.hiddenSize()];
    System.arraycopy(ws.hidden(), ws.hiddenOffset(steps), hT, 0, hT.length);
    return new Result(g, dh0, hT, ws.hidden().clone());
  }

  /** Gradients (from grads0), dh0 and h_T of the runner under a strategy. */
  Result run(BpttStrategy strategy, BpttWorkspace ws) {
    return run(strategy, ws, grads0.clone(), null);
  }

  /**
   * Gradients (into {@code grads}), dh0 (not for streaming) and h_T of the runner under a strategy;
   * with a loss callback, the callback writes the upstream gradients into a copy of {@link
   * #upstream} (see {@link #writeUpstream}).
   */
  Result run(BpttStrategy strategy, BpttWorkspace ws, float[] grads, StepLoss loss) {
    SequenceBatch s = seq();
    if (loss != null) {
      s.upstream(new float[upstream.length]).loss(loss);
    }
    return runBatch(strategy, ws, grads, s);
  }

  /** The run of a prepared sequence batch (dh0 added unless streaming). */
  Result runBatch(BpttStrategy strategy, BpttWorkspace ws, float[] grads, SequenceBatch s) {
    float[] dh0 =
        strategy instanceof BpttStrategy.Streaming ? null : new float[batch * layout.hiddenSize()];
    s.initialStateGradient(dh0);
    runner.run(strategy, params, grads, s, ws);
    float[] hT = new float[batch * layout.hiddenSize()];
    ws.copyFinalState(hT, 0);
    return new Result(grads, dh0, hT, null);
  }

  /**
   * Writes this case's upstream block of loss step t into dy[dyOff..] (a StepLoss that only
   * observes).
   */
  void writeUpstream(int t, float[] dy, int dyOff) {
    int row = batch * layout.stepOutputSize();
    System.arraycopy(dOut, (t - 1) * row, dy, dyOff, row);
  }

  /** Double reference from the full forward's states: reach ≥ T is full BPTT, τ is truncation. */
  NaiveBptt.Result naive(float[] states, float[] flow, int reach) {
    return NaiveBptt.backward(
        layout, act, params, steps, batch, x, 0, states, 0, dOut, 0, lossAt, flow, reach);
  }

  /** Gradients, ∂L/∂h_0, h_T and (for the full reference) every state. */
  record Result(float[] grads, float[] dh0, float[] hT, float[] states) {}

  /**
   * The blocks of the loss steps of {@code full} [T][rowSize], packed in increasing step order
   * ([L][rowSize]); a copy of full when {@code lossAt} is null (every step).
   */
  static float[] compact(float[] full, boolean[] lossAt, int steps, int rowSize) {
    if (lossAt == null) {
      return Arrays.copyOf(full, steps * rowSize);
    }
    float[] c = new float[count(lossAt) * rowSize];
    int k = 0;
    for (int t = 1; t <= steps; t++) {
      if (lossAt[t - 1]) {
        System.arraycopy(full, (t - 1) * rowSize, c, k * rowSize, rowSize);
        k++;
      }
    }
    return c;
  }

  /** The steps (1-based, increasing) of a mask, or 1..T for null. */
  static int[] lossSteps(boolean[] lossAt, int steps) {
    int[] s = new int[lossAt == null ? steps : count(lossAt)];
    int k = 0;
    for (int t = 1; t <= steps; t++) {
      if (lossAt == null || lossAt[t - 1]) {
        s[k++] = t;
      }
    }
    return s;
  }

  /**
   * LossSteps of a mask with at least one step (null: every step; lastOnly: {@link
   * LossSteps#lastStep()}).
   */
  static LossSteps lossStepsOf(boolean[] lossAt, int steps, boolean lastOnly) {
    if (lossAt == null) {
      return LossSteps.everyStep();
    }
    return lastOnly ? LossSteps.lastStep() : LossSteps.at(lossSteps(lossAt, steps));
  }

  static int count(boolean[] mask) {
    int n = 0;
    for (boolean b : mask) {
      n += b ? 1 : 0;
    }
    return n;
  }

  static void fill(SplittableRandom r, float[] a, int off, int n, double scale) {
    for (int i = 0; i < n; i++) {
      a[off + i] = (float) (scale * (2 * r.nextDouble() - 1));
    }
  }

  static float[] array(SplittableRandom r, int n, double scale) {
    float[] a = new float[n];
    fill(r, a, 0, n, scale);
    return a;
  }

  static boolean[] mask(int steps, java.util.function.IntPredicate at) {
    boolean[] m = new boolean[steps];
    for (int t = 1; t <= steps; t++) {
      m[t - 1] = at.test(t);
    }
    return m;
  }
}
