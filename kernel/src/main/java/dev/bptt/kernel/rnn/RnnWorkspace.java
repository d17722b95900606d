package dev.bptt.kernel.rnn;

import dev.bptt.kernel.clip.NonFinitePolicy;
import dev.bptt.kernel.internal.Backprop;
import dev.bptt.kernel.internal.Checks;
import dev.bptt.kernel.internal.Recurrence;
import dev.bptt.kernel.internal.Recurrences;
import dev.bptt.kernel.internal.Sizes;
import dev.bptt.kernel.internal.StepData;
import dev.bptt.kernel.internal.SumBlocks;
import dev.bptt.kernel.internal.Teams;

/**
 * Every buffer one forward/backward pass of an {@link ElmanRnn} or a {@link StackedRnn} needs, for
 * sequences up to a capacity shape (T steps, B sequences): after construction, passes allocate
 * nothing. A pass may use any shape that fits the capacity (e.g. inference on a shorter or smaller
 * batch); the offsets below are those of the last forward pass's shape.
 *
 * <p>Buffers (all flat, row-major), for the last forward pass's T and B:
 *
 * <ul>
 *   <li>states [T+1][B][S]: for an {@link ElmanRnn} S = H and step t holds h_t ({@link #hidden()},
 *       {@link #hiddenOffset}); a stack's slots also keep gate activations in an internal layout,
 *       read through {@link #copyState};
 *   <li>outputs [T][B][O′] ({@link #output()}, {@link #outputOffset}, step t = 1..T): the readout's
 *       y_t, or for a stack without readout its last layer's h_t; empty for an Elman RNN without
 *       readout, whose outputs are the hidden states;
 *   <li>deltas of the last backward pass, kept for the deferred weight-gradient GEMMs (for an
 *       {@link ElmanRnn} δ_t = ∂L/∂z_t [T][B][H], {@link #delta()}, {@link #deltaOffset});
 *   <li>a copy of the inputs [T][B][D], which the backward pass reads: refilling the caller's input
 *       array between forward and backward cannot change the gradient.
 * </ul>
 *
 * A workspace is not thread-safe; use one per thread.
 */
public final class RnnWorkspace {
  private final RecurrentNetwork net;
  private final Recurrence kernels;
  private final SequenceShape capacity;
  private final float[] hidden;
  private final float[] output;
  private final float[] delta;

  /** Where the chunked backward's weight-gradient sums stand ({@link Backprop#full}). */
  private final SumBlocks chunks = new SumBlocks(0);

  private final float[] input;
  private final StepData call = new StepData();
  private final BatchThreads threads;

  /** Shape of the last forward pass, or null before the first. */
  private SequenceShape forwardShape;

  /** Copy of the gradient range taken before a checked backward pass (made on the first one). */
  private float[] gradSnapshot;

  private NonFiniteStateException nonFinite;

  /**
   * The last forward pass found a non-finite value under SKIP or ZERO: its backward adds nothing.
   */
  private boolean forwardNonFinite;

  /**
   * @param net the network ({@link ElmanRnn} or {@link StackedRnn})
   * @param capacity the largest T and B the workspace runs
   */
  public RnnWorkspace(RecurrentNetwork net, SequenceShape capacity) {
    this(net, capacity, null);
  }

  /**
   * A workspace whose passes split their work across {@code threads} (see {@link BatchThreads}):
   * results are bitwise those of a workspace without threads.
   *
   * @param net the network ({@link ElmanRnn} or {@link StackedRnn})
   * @param capacity the largest T and B the workspace runs
   * @param threads the team to run on, or null for the caller's thread alone
   */
  public RnnWorkspace(RecurrentNetwork net, SequenceShape capacity, BatchThreads threads) {
    Checks.notNull("net", net);
    Checks.notNull("capacity", capacity);
    Recurrence r = Recurrences.of(net, Teams.of(threads));
    this.threads = threads;
    int steps = capacity.steps(), batch = capacity.batch();
    this.net = net;
    this.kernels = r;
    this.capacity = capacity;
    this.hidden = new float[Sizes.floats("states", steps + 1L, batch, r.stateSize())];
    // An Elman RNN without readout reads its outputs from hidden(); every other network here.
    boolean outputsAreStates = net instanceof ElmanRnn && r.statesAreOutputs();
    this.output =
        new float[outputsAreStates ? 0 : Sizes.floats("outputs", steps, batch, r.stepOutputSize())];
    this.delta = new float[Sizes.floats("deltas", steps, batch, r.deltaSize())];
    this.input = new float[Sizes.floats("input copy", steps, batch, r.inputSize())];
    if (batch > 1) {
      r.reservePacked(); // the packed recurrent weights of the GEMM path, made now: passes
      // allocate nothing
    }
  }

  /**
   * What the non-finite check ({@link SequenceBatch#nonFiniteCheck}) of the last pass on this
   * workspace found: the first NaN or ±∞ with its phase, tensor, step and sequence, or null when
   * that pass was clean or unchecked. Under SKIP and ZERO this is how the caller learns why {@code
   * forward} returned NaN or why {@code backward} added nothing.
   */
  public NonFiniteStateException nonFinite() {
    return nonFinite;
  }

  /** The network this workspace was sized for. */
  public RecurrentNetwork network() {
    return net;
  }

  /** The team passes run on, or null when they run on the caller's thread alone. */
  public BatchThreads threads() {
    return threads;
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

  /**
   * Hidden states [T+1][B][H] of an {@link ElmanRnn}; h_t for batch row b starts at {@code
   * hiddenOffset(t) + b·H}.
   *
   * @throws IllegalStateException for a {@link StackedRnn} (use {@link #copyState})
   */
  public float[] hidden() {
    elmanOnly("hidden()");
    return hidden;
  }

  /** Offset of h_t (t = 0..T of the last forward pass) in {@link #hidden()}: t·B·H. */
  public int hiddenOffset(int t) {
    elmanOnly("hiddenOffset(t)");
    return stepOffset(t, 0, kernels.stateSize());
  }

  /**
   * Outputs [T][B][O′]; y_t (t = 1..T) starts at {@link #outputOffset}. Empty for an Elman RNN
   * without readout (its outputs are {@link #hidden()}).
   */
  public float[] output() {
    return output;
  }

  /** Offset of y_t (t = 1..T) in {@link #output()}: (t−1)·B·O′. */
  public int outputOffset(int t) {
    int width = output.length == 0 ? 0 : kernels.stepOutputSize();
    return stepOffset(t, 1, width) - shape().batch() * width;
  }

  /**
   * Pre-activation gradients δ_t [T][B][H] of an {@link ElmanRnn}'s last backward pass.
   *
   * @throws IllegalStateException for a {@link StackedRnn}
   */
  public float[] delta() {
    elmanOnly("delta()");
    return delta;
  }

  /** Offset of δ_t (t = 1..T) in {@link #delta()}: (t−1)·B·H. */
  public int deltaOffset(int t) {
    elmanOnly("deltaOffset(t)");
    int h = kernels.deltaSize();
    return stepOffset(t, 1, h) - shape().batch() * h;
  }

  /**
   * Copies the carried state of step t (t = 0..T of the last forward pass), B·S floats in the
   * layout of {@link SequenceBatch#initialState(float[])}, into dst[off..]. dst may be any array:
   * the source is the workspace's own buffer.
   */
  public void copyState(int t, float[] dst, int off) {
    int at = stepOffset(t, 0, kernels.stateSize());
    Checks.vector("dst", dst, off, (long) shape().batch() * net.stateSize());
    kernels.storeCarry(shape().batch(), hidden, at, dst, off);
  }

  private void elmanOnly(String what) {
    if (!(net instanceof ElmanRnn)) {
      throw new IllegalStateException(
          what
              + " exposes an Elman RNN's raw buffers; "
              + net
              + " keeps gate values there: use copyState(t, dst, off) and output()");
    }
  }

  private int stepOffset(int t, int firstStep, int width) {
    SequenceShape s = shape();
    if (t < firstStep || t > s.steps()) {
      throw new IllegalArgumentException(
          "step t must be in [" + firstStep + ", T=" + s.steps() + "], got " + t);
    }
    return t * s.batch() * width;
  }

  // ---- the passes (called by the networks after their checks) ----

  void checkFits(RecurrentNetwork other, SequenceShape shape) {
    if (!net.equals(other)) {
      throw new IllegalArgumentException("workspace was made for " + net + ", not " + other);
    }
    if (!shape.fitsIn(capacity)) {
      throw new IllegalArgumentException(
          "sequence shape " + shape + " does not fit the workspace capacity " + capacity);
    }
  }

  void checkForwardOf(RecurrentNetwork other, SequenceShape shape) {
    checkFits(other, shape);
    if (forwardShape == null) {
      throw new IllegalStateException("backward called before forward on this workspace");
    }
    if (!forwardShape.equals(shape)) {
      throw new IllegalStateException(
          "the workspace holds a forward pass of " + forwardShape + ", not of " + shape);
    }
  }

  private static boolean checks(NonFinitePolicy p) {
    return p != null && p != NonFinitePolicy.PROPAGATE;
  }

  double forward(float[] params, SequenceBatch seq) {
    Recurrence r = kernels;
    StepData in = call;
    in.set(r, seq);
    r.paramsChanged();
    NonFinitePolicy policy = seq.nonFiniteCheck();
    in.checkFinite = checks(policy);
    nonFinite = null;
    forwardNonFinite = false;
    try {
      int n = (int) (seq.shape().rows() * r.inputSize());
      System.arraycopy(in.x, in.xOff, input, 0, n);
      in.input(input, 0);
      forwardShape = null; // not valid until this pass completes
      int bs = in.batch * r.stateSize();
      in.initialState(r, hidden, 0);
      r.forwardSteps(params, in.batch, 1, in.steps, input, 0, hidden, 0);
      try {
        if (in.checkFinite) {
          in.scanStates(r, 1, in.steps, hidden, bs);
        }
        if (output.length == 0) {
          in.evaluateLoss(1, in.steps, hidden, bs, bs);
        } else {
          r.outputs(params, in.steps * in.batch, hidden, bs, output, 0);
          int row = in.batch * r.stepOutputSize();
          if (in.checkFinite) {
            in.scanOutputs(1, in.steps, output, 0, row);
          }
          in.evaluateLoss(1, in.steps, output, 0, row);
        }
      } catch (NonFiniteStateException e) {
        if (!in.checkFinite) {
          throw e; // not the check's (cannot happen): a callback's own exception
        }
        nonFinite = e;
        if (policy == NonFinitePolicy.THROW) {
          throw e; // leaves no pass to backpropagate
        }
        forwardNonFinite = true;
        forwardShape = seq.shape();
        return Double.NaN;
      }
      forwardShape = seq.shape(); // only now: a callback that threw leaves no pass to backpropagate
      return in.lossSum;
    } finally {
      in.clear();
    }
  }

  void backward(float[] params, float[] grads, SequenceBatch seq) {
    StepData in = call;
    in.set(kernels, seq);
    kernels.paramsChanged();
    NonFinitePolicy policy = seq.nonFiniteCheck();
    try {
      in.input(input, 0);
      if (forwardNonFinite) {
        // The forward pass found a non-finite value under SKIP or ZERO: nothing to add.
        if (policy == NonFinitePolicy.ZERO) {
          in.zeroInitialStateGradient(kernels);
        }
        return;
      }
      nonFinite = null;
      if (!checks(policy)) {
        Backprop.full(kernels, params, grads, in, hidden, delta, chunks);
        return;
      }
      int p = kernels.parameterCount();
      if (gradSnapshot == null) {
        gradSnapshot = new float[p];
      }
      System.arraycopy(grads, 0, gradSnapshot, 0, p);
      Backprop.full(kernels, params, grads, in, hidden, delta, chunks);
      NonFiniteStateException found = in.scanBackward(kernels, grads, p);
      if (found != null) {
        System.arraycopy(gradSnapshot, 0, grads, 0, p);
        nonFinite = found;
        if (policy == NonFinitePolicy.THROW) {
          throw found;
        }
        if (policy == NonFinitePolicy.ZERO) {
          in.zeroInitialStateGradient(kernels);
        }
      }
    } finally {
      in.clear();
    }
  }
}
