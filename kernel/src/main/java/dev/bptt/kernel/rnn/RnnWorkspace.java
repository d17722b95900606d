package dev.bptt.kernel.rnn;

import dev.bptt.kernel.internal.Backprop;
import dev.bptt.kernel.internal.Checks;
import dev.bptt.kernel.internal.Recurrence;
import dev.bptt.kernel.internal.Sizes;
import dev.bptt.kernel.internal.StepData;

/**
 * Every buffer one forward/backward pass of an {@link ElmanRnn} needs, for sequences up to a
 * capacity shape (T steps, B sequences): after construction, passes allocate nothing. A pass may
 * use any shape that fits the capacity (e.g. inference on a shorter or smaller batch); the offsets
 * below are those of the last forward pass's shape.
 *
 * <p>Buffers (all flat, row-major), for the last forward pass's T and B:
 *
 * <ul>
 *   <li>hidden states [T+1][B][H]: h_0 at step 0, h_t at step t ({@link #hiddenOffset});
 *   <li>outputs [T][B][O] when the layout has a readout ({@link #outputOffset}, step t = 1..T);
 *   <li>deltas [T][B][H]: δ_t = ∂L/∂z_t (pre-activation gradients) of the last backward pass, kept
 *       for the deferred weight-gradient GEMMs ({@link #deltaOffset});
 *   <li>a copy of the inputs [T][B][D], which the backward pass reads: refilling the caller's input
 *       array between forward and backward cannot change the gradient.
 * </ul>
 *
 * A workspace is not thread-safe; use one per thread.
 */
public final class RnnWorkspace {
  private final ElmanRnn rnn;
  private final SequenceShape capacity;
  private final float[] hidden;
  private final float[] output;
  private final float[] delta;
  private final float[] input;
  private final StepData call = new StepData();

  /** Shape of the last forward pass, or null before the first. */
  private SequenceShape forwardShape;

  /**
   * @param rnn the network
   * @param capacity the largest T and B the workspace runs
   */
  public RnnWorkspace(ElmanRnn rnn, SequenceShape capacity) {
    Checks.notNull("rnn", rnn);
    Checks.notNull("capacity", capacity);
    RnnLayout layout = rnn.layout();
    int steps = capacity.steps(), batch = capacity.batch();
    this.rnn = rnn;
    this.capacity = capacity;
    this.hidden = new float[Sizes.floats("hidden states", steps + 1L, batch, layout.hiddenSize())];
    this.output = new float[Sizes.floats("outputs", steps, batch, layout.outputSize())];
    this.delta = new float[Sizes.floats("deltas", steps, batch, layout.hiddenSize())];
    this.input = new float[Sizes.floats("input copy", steps, batch, layout.inputSize())];
  }

  /** The network this workspace was sized for. */
  public ElmanRnn network() {
    return rnn;
  }

  /** The largest shape the workspace runs. */
  public SequenceShape capacity() {
    return capacity;
  }

  /** Shape of the last forward pass. @throws IllegalStateException before the first */
  public SequenceShape shape() {
    if (forwardShape == null) {
      throw new IllegalStateException("no forward pass on this workspace yet");
    }
    return forwardShape;
  }

  /** Hidden states [T+1][B][H]; h_t for batch row b starts at {@code hiddenOffset(t) + b·H}. */
  public float[] hidden() {
    return hidden;
  }

  /** Offset of h_t (t = 0..T of the last forward pass) in {@link #hidden()}: t·B·H. */
  public int hiddenOffset(int t) {
    return stepOffset(t, 0, rnn.layout().hiddenSize());
  }

  /**
   * Readout outputs [T][B][O]; y_t (t = 1..T) starts at {@link #outputOffset}. Empty without
   * readout.
   */
  public float[] output() {
    return output;
  }

  /** Offset of y_t (t = 1..T) in {@link #output()}: (t−1)·B·O. */
  public int outputOffset(int t) {
    return stepOffset(t, 1, rnn.layout().outputSize())
        - shape().batch() * rnn.layout().outputSize();
  }

  /** Pre-activation gradients δ_t [T][B][H] of the last backward pass. */
  public float[] delta() {
    return delta;
  }

  /** Offset of δ_t (t = 1..T) in {@link #delta()}: (t−1)·B·H. */
  public int deltaOffset(int t) {
    return stepOffset(t, 1, rnn.layout().hiddenSize())
        - shape().batch() * rnn.layout().hiddenSize();
  }

  private int stepOffset(int t, int firstStep, int width) {
    SequenceShape s = shape();
    if (t < firstStep || t > s.steps()) {
      throw new IllegalArgumentException(
          "step t must be in [" + firstStep + ", T=" + s.steps() + "], got " + t);
    }
    return t * s.batch() * width;
  }

  // ---- the passes (called by ElmanRnn after its checks) ----

  void checkFits(ElmanRnn net, SequenceShape shape) {
    if (!rnn.equals(net)) {
      throw new IllegalArgumentException("workspace was made for " + rnn + ", not " + net);
    }
    if (!shape.fitsIn(capacity)) {
      throw new IllegalArgumentException(
          "sequence shape " + shape + " does not fit the workspace capacity " + capacity);
    }
  }

  void checkForwardOf(ElmanRnn net, SequenceShape shape) {
    checkFits(net, shape);
    if (forwardShape == null) {
      throw new IllegalStateException("backward called before forward on this workspace");
    }
    if (!forwardShape.equals(shape)) {
      throw new IllegalStateException(
          "the workspace holds a forward pass of " + forwardShape + ", not of " + shape);
    }
  }

  double forward(Recurrence r, float[] params, SequenceBatch seq) {
    StepData in = call;
    in.set(r, seq);
    try {
      int n = (int) (seq.shape().rows() * r.inputSize());
      System.arraycopy(in.x, in.xOff, input, 0, n);
      in.input(input, 0);
      forwardShape = null; // not valid until this pass completes
      int bh = in.batch * r.stateSize();
      in.initialState(r, hidden, 0);
      r.forwardSteps(params, in.batch, 1, in.steps, input, 0, hidden, 0);
      if (!r.statesAreOutputs()) {
        r.outputs(params, in.steps * in.batch, hidden, bh, output, 0);
      }
      if (r.statesAreOutputs()) {
        in.evaluateLoss(1, in.steps, hidden, bh, bh);
      } else {
        in.evaluateLoss(1, in.steps, output, 0, in.batch * r.stepOutputSize());
      }
      forwardShape = seq.shape(); // only now: a callback that threw leaves no pass to backpropagate
      return in.lossSum;
    } finally {
      in.clear();
    }
  }

  void backward(Recurrence r, float[] params, float[] grads, SequenceBatch seq) {
    StepData in = call;
    in.set(r, seq);
    try {
      in.input(input, 0);
      Backprop.full(r, params, grads, in, hidden, delta);
    } finally {
      in.clear();
    }
  }
}
