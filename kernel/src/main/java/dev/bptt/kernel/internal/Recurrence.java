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
 *   <li>states: one slot row of {@link #stateSize()} floats per row; it holds the state carried to
 *       the next step (h, and c for an LSTM, of every layer) and whatever the backward pass needs
 *       (e.g. gate activations), in the cell's own column layout. The slots of steps t1−1..t2 of a
 *       segment are consecutive: step t at base + (t − t1 + 1)·B·stateSize. Only the carried part
 *       of slot t1−1 is read by the forward pass; the backward pass of step t also reads the
 *       carried part of slot t−1. The carried state leaves and enters the slots only through {@link
 *       #storeCarry}/{@link #loadCarry}, in the compact public layout of {@link #carrySize()}
 *       floats per row.
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

  /**
   * Called at the start of every pass and whenever the caller may have changed the parameters (a
   * streaming listener): drops whatever the recurrence derived from them (packed weights).
   */
  void paramsChanged();

  /**
   * Allocates the buffers of packed weights that multi-row recurrent products use (B &gt; 1,
   * truncation chains), so that no pass allocates; without it they are made on first use.
   */
  void reservePacked();

  /** D. */
  int inputSize();

  /** Floats per row of a step's slot. */
  int stateSize();

  /**
   * Floats per sequence of the carried state in its compact public layout (the initial state's and
   * ∂L/∂(initial state)'s): for B rows, [L][B][H] of h, then for an LSTM [L][B][H] of c.
   */
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
   * The recurrent part of ∂L/∂(carried state of t) for {@code rows} independent δ rows: dst ←
   * f·(∂s_{t+1}/∂s_t)ᵀ·src + β·dst, where src holds δ_{t+1} and next the slots of step t+1, of
   * which row r of src reads row (r mod batch) (truncation advances several chains of one batch
   * together). Every row by the packed GEMM, one row too, so a row's bits do not depend on {@code
   * rows}.
   */
  void recurrentGrad(
      float[] params,
      int rows,
      int batch,
      float f,
      float[] next,
      int nextOff,
      float[] src,
      int srcOff,
      float beta,
      float[] dst,
      int dstOff);

  /**
   * In place: the gathered gradients of the B = {@code rows} rows of step t become δ_t, using the
   * slots of step t at states[stOff] and of step t−1 at states[stOff − rows·stateSize].
   */
  void localGrad(float[] params, int rows, float[] states, int stOff, float[] delta, int dOff);

  /**
   * True when {@link #deltas} over this call's data writes the upstream gradients of its steps
   * itself (as {@link #upstreamGrad} over the runs of loss steps, zero rows elsewhere, would): the
   * engine then leaves the δ rows to it. A team does, each thread its own sequences' rows.
   */
  default boolean deltasGatherUpstream(StepData in) {
    return false;
  }

  /**
   * The δ recursion of steps t2 down to t1 once the upstream gradients are in the δ rows (slots and
   * δ laid out as in the class comment): ∂L/∂s_t gains flow[t]·(∂s_{t+1}/∂s_t)ᵀ·δ_{t+1}, then
   * becomes δ_t; δ_{t2+1} and the slot of step t2+1 come from next/nextSlot (next null: nothing
   * flows in at t2). Writes the traceDh/traceDc entries of the call, if any. The order of
   * operations depends only on the steps, never on how they are split into segments.
   */
  void deltas(
      float[] params,
      StepData in,
      int t1,
      int t2,
      float[] states,
      int base,
      float[] delta,
      int dBase,
      float[] next,
      int nextOff,
      float[] nextSlot,
      int nextSlotOff);

  /** Σ of squares of the gathered ∂L/∂h (the last layer's) of {@code rows} δ rows (for traces). */
  double hiddenGradSquares(int rows, float[] delta, int dOff);

  /**
   * Σ of squares of ∂L/∂c (the last LSTM layer's) of {@code rows} δ rows after {@link #localGrad}
   * (0 for cells without c).
   */
  double cellGradSquares(int rows, float[] delta, int dOff);

  /**
   * Compact carried state of {@code rows} rows at src[off] (layout of {@link #carrySize}) into
   * slots.
   */
  void loadCarry(int rows, float[] src, int srcOff, float[] slots, int slotOff);

  /** Carried state of {@code rows} slot rows into the compact layout at dst[dstOff]. */
  void storeCarry(int rows, float[] slots, int slotOff, float[] dst, int dstOff);

  /**
   * ∂L/∂(initial state) ← f·(∂s_1/∂s_0)ᵀ·δ_1 for {@code rows} rows, written in the compact layout
   * at dst[dstOff], from the slots and δ of step 1: with {@code packed} by the packed GEMM even for
   * one row (the form of {@link #recurrentGrad}), else one row by the gemvᵀ of the per-step
   * backward.
   */
  void initialStateGrad(
      float[] params,
      int rows,
      boolean packed,
      float f,
      float[] slot1,
      int slot1Off,
      float[] delta1,
      int d1Off,
      float[] dst,
      int dstOff);

  /**
   * Deferred parameter gradients of steps t1..t2 (slots and δ laid out as in the class comment),
   * added to grads with each element's sum over rows in descending (t, b) order, in the levels of
   * {@link SumBlocks} at absolute rows ((t − 1)·B + b; loss rows for the readout). With {@code
   * carry} null the call is a whole sum. Otherwise carry (buffers of {@link #parameterCount}
   * floats, laid out like grads) links it to the calls before ({@code carry.resume}: a call ending
   * at step t2 + 1 came first) and after ({@code carry.suspend}: steps below t1 follow), so that
   * segments processed from last to first sum bitwise like one pass. With {@code carry.beside} an
   * implementation may hold the work and run it beside the next {@link #deltas} call's (which must
   * not write the δ rows and slots of t1..t2: the backward's next chunk down) or in {@link
   * #finishWeightGrads}; a later weightGrads call first completes it, a forward drops it (only a
   * backward stopped by an exception leaves it held). Same sums either way.
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
      StepData in,
      SumBlocks carry);

  /** Runs the work of a weightGrads call held by {@link SumBlocks#beside}, if any. */
  default void finishWeightGrads() {}
}
