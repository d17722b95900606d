package dev.bptt.kernel.rnn;

import dev.bptt.kernel.internal.Checks;
import dev.bptt.kernel.internal.Recurrence;
import dev.bptt.kernel.internal.Recurrences;
import dev.bptt.kernel.internal.Sizes;

/**
 * The state of a streaming (inference) forward pass over B sequences: the current carried state
 * (h_t [B][H] for an Elman RNN; for a {@link StackedRnn} the layout of {@link
 * SequenceBatch#initialState(float[])}) and the last step's output [B][O′] (empty for an Elman RNN
 * without readout), in O(B·S) memory however many steps are streamed. Advanced by {@link
 * ElmanRnn#advance} or {@link StackedRnn#advance}; bitwise the same states as their {@code forward}
 * over the same steps.
 *
 * <p>Not thread-safe; use one per stream.
 */
public final class RnnStreamState {
  private final RecurrentNetwork rnn;
  private final Recurrence kernels;
  private final int batch;

  /** The carried state, compact. */
  private final float[] hidden;

  /** Two slot rows for one forward step: step t, then t+1. */
  private final float[] slots;

  private final float[] output;
  private long steps;

  /**
   * A state at h_0 = 0 for {@code batch} sequences.
   *
   * @param rnn the network
   * @param batch B ≥ 1
   */
  public RnnStreamState(RecurrentNetwork rnn, int batch) {
    Checks.notNull("rnn", rnn);
    Checks.positive("batch (B)", batch);
    this.rnn = rnn;
    this.kernels = Recurrences.of(rnn);
    this.batch = batch;
    this.hidden = new float[Sizes.floats("stream state", 1, batch, rnn.stateSize())];
    this.slots = new float[Sizes.floats("stream slots", 2, batch, kernels.stateSize())];
    if (batch > 1) {
      kernels.reservePacked();
    }
    this.output =
        new float
            [rnn instanceof ElmanRnn && kernels.statesAreOutputs()
                ? 0
                : Sizes.floats("stream output", 1, batch, kernels.stepOutputSize())];
  }

  /** The network. */
  public RecurrentNetwork network() {
    return rnn;
  }

  /** B. */
  public int batch() {
    return batch;
  }

  /** Steps advanced since the last reset. */
  public long steps() {
    return steps;
  }

  /** Back to h_0 = 0. */
  public RnnStreamState reset() {
    java.util.Arrays.fill(hidden, 0f);
    java.util.Arrays.fill(output, 0f);
    steps = 0;
    return this;
  }

  /** Back to the given initial state, B·S floats at {@code off} (layout of the class comment). */
  public RnnStreamState reset(float[] h0, int off) {
    int bh = batch * rnn.stateSize();
    Checks.vector("h0", h0, off, bh);
    reset();
    System.arraycopy(h0, off, hidden, 0, bh);
    return this;
  }

  /**
   * The current carried state, B·S floats (h_t [B][H] for an Elman RNN); the state's own array:
   * read it, do not write it.
   */
  public float[] hidden() {
    return hidden;
  }

  /**
   * The last step's output, [B][O′] (empty for an Elman RNN without readout; zeros before a step).
   */
  public float[] output() {
    return output;
  }

  /**
   * Copies the carried state (B·S floats) into dst[off..]; dst may be any array (the source is the
   * state's own buffer).
   */
  public void copyHidden(float[] dst, int off) {
    int bh = batch * rnn.stateSize();
    Checks.vector("dst", dst, off, bh);
    System.arraycopy(hidden, 0, dst, off, bh);
  }

  void advance(float[] params, float[] x, int xOff, int n) {
    Recurrence r = kernels;
    r.paramsChanged();
    int bs = batch * r.stateSize();
    int row = batch * r.inputSize();
    r.loadCarry(batch, hidden, 0, slots, 0);
    for (int i = 0; i < n; i++) {
      r.forwardSteps(params, batch, 1, 1, x, xOff + i * row, slots, 0);
      System.arraycopy(slots, bs, slots, 0, bs);
    }
    r.storeCarry(batch, slots, 0, hidden, 0);
    if (n > 0 && output.length > 0) {
      r.outputs(params, batch, slots, 0, output, 0);
    }
    steps += n;
  }
}
