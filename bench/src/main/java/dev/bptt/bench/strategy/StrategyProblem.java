package dev.bptt.bench.strategy;

import dev.bptt.bench.Inputs;
import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;

/**
 * The problem every strategy benchmark times: one tanh Elman RNN sequence, D = 64, H = 256, B = 1,
 * no readout, a loss at every step (dOut = ∂L/∂h_t fixed, uniform in [−1, 1)), forward and backward
 * per call, gradients accumulated (+=) as in training.
 *
 * <p>Memory is deterministic, so it is not measured: {@link #storedStates} and {@link
 * #workspaceFloats} give the hidden states and all floats a workspace holds, for the report's
 * memory ratio.
 */
public final class StrategyProblem {
  /** Input size D. */
  public static final int D = 64;

  /** Hidden size H. */
  public static final int H = 256;

  /** Batch B. */
  public static final int B = 1;

  /** The benchmarked layout (no readout). */
  public static final RnnLayout LAYOUT = new RnnLayout(D, H, 0);

  /** The benchmarked network. */
  static final ElmanRnn RNN = new ElmanRnn(LAYOUT, Activation.TANH);

  final BpttRunner runner = new BpttRunner(RNN);
  final int steps;
  final SequenceShape shape;
  final float[] params;
  final float[] grads = new float[LAYOUT.size()];
  final float[] x;
  final float[] dOut;

  /** Inputs and the upstream gradients of every step, built once: a run allocates nothing. */
  final SequenceBatch seq;

  StrategyProblem(int steps) {
    this.steps = steps;
    this.params = Inputs.uniform(1, LAYOUT.size());
    float scale = (float) (1 / Math.sqrt(H));
    for (int i = 0; i < params.length; i++) {
      params[i] *= scale;
    }
    this.x = Inputs.uniform(2, steps * B * D);
    this.dOut = Inputs.uniform(3, steps * B * H);
    this.shape = SequenceShape.steps(steps).batch(B);
    // Loss at every step (the default LossSteps.everyStep()): the upstream is dOut as it is.
    this.seq = new SequenceBatch(RNN, shape).input(x).upstream(dOut);
  }

  BpttWorkspace workspace(BpttStrategy strategy) {
    return new BpttWorkspace(RNN, shape, strategy);
  }

  /** One forward + backward under the strategy; returns a gradient element for the Blackhole. */
  float run(BpttStrategy strategy, BpttWorkspace ws) {
    runner.run(strategy, params, grads, seq, ws);
    return grads[0];
  }

  /** One forward pass of the same sequence (no backward); returns an output for the Blackhole. */
  float forward(dev.bptt.kernel.rnn.RnnWorkspace ws) {
    RNN.forward(params, seq, ws);
    return ws.hidden()[ws.hiddenOffset(steps)];
  }

  /** Forward steps the checkpointed strategy recomputes in one run at T = steps. */
  public static long recomputedSteps(BpttStrategy checkpointed, int steps) {
    StrategyProblem p = new StrategyProblem(steps);
    BpttWorkspace ws = p.workspace(checkpointed);
    p.run(checkpointed, ws);
    return ws.recomputedSteps();
  }

  /** Hidden states [B][H] a workspace for the strategy holds at T = steps (full BPTT: T + 1). */
  public static int storedStates(BpttStrategy strategy, int steps) {
    return new BpttWorkspace(RNN, SequenceShape.steps(steps).batch(B), strategy).storedStates();
  }

  /** All floats (states, δ, chains, flows) a workspace for the strategy holds at T = steps. */
  public static long workspaceFloats(BpttStrategy strategy, int steps) {
    return new BpttWorkspace(RNN, SequenceShape.steps(steps).batch(B), strategy).floats();
  }
}
