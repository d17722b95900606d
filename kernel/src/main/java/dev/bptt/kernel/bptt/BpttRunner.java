package dev.bptt.kernel.bptt;

import dev.bptt.kernel.internal.Checks;
import dev.bptt.kernel.rnn.RecurrentNetwork;
import dev.bptt.kernel.rnn.SequenceBatch;

/**
 * Forward pass and backpropagation through time for one batch of sequences under a {@link
 * BpttStrategy} chosen per call, for any {@link RecurrentNetwork}. For the Elman RNN:
 *
 * <pre>
 *   h_t = φ(W_xh·x_t + W_hh·h_{t−1} + b_h),   y_t = W_hy·h_t + b_y (optional),   t = 1..T
 *   δ_t = (∂L/∂h_t + W_hhᵀ·δ_{t+1}) ⊙ φ′(h_t)   (full; the strategies cut or reweight the W_hhᵀ term)
 *   dW_hh += Σ_t δ_t·h_{t−1}ᵀ,  dW_xh += Σ_t δ_t·x_tᵀ,  db_h += Σ_t δ_t,  dW_hy += Σ_t dy_t·h_tᵀ,  db_y += Σ_t dy_t
 * </pre>
 *
 * (sums also over the batch). The inputs, initial state, loss steps and upstream gradients (or a
 * loss callback) come in a {@link SequenceBatch}; all buffers live in a {@link BpttWorkspace} sized
 * for the strategy: a run allocates nothing.
 *
 * <p>Example, checkpointed BPTT of one sequence with a loss at the last step:
 *
 * <pre>{@code
 * ElmanRnn rnn = new ElmanRnn(new RnnLayout(d, h, o), Activation.TANH);
 * SequenceShape shape = SequenceShape.steps(t);
 * SequenceBatch seq = new SequenceBatch(rnn, shape).input(x).losses(LossSteps.lastStep()).upstream(dy);
 * BpttWorkspace ws = new BpttWorkspace(rnn, shape, BpttStrategy.checkpointed());
 * new BpttRunner(rnn).run(BpttStrategy.checkpointed(), params, grads, seq, ws);
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe; all mutable state is in the workspace.
 */
public final class BpttRunner {
  private final RecurrentNetwork net;

  /**
   * @param net the network whose kernels the runner drives
   */
  public BpttRunner(RecurrentNetwork net) {
    Checks.notNull("net", net);
    this.net = net;
  }

  /** The network. */
  public RecurrentNetwork network() {
    return net;
  }

  /**
   * Runs the forward pass and the backward pass of {@code strategy}, accumulating the gradient into
   * {@code grads} ({@code +=}). Every argument is checked before anything is written (or any random
   * number drawn). The sequence's arrays are read during the call only; they must not change while
   * it runs (a window listener may change {@code params} between windows).
   *
   * <p>Per strategy: full and checkpointed add the exact gradient (bitwise the same); truncated(τ)
   * adds Σ_s of the gradient of the loss at s through steps s..max(1, s−τ+1); randomized adds the
   * ARTBP estimate; streaming adds one gradient per window, calling the strategy's listener after
   * each (see {@link BpttStrategy.Streaming}). Traces and ∂L/∂h_0 are written when the sequence
   * asks for them (∂L/∂h_0 not with streaming, whose windows detach the state; a streaming trace
   * entry holds the last window that reached its step).
   *
   * @param strategy which gradient to compute
   * @param params flat parameters (read; a streaming listener may change them between windows)
   * @param grads flat gradients, same layout, not params (read and written, +=)
   * @param seq inputs, initial state, loss steps, upstream gradients or loss callback, and the
   *     optional outputs
   * @param ws workspace sized for this network, a capacity that holds {@code seq.shape()} and a
   *     strategy of this family (written)
   * @return the sum of the loss callback's values over the loss steps (0 without a callback)
   */
  public double run(
      BpttStrategy strategy, float[] params, float[] grads, SequenceBatch seq, BpttWorkspace ws) {
    Checks.notNull("strategy", strategy);
    Checks.notNull("seq", seq);
    Checks.notNull("ws", ws);
    int size = net.parameterCount();
    Checks.atLeast("params", params, "parameter count", size);
    Checks.atLeast("grads", grads, "parameter count", size);
    if (params == grads) {
      throw new IllegalArgumentException("grads must be a different array from params");
    }
    seq.checkBackward(net);
    ws.checkRuns(net, strategy, seq.shape());
    if (seq.initialStateGradient() != null && strategy instanceof BpttStrategy.Streaming) {
      throw new IllegalArgumentException(
          "initialStateGradient must be null for streaming: each window detaches the carried"
              + " state");
    }
    return ws.run(strategy, params, grads, seq);
  }
}
