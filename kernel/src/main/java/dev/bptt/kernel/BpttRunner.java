package dev.bptt.kernel;

/**
 * Forward pass and backpropagation through time for one batch of sequences under a
 * {@link BpttStrategy} chosen per call, on the fused kernels of an {@link ElmanRnn}:
 * <pre>
 *   h_t = φ(W_xh·x_t + W_hh·h_{t−1} + b_h),   y_t = W_hy·h_t + b_y (optional),   t = 1..T
 *   δ_t = (∂L/∂h_t + W_hhᵀ·δ_{t+1}) ⊙ φ′(h_t)   (full; the strategies cut or reweight the W_hhᵀ term)
 *   dW_hh += Σ_t δ_t·h_{t−1}ᵀ,  dW_xh += Σ_t δ_t·x_tᵀ,  db_h += Σ_t δ_t,  dW_hy += Σ_t dy_t·h_tᵀ,  db_y += Σ_t dy_t
 * </pre>
 * (sums also over the batch). Shapes as in {@link ElmanRnn}: x [T][B][D], h_0 [B][H], dOut
 * [T][B][O′] with O′ = O with a readout (dOut = ∂L/∂y_t) else H (dOut = ∂L/∂h_t), flat
 * parameters and gradients laid out by {@link RnnLayout}. All buffers live in a
 * {@link BpttWorkspace} sized for the strategy: a run allocates nothing.
 *
 * <p>Example, checkpointed BPTT of one sequence with a loss at every step:
 * <pre>{@code
 * ElmanRnn rnn = new ElmanRnn(new RnnLayout(d, h, o), Activation.TANH);
 * BpttStrategy strategy = BpttStrategy.checkpointed();
 * BpttWorkspace ws = new BpttWorkspace(rnn.layout(), steps, 1, strategy);
 * new BpttRunner(rnn).run(strategy, ws, params, grads, x, 0, null, 0, null, dOut, 0, null, null, 0);
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe; all mutable state is in the workspace.
 */
public final class BpttRunner {
  private final ElmanRnn rnn;

  /** @param rnn the network whose kernels the runner drives */
  public BpttRunner(ElmanRnn rnn) {
    Checks.notNull("rnn", rnn);
    this.rnn = rnn;
  }

  /** The network. */
  public ElmanRnn rnn() {
    return rnn;
  }

  /**
   * Runs the forward pass and the backward pass of {@code strategy}, accumulating the gradient
   * into {@code grads} ({@code +=}; see {@link ElmanRnn#zeroGradients}). Every argument is
   * checked before anything is written (or any random number drawn).
   *
   * <p>Per strategy: full and checkpointed add the exact gradient (bitwise the same);
   * truncated(τ) adds Σ_s of the gradient of the loss at s through steps s..max(1, s−τ+1);
   * randomized adds the ARTBP estimate; streaming adds one gradient per window, calling the
   * strategy's listener after each (see {@link BpttStrategy.Streaming}).
   *
   * @param strategy which gradient to compute
   * @param ws       workspace sized for this layout, T, B and a strategy of this family (written)
   * @param params   flat parameters, {@code layout.size()} floats (read; a streaming listener may
   *                 change them between windows)
   * @param grads    flat gradients, same layout, not params (read and written, +=)
   * @param x        inputs [T][B][D] at xOff (read)
   * @param h0       initial state [B][H] at h0Off, or null for zeros (read)
   * @param loss     called with the outputs during the forward pass so that the caller can fill
   *                 dOut before it is read, or null when dOut is already filled
   * @param dOut     upstream gradients [T][B][O′] at dOutOff (read after {@code loss} saw the
   *                 outputs of the same steps)
   * @param lossAt   which steps carry a loss (length ≥ T), or null for all; dOut is read only there
   * @param dh0      receives the gradient that reaches h_0 [B][H] at dh0Off (overwritten), or
   *                 null; not available with streaming, whose windows detach the state
   */
  public void run(BpttStrategy strategy, BpttWorkspace ws, float[] params, float[] grads, float[] x, int xOff,
                  float[] h0, int h0Off, BpttLoss loss, float[] dOut, int dOutOff, boolean[] lossAt,
                  float[] dh0, int dh0Off) {
    Checks.notNull("strategy", strategy);
    Checks.notNull("ws", ws);
    if (!ws.layout().equals(rnn.layout())) {
      throw new IllegalArgumentException("workspace layout " + ws.layout() + " does not match RNN layout "
          + rnn.layout());
    }
    String unfit = ws.engine.unfit(strategy);
    if (unfit != null) {
      throw new IllegalArgumentException("workspace sized for " + ws.sizedFor() + " cannot run " + strategy
          + ": " + unfit);
    }
    final int steps = ws.steps(), batch = ws.batch();
    rnn.checkBackwardArgs(params, grads, steps, batch, x, xOff, dOut, dOutOff, lossAt, dh0, dh0Off,
        null, null, null);
    if (h0 != null) {
      Checks.vector("h0", h0, h0Off, batch * rnn.layout().hiddenSize());
    }
    if (dh0 != null && strategy instanceof BpttStrategy.Streaming) {
      throw new IllegalArgumentException("dh0 must be null for streaming: each window detaches the carried state");
    }
    ws.recomputedSteps = 0;
    ws.truncations = 0;
    ws.windows = 1;
    ws.call.set(params, grads, x, xOff, h0, h0Off, loss, dOut, dOutOff, lossAt, dh0, dh0Off);
    try {
      ws.engine.run(rnn, strategy, ws.call, ws);
      ws.ran = true;
    } finally {
      ws.call.clear();
    }
  }
}
