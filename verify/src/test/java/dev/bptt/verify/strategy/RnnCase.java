package dev.bptt.verify.strategy;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.RnnWorkspace;

import dev.bptt.verify.NaiveBptt;
import java.util.SplittableRandom;

/**
 * One seeded RNN problem for the strategy tests: layout, activation, parameters scaled so that
 * states neither saturate nor vanish at once (W ~ U(±1/√fan-in)), inputs, h_0, upstream
 * gradients, a loss pattern and non-zero starting gradients (so += is checked too).
 */
final class RnnCase {
  /** Which steps carry a loss. */
  enum Losses { EVERY, LAST, RANDOM }

  final RnnLayout layout;
  final Activation act;
  final ElmanRnn rnn;
  final BpttRunner runner;
  final int steps;
  final int batch;
  final float[] params;
  final float[] x;
  final float[] h0;
  final float[] dOut;
  final boolean[] lossAt;
  final float[] grads0;

  RnnCase(long seed, int d, int h, int o, int steps, int batch, Activation act, Losses losses, boolean withH0) {
    SplittableRandom r = new SplittableRandom(seed);
    this.layout = new RnnLayout(d, h, o);
    this.act = act;
    this.rnn = new ElmanRnn(layout, act);
    this.runner = new BpttRunner(rnn);
    this.steps = steps;
    this.batch = batch;
    this.params = new float[layout.size()];
    fill(r, params, layout.offWxh(), layout.wxh().length(), 1 / Math.sqrt(Math.max(1, d)));
    fill(r, params, layout.offWhh(), layout.whh().length(), 1 / Math.sqrt(h));
    fill(r, params, layout.offBh(), h, 0.1);
    fill(r, params, layout.offWhy(), layout.why().length(), 1 / Math.sqrt(h));
    fill(r, params, layout.offBy(), o, 0.1);
    this.x = array(r, steps * batch * d, 1);
    this.h0 = withH0 ? array(r, batch * h, 0.5) : null;
    this.dOut = array(r, steps * batch * layout.stepOutputSize(), 1);
    this.lossAt = switch (losses) {
      case EVERY -> null;
      case LAST -> mask(steps, t -> t == steps);
      case RANDOM -> mask(steps, t -> r.nextInt(3) != 0);
    };
    this.grads0 = array(r, layout.size(), 0.25);
  }

  /** A case with dimensions and options drawn from the seed. */
  static RnnCase random(long seed, int d, int h, int o, int steps, int batch) {
    SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
    Activation act = Activation.values()[r.nextInt(Activation.values().length)];
    Losses losses = Losses.values()[r.nextInt(Losses.values().length)];
    return new RnnCase(seed, d, h, o, steps, batch, act, losses, r.nextBoolean());
  }

  String describe() {
    return "D=" + layout.inputSize() + " H=" + layout.hiddenSize() + " O=" + layout.outputSize() + " T=" + steps
        + " B=" + batch + " " + act + " losses=" + (lossAt == null ? "every" : java.util.Arrays.toString(lossAt))
        + " h0=" + (h0 != null);
  }

  /** Gradients (from grads0) and dh0 of the fused full BPTT of {@link ElmanRnn}: the reference. */
  Result full() {
    RnnWorkspace ws = new RnnWorkspace(layout, steps, batch);
    float[] g = grads0.clone(), dh0 = new float[batch * layout.hiddenSize()];
    rnn.forward(params, ws, x, 0, h0, 0);
    rnn.backward(params, g, ws, dOut, 0, lossAt, dh0, 0, null, null);
    float[] hT = new float[batch * layout.hiddenSize()];
    System.arraycopy(ws.hidden(), ws.hiddenOffset(steps), hT, 0, hT.length);
    return new Result(g, dh0, hT, ws.hidden().clone());
  }

  /** Gradients (from grads0), dh0 and h_T of the runner under a strategy. */
  Result run(BpttStrategy strategy, BpttWorkspace ws) {
    return run(strategy, ws, grads0.clone(), null);
  }

  Result run(BpttStrategy strategy, BpttWorkspace ws, float[] grads, BpttLoss loss) {
    float[] dh0 = strategy instanceof BpttStrategy.Streaming ? null : new float[batch * layout.hiddenSize()];
    runner.run(strategy, ws, params, grads, x, 0, h0, 0, loss, dOut, 0, lossAt, dh0, 0);
    float[] hT = new float[batch * layout.hiddenSize()];
    ws.copyFinalState(hT, 0);
    return new Result(grads, dh0, hT, null);
  }

  /** Double reference from the full forward's states: reach ≥ T is full BPTT, τ is truncation. */
  NaiveBptt.Result naive(float[] states, float[] flow, int reach) {
    return NaiveBptt.backward(layout, act, params, steps, batch, x, 0, states, 0, dOut, 0, lossAt, flow, reach);
  }

  /** Gradients, ∂L/∂h_0, h_T and (for the full reference) every state. */
  record Result(float[] grads, float[] dh0, float[] hT, float[] states) {}

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
