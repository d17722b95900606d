package dev.bptt.kernel.rnn;

import dev.bptt.kernel.internal.Checks;
import dev.bptt.kernel.internal.Recurrence;
import dev.bptt.kernel.internal.Sizes;

/**
 * The state of a streaming (inference) forward pass over B sequences: the current hidden state h_t
 * [B][H] and, with a readout, the last step's output y_t [B][O], in O(B·H) memory however many
 * steps are streamed. Advanced by {@link ElmanRnn#advance}; bitwise the same states as {@link
 * ElmanRnn#forward} over the same steps.
 *
 * <p>Not thread-safe; use one per stream.
 */
public final class RnnStreamState {
  private final ElmanRnn rnn;
  private final int batch;

  /** h_t, [B][H]. */
  private final float[] hidden;

  /** Two slots for one forward step: h_t, then h_{t+1}. */
  private final float[] slots;

  private final float[] output;
  private long steps;

  /**
   * A state at h_0 = 0 for {@code batch} sequences.
   *
   * @param rnn the network
   * @param batch B ≥ 1
   */
  public RnnStreamState(ElmanRnn rnn, int batch) {
    Checks.notNull("rnn", rnn);
    Checks.positive("batch (B)", batch);
    this.rnn = rnn;
    this.batch = batch;
    this.hidden = new float[Sizes.floats("stream state", 1, batch, rnn.stateSize())];
    this.slots = new float[2 * hidden.length];
    this.output = new float[Sizes.floats("stream output", 1, batch, rnn.layout().outputSize())];
  }

  /** The network. */
  public ElmanRnn network() {
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

  /** Back to h_0 = the given [B][H] at {@code off}. */
  public RnnStreamState reset(float[] h0, int off) {
    int bh = batch * rnn.stateSize();
    Checks.vector("h0", h0, off, bh);
    reset();
    System.arraycopy(h0, off, hidden, 0, bh);
    return this;
  }

  /** The current hidden state h_t, [B][H] (the state's own array: read it, do not write it). */
  public float[] hidden() {
    return hidden;
  }

  /** The last step's readout output y_t, [B][O] (empty without a readout; zeros before a step). */
  public float[] output() {
    return output;
  }

  /** Copies h_t [B][H] into dst[off..]. */
  public void copyHidden(float[] dst, int off) {
    int bh = batch * rnn.stateSize();
    Checks.vector("dst", dst, off, bh);
    System.arraycopy(hidden, 0, dst, off, bh);
  }

  void advance(Recurrence r, float[] params, float[] x, int xOff, int n) {
    int bh = batch * r.stateSize();
    int row = batch * r.inputSize();
    System.arraycopy(hidden, 0, slots, 0, bh);
    for (int i = 0; i < n; i++) {
      r.forwardSteps(params, batch, 1, 1, x, xOff + i * row, slots, 0);
      System.arraycopy(slots, bh, slots, 0, bh);
    }
    System.arraycopy(slots, 0, hidden, 0, bh);
    if (n > 0 && output.length > 0) {
      r.outputs(params, batch, hidden, 0, output, 0);
    }
    steps += n;
  }
}
