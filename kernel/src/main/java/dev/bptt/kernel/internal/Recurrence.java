package dev.bptt.kernel.internal;

/**
 * The contract between a recurrent cell and the cell-independent BPTT engines: unchecked segment
 * kernels over flat buffers. Every engine (full, truncated, randomized, checkpointed, streaming)
 * drives a cell only through these methods, so a new cell implements them and runs under every
 * strategy without touching the engines.
 *
 * <p>Buffers, for B sequences (rows = steps·B, each row one sequence at one step):
 *
 * <ul>
 *   <li>states: one slot of {@link #stateSize()} floats per row; a step's slot starts with the
 *       state carried to the next step ({@link #carrySize()} floats: h for Elman and GRU, h and c
 *       for LSTM) and may keep more for the backward pass (e.g. gate activations). The slots of
 *       steps t1−1..t2 of a segment are consecutive: step t at base + (t − t1 + 1)·B·stateSize.
 *       Only the carried prefix of slot t1−1 is read.
 *   <li>δ: {@link #deltaSize()} floats per row; the backward recursion first gathers ∂L/∂h_t in the
 *       row (the upstream part, then the recurrent part), then {@link #localGrad} turns it into the
 *       cell's pre-activation gradient δ_t in place. The δ of steps t1..t2 are consecutive: step t
 *       at dBase + (t − t1)·B·deltaSize.
 * </ul>
 *
 * Determinism: every method runs a fixed sequence of kernels whose results do not depend on how
 * many rows a call covers (see {@link GemmDriver}), so segments recomputed alone reproduce the full
 * pass bitwise.
 */
public interface Recurrence {

  /** D. */
  int inputSize();

  /** Floats per row of a step's slot. */
  int stateSize();

  /** Floats per row of the carried prefix of a slot (the initial state's row size). */
  int carrySize();

  /** Floats per row of δ (and of the gradient that reaches the carried state). */
  int deltaSize();

  /** O′, floats per row of a step's output. */
  int stepOutputSize();

  /**
   * True when the outputs are the first O′ floats of each slot row with slot stride O′ (no readout,
   * slot = output).
   */
  boolean statesAreOutputs();

  /** Floats in the parameter array. */
  int parameterCount();

  /**
   * Slots of steps t1..t2 from the carried prefix of slot t1−1 at states[base]; x holds the inputs
   * of steps t1..t2, [t2−t1+1][B][D] at xOff.
   */
  void forwardSteps(
      float[] params, int batch, int t1, int t2, float[] x, int xOff, float[] states, int base);

  /** Outputs of {@code rows} consecutive slot rows at states[off] into out[outOff], rows×O′. */
  void outputs(float[] params, int rows, float[] states, int off, float[] out, int outOff);

  /** δ rows ← ∂L/∂h of {@code rows} rows from their upstream gradients dy (rows×O′ at dyOff). */
  void upstreamGrad(float[] params, int rows, float[] dy, int dyOff, float[] delta, int dOff);

  /**
   * The recurrent part of ∂L/∂h_t for {@code rows} independent rows: dst ← f·(∂h_{t+1}/∂h_t)ᵀ·src +
   * β·dst, where src holds δ_{t+1} and next holds the slots of step t+1 (cells whose Jacobian needs
   * them read them; Elman does not).
   */
  void recurrentGrad(
      float[] params,
      int rows,
      float f,
      float[] next,
      int nextOff,
      float[] src,
      int srcOff,
      float beta,
      float[] dst,
      int dstOff);

  /** In place: the gathered ∂L/∂h_t rows become δ_t, using the slots of step t at states[stOff]. */
  void localGrad(int rows, float[] states, int stOff, float[] delta, int dOff);

  /** Σ of squares of the ∂L/∂h part of {@code rows} δ rows (for traces). */
  double hiddenGradSquares(int rows, float[] delta, int dOff);

  /**
   * Deferred parameter gradients of steps t1..t2 (slots and δ laid out as in the class comment),
   * added to grads with each element's sum over rows in descending (t, b) order, so segments
   * processed from last to first sum bitwise like one pass.
   */
  void weightGrads(
      float[] params,
      float[] grads,
      int batch,
      int t1,
      int t2,
      float[] states,
      int base,
      float[] delta,
      int dBase,
      StepData in);
}
