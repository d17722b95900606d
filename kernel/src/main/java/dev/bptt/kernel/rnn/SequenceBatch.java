package dev.bptt.kernel.rnn;

import dev.bptt.kernel.clip.NonFinitePolicy;
import dev.bptt.kernel.internal.Checks;
import dev.bptt.kernel.internal.Sizes;

/**
 * Caller-owned, reusable holder of everything one pass over a batch of sequences reads and writes
 * besides the parameters: the inputs, the initial state, which steps carry a loss and their
 * upstream gradients (or a {@link StepLoss} that computes them), and the optional outputs ∂L/∂h_0
 * and per-step gradient-norm traces. Shapes for a network with input size D, state size S and step
 * output size O′, T steps and B sequences:
 *
 * <pre>
 *   input      [T][B][D]      required
 *   initial    B·S            optional (default zeros)
 *   upstream   [L][B][O′]     L = losses().count(T), one block per loss step in increasing order
 *   dInitial   B·S            optional output, overwritten
 *   traceDh, traceDelta  ≥ T  optional outputs: ‖∂L/∂h_t‖₂ and ‖δ_t‖₂ at index t − 1
 *   traceDc    ≥ T            optional output (LSTM): ‖∂L/∂c_t‖₂ at index t − 1
 * </pre>
 *
 * The initial state's B·S floats are laid out as PyTorch's initial state: for an Elman RNN [B][H];
 * for a {@link StackedRnn} h_0 as [layers][B][H], followed for an LSTM by c_0 as [layers][B][H] (so
 * {@code (h_0, c_0)} of {@code nn.LSTM} concatenated); ∂L/∂(initial state) the same. For stacks the
 * traces are those of the last layer's h_t (and c_t).
 *
 * <p>Setters check what they can on their own (null, offsets, lengths fixed by the shape) and
 * return this holder; the combination is checked again by the pass before anything is written.
 * Setting a reference allocates nothing, so a training loop re-points the holder at its next batch
 * for free. Arrays are held by reference, not copied: a pass that needs an input after it returns
 * (the forward/backward pair of {@link ElmanRnn} and {@link StackedRnn}) copies it into its
 * workspace.
 *
 * <p>Not thread-safe; use one per thread.
 *
 * <p>Aliasing: the arrays a pass writes (the gradient, ∂L/∂h_0, the traces, and the upstream blocks
 * when a loss callback fills them) may share no entry with each other or with what it reads (the
 * parameters, the inputs, the initial state, the upstream blocks read); the pass refuses such a
 * batch with an IllegalArgumentException naming both, before any write. Read-only arrays may
 * overlap.
 */
public final class SequenceBatch {
  private final RecurrentNetwork net;
  private final SequenceShape shape;
  private float[] input;
  private int inputOff;
  private float[] initial;
  private int initialOff;
  private LossSteps losses = LossSteps.everyStep();
  private float[] upstream;
  private int upstreamOff;
  private boolean ownUpstream;
  private StepLoss loss;
  private float[] dInitial;
  private int dInitialOff;
  private float[] traceDh;
  private float[] traceDc;
  private float[] traceDelta;
  private NonFinitePolicy nonFiniteCheck;

  /**
   * @param net the network whose sizes the arrays are checked against
   * @param shape T and B of the sequences
   */
  public SequenceBatch(RecurrentNetwork net, SequenceShape shape) {
    Checks.notNull("net", net);
    Checks.notNull("shape", shape);
    this.net = net;
    this.shape = shape;
  }

  /** The network the holder was made for. */
  public RecurrentNetwork network() {
    return net;
  }

  /** T and B. */
  public SequenceShape shape() {
    return shape;
  }

  /** Inputs x [T][B][D] at offset 0. */
  public SequenceBatch input(float[] x) {
    return input(x, 0);
  }

  /** Inputs x [T][B][D] at {@code off}. */
  public SequenceBatch input(float[] x, int off) {
    Checks.vector("input", x, off, Math.multiplyExact(rows(), net.inputSize()));
    this.input = x;
    this.inputOff = off;
    return this;
  }

  /** Initial state, B·S floats (layout in the class comment) at offset 0. */
  public SequenceBatch initialState(float[] s0) {
    return initialState(s0, 0);
  }

  /** Initial state, B·S floats (layout in the class comment) at {@code off}. */
  public SequenceBatch initialState(float[] s0, int off) {
    Checks.vector("initialState", s0, off, stateRows());
    this.initial = s0;
    this.initialOff = off;
    return this;
  }

  /** Starts every sequence from the zero state (the default). */
  public SequenceBatch zeroInitialState() {
    this.initial = null;
    this.initialOff = 0;
    return this;
  }

  /** Which steps carry a loss (default {@link LossSteps#everyStep()}). */
  public SequenceBatch losses(LossSteps losses) {
    Checks.notNull("losses", losses);
    losses.checkFits(shape.steps());
    this.losses = losses;
    ensureOwnUpstream();
    return this;
  }

  /** Upstream gradients [L][B][O′] at offset 0, one block per loss step (see the class comment). */
  public SequenceBatch upstream(float[] dOut) {
    return upstream(dOut, 0);
  }

  /**
   * Upstream gradients [L][B][O′] at {@code off}; null drops the caller's array (a loss callback
   * then writes into the holder's own).
   */
  public SequenceBatch upstream(float[] dOut, int off) {
    if (off < 0) {
      throw new IndexOutOfBoundsException("upstream: offset must be >= 0, got " + off);
    }
    this.upstream = dOut;
    this.upstreamOff = dOut == null ? 0 : off;
    this.ownUpstream = false;
    ensureOwnUpstream();
    return this;
  }

  /**
   * A loss evaluated in the forward pass that writes the upstream gradients itself; null to read
   * them from {@link #upstream(float[])} again. Without a caller upstream array the holder makes
   * its own here (once; grown only when a later {@link #losses} needs more), so passes allocate
   * nothing.
   */
  public SequenceBatch loss(StepLoss loss) {
    this.loss = loss;
    if (loss == null && ownUpstream) {
      upstream = null; // the holder's buffer holds the callback's gradients: never read them stale
      ownUpstream = false;
    }
    ensureOwnUpstream();
    return this;
  }

  /**
   * With a callback and no caller array: (re)make the holder's own upstream buffer if it is too
   * small.
   */
  private void ensureOwnUpstream() {
    if (loss == null || upstream != null && !ownUpstream) {
      return;
    }
    int need =
        Sizes.floats("upstream", losses.count(shape.steps()), shape.batch(), net.stepOutputSize());
    if (upstream == null || upstream.length < need) {
      upstream = new float[need];
    }
    upstreamOff = 0;
    ownUpstream = true;
  }

  /** Receives ∂L/∂(initial state), B·S floats at offset 0 (overwritten); null for none. */
  public SequenceBatch initialStateGradient(float[] dh0) {
    return initialStateGradient(dh0, 0);
  }

  /** Receives ∂L/∂(initial state), B·S floats at {@code off} (overwritten); null for none. */
  public SequenceBatch initialStateGradient(float[] dh0, int off) {
    if (dh0 != null) {
      Checks.vector("initialStateGradient", dh0, off, stateRows());
    }
    this.dInitial = dh0;
    this.dInitialOff = off;
    return this;
  }

  /**
   * Receives ‖∂L/∂h_t‖₂ at index t − 1 (the gradient reaching h_t before the local derivative,
   * Frobenius over the batch); length ≥ T, or null for none.
   */
  public SequenceBatch traceDh(float[] traceDh) {
    if (traceDh != null) {
      Checks.atLeast("traceDh", traceDh, "T", shape.steps());
    }
    this.traceDh = traceDh;
    return this;
  }

  /**
   * Receives ‖∂L/∂c_t‖₂ of the last LSTM layer at index t − 1 (the total gradient reaching the cell
   * state c_t, through h_t and through c_{t+1}; Frobenius over the batch); length ≥ T, or null for
   * none.
   *
   * @throws IllegalArgumentException if the network is not an LSTM stack
   */
  public SequenceBatch traceDc(float[] traceDc) {
    if (traceDc != null) {
      if (!(net instanceof StackedRnn s && s.cell() == CellType.LSTM)) {
        throw new IllegalArgumentException(
            "traceDc needs an LSTM network (a cell state c_t), not " + net);
      }
      Checks.atLeast("traceDc", traceDc, "T", shape.steps());
    }
    this.traceDc = traceDc;
    return this;
  }

  /**
   * Receives ‖δ_t‖₂ (after the local derivative) at index t − 1; length ≥ T, or null for none. For
   * an {@link ElmanRnn}, δ_t = ∂L/∂z_t; for a {@link StackedRnn}, the norm of the step's whole
   * internal δ row (every layer's gate pre-activation gradients and the carried-state gradients
   * kept beside them, with layer normalization also ∂L/∂(W_hh·h_{t−1})), a diagnostic that is
   * bitwise the same under every strategy.
   */
  public SequenceBatch traceDelta(float[] traceDelta) {
    if (traceDelta != null) {
      Checks.atLeast("traceDelta", traceDelta, "T", shape.steps());
    }
    this.traceDelta = traceDelta;
    return this;
  }

  // ---- getters ----

  /** The input array (null until set). */
  public float[] input() {
    return input;
  }

  /** Offset of x_1 in {@link #input()}. */
  public int inputOffset() {
    return inputOff;
  }

  /** The initial-state array, or null for zeros. */
  public float[] initialState() {
    return initial;
  }

  /** Offset in {@link #initialState()}. */
  public int initialStateOffset() {
    return initialOff;
  }

  /** The loss steps. */
  public LossSteps losses() {
    return losses;
  }

  /** Number of loss steps L (upstream blocks). */
  public int lossCount() {
    return losses.count(shape.steps());
  }

  /**
   * The upstream array in use (the caller's, the holder's own, or null when neither exists yet).
   */
  public float[] upstream() {
    return upstream;
  }

  /** Offset of the first upstream block. */
  public int upstreamOffset() {
    return upstreamOff;
  }

  /** Offset of step t's upstream block [B][O′] (1 ≤ t ≤ T), or −1 if step t carries no loss. */
  public int upstreamOffset(int t) {
    Checks.notNull("upstream", upstream);
    if (t < 1 || t > shape.steps()) {
      throw new IllegalArgumentException(
          "step t must be in [1, T=" + shape.steps() + "], got " + t);
    }
    int i = losses.index(t, shape.steps());
    return i < 0 ? -1 : upstreamOff + i * shape.batch() * net.stepOutputSize();
  }

  /** The loss callback, or null. */
  public StepLoss loss() {
    return loss;
  }

  /** The ∂L/∂h_0 output array, or null. */
  public float[] initialStateGradient() {
    return dInitial;
  }

  /** Offset in {@link #initialStateGradient()}. */
  public int initialStateGradientOffset() {
    return dInitialOff;
  }

  /** The ‖∂L/∂h_t‖ trace, or null. */
  public float[] traceDh() {
    return traceDh;
  }

  /** The ‖∂L/∂c_t‖ trace, or null. */
  public float[] traceDc() {
    return traceDc;
  }

  /** The ‖δ_t‖ trace, or null. */
  public float[] traceDelta() {
    return traceDelta;
  }

  /**
   * Turns on the non-finite check of the network's {@code forward} and {@code backward} with this
   * batch (null, the default, turns it off; a {@code BpttRunner} uses its own policy when it has
   * one, else this one). With THROW, SKIP or ZERO the forward pass scans the states it stored
   * (slots of steps 1..T), the readouts it computed and each loss value, and the backward pass
   * scans the gradient range and ∂L/∂(initial state), all for NaN and ±∞ with one vectorized pass
   * (cost: one read of each buffer, and one copy of the gradient range per backward pass, made
   * before it so that a detection can restore it). On a detection:
   *
   * <ul>
   *   <li>THROW: {@link NonFiniteStateException} naming the phase, tensor, step and sequence of the
   *       first non-finite entry; {@code grads} holds what it held before the call (a forward
   *       detection leaves no pass to backpropagate);
   *   <li>SKIP: the forward pass returns NaN and the following backward pass adds nothing; a
   *       backward detection restores {@code grads}; ∂L/∂(initial state) is not written (forward)
   *       or holds what was computed (backward); {@link RnnWorkspace#nonFinite()} names the entry;
   *   <li>ZERO: as SKIP, except that ∂L/∂(initial state), when requested, is set to zeros: the call
   *       contributes a zero gradient;
   *   <li>PROPAGATE: no scan at all, exactly the behaviour without a check (NaN and ±∞ flow into
   *       the outputs and gradients), stated explicitly.
   * </ul>
   *
   * A clean pass is bitwise the pass without the check and allocates nothing once the workspace has
   * run one checked backward pass (its gradient snapshot is made then).
   *
   * @param policy what to do with a non-finite value, or null for no check
   * @return this
   */
  public SequenceBatch nonFiniteCheck(NonFinitePolicy policy) {
    this.nonFiniteCheck = policy;
    return this;
  }

  /** The non-finite check of this batch's forward and backward passes, or null (off). */
  public NonFinitePolicy nonFiniteCheck() {
    return nonFiniteCheck;
  }

  // ---- checks used by the passes ----

  /**
   * Checks what a forward pass reads: the network, the input set.
   *
   * @throws IllegalArgumentException if the holder was made for another network
   * @throws IllegalStateException if no input was set
   */
  public void checkForward(RecurrentNetwork expected) {
    if (!net.equals(expected)) {
      throw new IllegalArgumentException(
          "sequence batch was made for " + net + ", not " + expected);
    }
    if (input == null) {
      throw new IllegalStateException("no input set on the sequence batch (call input(x))");
    }
  }

  /**
   * Checks what a backward pass reads: the upstream gradients (the caller's, or the holder's own
   * for a loss callback) hold L blocks, and the ∂L/∂h_0 output overlaps no input.
   *
   * @throws IllegalStateException if neither upstream gradients nor a loss callback were set
   */
  public void checkBackward(RecurrentNetwork expected) {
    checkForward(expected);
    if (upstream == null) {
      throw new IllegalStateException(
          "no upstream gradients set on the sequence batch (call upstream(dOut) or "
              + "loss(callback))");
    }
    long need = (long) losses.count(shape.steps()) * shape.batch() * net.stepOutputSize();
    if ((long) upstreamOff + need > upstream.length) {
      throw new IndexOutOfBoundsException(
          "upstream: offset "
              + upstreamOff
              + " + length "
              + need
              + " ("
              + losses
              + " of "
              + shape
              + ", O'="
              + net.stepOutputSize()
              + ") does not fit array of length "
              + upstream.length);
    }
    if (dInitial != null) {
      Checks.noOverlap(
          "initialStateGradient",
          dInitial,
          dInitialOff,
          (long) dInitialOff + stateRows(),
          "upstream",
          upstream,
          upstreamOff,
          upstreamOff + need);
      Checks.noOverlap(
          "initialStateGradient",
          dInitial,
          dInitialOff,
          (long) dInitialOff + stateRows(),
          "input",
          input,
          inputOff,
          inputOff + rows() * net.inputSize());
    }
  }

  private long rows() {
    return shape.rows();
  }

  private int stateRows() {
    return Math.multiplyExact(shape.batch(), net.stateSize());
  }
}
