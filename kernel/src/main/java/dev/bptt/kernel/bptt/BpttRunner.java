package dev.bptt.kernel.bptt;

import dev.bptt.kernel.clip.NonFinitePolicy;
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
  private final NonFinitePolicy nonFiniteCheck;

  /**
   * @param net the network whose kernels the runner drives
   */
  public BpttRunner(RecurrentNetwork net) {
    this(net, null);
  }

  private BpttRunner(RecurrentNetwork net, NonFinitePolicy nonFiniteCheck) {
    Checks.notNull("net", net);
    this.net = net;
    this.nonFiniteCheck = nonFiniteCheck;
  }

  /**
   * A runner for the same network whose runs check what they produce for NaN and ±∞ under {@code
   * policy} (null: no check, the default; the batch's {@link SequenceBatch#nonFiniteCheck} then
   * applies, if set). Every forward segment's states (the slot rows of its steps, in the engine's
   * buffers), the readouts it computed for a loss callback and each loss value are scanned right
   * after that segment, before any backward pass of the run writes into {@code grads} (streaming:
   * before that window's backward pass); after the backward pass {@code grads} (the parameter
   * range) and ∂L/∂h_0 are scanned. The first non-finite entry in that order decides:
   *
   * <ul>
   *   <li>THROW: {@link dev.bptt.kernel.rnn.NonFiniteStateException} naming the phase (forward or
   *       backward), the tensor, step t and sequence b; {@code grads} holds what it held before the
   *       call;
   *   <li>SKIP: {@code run} returns NaN and {@code grads} holds what it held before the call (the
   *       gradient is not accumulated); {@link BpttWorkspace#nonFinite()} names the entry;
   *   <li>ZERO: as SKIP (the call contributes zero), and ∂L/∂h_0, when requested, is set to zeros;
   *   <li>PROPAGATE: no scan: exactly the run without a check, NaN and ±∞ flow into the outputs and
   *       {@code grads} (stated explicitly).
   * </ul>
   *
   * Under SKIP and THROW a backward detection leaves ∂L/∂h_0 and the traces as computed; a forward
   * detection leaves them unwritten. Cost of a clean checked run: one vectorized read of the states
   * and outputs the forward pass wrote, and before the run one copy of the P gradient floats into
   * the workspace (so that a detection after the backward pass, or in a later streaming window, can
   * restore {@code grads}: cheaper than accumulating into a second buffer and adding it, which
   * costs a write and a read more) and one read of them after: O(P + T·B·S) against the O(T·B·P)
   * passes. A clean checked run is bitwise the unchecked run (outputs, gradients, traces) and
   * allocates nothing once the workspace has made its snapshot on its first checked run.
   *
   * @param policy the policy, or null for no check of the runner's own
   * @return a runner for the same network with that check
   */
  public BpttRunner withNonFiniteCheck(NonFinitePolicy policy) {
    return new BpttRunner(net, policy);
  }

  /** The runner's non-finite check, or null (the batch's then applies, if any). */
  public NonFinitePolicy nonFiniteCheck() {
    return nonFiniteCheck;
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
   * entry holds the last window that reached its step). Aliasing: grads [0, P), ∂L/∂h_0, the traces
   * and the upstream blocks a loss callback writes may share no entry with each other, params, the
   * inputs, the initial state or the upstream blocks read (IllegalArgumentException naming both,
   * before any write); inputs may overlap each other.
   *
   * @param strategy which gradient to compute
   * @param params flat parameters (read; a streaming listener may change them between windows)
   * @param grads flat gradients, same layout, not params (read and written, +=)
   * @param seq inputs, initial state, loss steps, upstream gradients or loss callback, and the
   *     optional outputs
   * @param ws workspace sized for this network, a capacity that holds {@code seq.shape()} and a
   *     strategy of this family (written)
   * @return the sum of the loss callback's values over the loss steps (0 without a callback); NaN
   *     when a non-finite check under SKIP or ZERO found a NaN or ±∞ (see {@link
   *     #withNonFiniteCheck})
   * @throws dev.bptt.kernel.rnn.NonFiniteStateException under a THROW check that found one
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
    Checks.passAliasing(net, seq, params, grads, true, true);
    ws.checkRuns(net, strategy, seq.shape());
    if (seq.initialStateGradient() != null && strategy instanceof BpttStrategy.Streaming) {
      throw new IllegalArgumentException(
          "initialStateGradient must be null for streaming: each window detaches the carried"
              + " state");
    }
    return ws.run(
        strategy,
        params,
        grads,
        seq,
        nonFiniteCheck != null ? nonFiniteCheck : seq.nonFiniteCheck());
  }
}
