package dev.bptt.kernel.rnn;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.internal.Checks;

/**
 * Elman RNN forward pass and backpropagation through time over flat buffers:
 *
 * <pre>
 *   h_t = φ(W_xh·x_t + W_hh·h_{t−1} + b_h),   y_t = W_hy·h_t + b_y  (optional readout),  t = 1..T
 * </pre>
 *
 * for a batch of B sequences. Parameters live in one flat array laid out by {@link RnnLayout}; the
 * inputs, initial state, loss steps and upstream gradients come in a {@link SequenceBatch}; states,
 * outputs and δ live in an {@link RnnWorkspace}. For other BPTT strategies (truncated, streaming,
 * randomized, checkpointed) use {@code dev.bptt.kernel.bptt.BpttRunner}.
 *
 * <p>Structure (the oneDNN/PyTorch CPU structure): the input projection of all T·B rows is one GEMM
 * up front, written straight into the hidden-state slots; each step then adds the recurrent product
 * (gemv for B = 1, a small GEMM for B &gt; 1) and applies φ in place. "Fused" means one pass over
 * memory per step: the recurrent product accumulates into the slot that already holds the projected
 * input and bias, and φ (or φ′ from the stored output) then runs over those B·H values while they
 * are still in L1. Backward runs only the sequential part per step, δ_t = (∂L/∂h_t + W_hhᵀ·δ_{t+1})
 * ⊙ φ′(h_t), keeps every δ_t, and defers the weight gradients to GEMMs with K = T·B after the loop.
 *
 * <p>Instances are immutable values (equal when layout and activation are) and thread-safe; all
 * mutable state is in the workspace.
 */
public final class ElmanRnn implements RecurrentNetwork {
  private final RnnLayout layout;
  private final Activation activation;

  /**
   * @param layout parameter layout (D, H, O)
   * @param activation φ
   */
  public ElmanRnn(RnnLayout layout, Activation activation) {
    Checks.notNull("layout", layout);
    Checks.notNull("activation", activation);
    this.layout = layout;
    this.activation = activation;
  }

  /** The parameter layout. */
  public RnnLayout layout() {
    return layout;
  }

  /** The activation φ. */
  public Activation activation() {
    return activation;
  }

  /** D. */
  @Override
  public int inputSize() {
    return layout.inputSize();
  }

  /** H: the carried state is h_t. */
  @Override
  public int stateSize() {
    return layout.hiddenSize();
  }

  /** O with a readout, else H. */
  @Override
  public int stepOutputSize() {
    return layout.stepOutputSize();
  }

  /** {@link RnnLayout#size()}. */
  @Override
  public int parameterCount() {
    return layout.size();
  }

  /**
   * Forward pass over the T steps and B sequences of {@code seq} (any shape that fits the
   * workspace): copies the inputs into the workspace (so the backward pass reads them even if the
   * caller refills its array, e.g. to prefetch the next batch), writes h_0..h_T and, with a
   * readout, y_1..y_T into the workspace, and calls the sequence's loss callback, if it has one,
   * for its loss steps. Aliasing: the upstream blocks a loss callback writes may not share an entry
   * with params, the inputs or the initial state (IllegalArgumentException naming both, before any
   * write). With {@link SequenceBatch#nonFiniteCheck} set the pass scans what it stored (NaN
   * returned under SKIP and ZERO).
   *
   * @param params flat parameters, at least {@code layout.size()} floats (read)
   * @param seq inputs, initial state, loss (read; the callback writes the upstream gradients)
   * @param ws workspace whose capacity holds {@code seq.shape()} (written)
   * @return the sum of the loss callback's values (0 without a callback)
   */
  public double forward(float[] params, SequenceBatch seq, RnnWorkspace ws) {
    return Passes.forward(this, params, seq, ws);
  }

  /**
   * Full backpropagation through time after {@link #forward} on the same workspace, accumulating
   * into {@code grads} ({@code +=}, so calls over several batches sum; see {@link #zeroGradients}).
   * Reads the upstream gradients of the sequence's loss steps only (∂L/∂y_t with a readout, else
   * ∂L/∂h_t) and writes ∂L/∂h_0 and the traces if the sequence asks for them:
   *
   * <pre>
   *   δ_t = (∂L/∂h_t + W_hhᵀ·δ_{t+1}) ⊙ φ′(h_t),  t = T..1
   *   dW_hh += Σ_t δ_t·h_{t−1}ᵀ,  dW_xh += Σ_t δ_t·x_tᵀ,  db_h += Σ_t δ_t,
   *   dW_hy += Σ_t dy_t·h_tᵀ,  db_y += Σ_t dy_t,  ∂L/∂h_0 = W_hhᵀ·δ_1
   * </pre>
   *
   * (sums also over the batch), each sum in descending t, blocked at fixed rows (runs of 32 rows,
   * blocks of 256: about the accuracy of a pairwise sum), so a checkpointed pass that produces the
   * terms segment by segment gives bitwise the same. Aliasing: grads [0, P), ∂L/∂h_0 and the traces
   * may share no entry with each other, params, the inputs, the initial state or the upstream
   * blocks (IllegalArgumentException naming both, before any write).
   *
   * @param params flat parameters (read; the ones the forward pass used)
   * @param grads flat gradients, same layout, not params (read and written, +=)
   * @param seq the sequence batch of the forward pass (its shape must match)
   * @param ws workspace of the preceding forward (read; δ written)
   * @throws IllegalStateException if the workspace holds no forward pass of this shape
   */
  public void backward(float[] params, float[] grads, SequenceBatch seq, RnnWorkspace ws) {
    Passes.backward(this, params, grads, seq, ws);
  }

  /**
   * Streaming inference: advances {@code state} by {@code steps} steps over inputs x [steps][B][D]
   * at xOff, keeping only the current state (O(B·H) memory); each step's output is readable from
   * the state afterwards. Bitwise equal to the same steps of {@link #forward}.
   *
   * @param params flat parameters (read)
   * @param x inputs of the steps (read)
   * @param xOff offset of the first step's input
   * @param steps number of steps, ≥ 0
   * @param state the state to advance (read and written)
   */
  public void advance(float[] params, float[] x, int xOff, int steps, RnnStreamState state) {
    Passes.advance(this, params, x, xOff, steps, state);
  }

  /** Sets grads to zero over the whole layout (for overwrite semantics). */
  public void zeroGradients(float[] grads) {
    Passes.zeroGradients(this, grads);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ElmanRnn e && e.layout.equals(layout) && e.activation == activation;
  }

  @Override
  public int hashCode() {
    return layout.hashCode() * 31 + activation.hashCode();
  }

  /** E.g. {@code "ElmanRnn[D=3, H=8, O=2, TANH]"}. */
  @Override
  public String toString() {
    return "ElmanRnn[D="
        + layout.inputSize()
        + ", H="
        + layout.hiddenSize()
        + ", O="
        + layout.outputSize()
        + ", "
        + activation
        + "]";
  }
}
