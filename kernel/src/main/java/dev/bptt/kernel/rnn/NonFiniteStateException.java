package dev.bptt.kernel.rnn;

/**
 * Thrown by the opt-in non-finite check ({@link SequenceBatch#nonFiniteCheck} or {@code
 * BpttRunner.withNonFiniteCheck}) under {@link dev.bptt.kernel.clip.NonFinitePolicy#THROW} when a
 * pass produced a NaN or ±∞. It names the first offending entry in the check's fixed scan order:
 *
 * <ul>
 *   <li>phase {@code "forward"}, before the backward pass wrote anything: per forward segment in
 *       step order, tensor {@code "states"} (the state slot rows of steps t1..t2, row-major
 *       [t][b][slot]), then {@code "outputs"} (the readouts y_t, when the pass computed them), then
 *       {@code "loss"} (each loss step's callback value);
 *   <li>phase {@code "backward"}: tensor {@code "grads"} (the parameter range), then {@code
 *       "initialStateGradient"}.
 * </ul>
 *
 * Whatever the phase, the caller's gradient array holds what it held before the call.
 */
public final class NonFiniteStateException extends ArithmeticException {
  private static final long serialVersionUID = 1L;

  private final String phase;
  private final String tensor;
  private final int step;
  private final int row;
  private final long index;
  private final double value;

  /**
   * @param phase {@code "forward"} or {@code "backward"}
   * @param tensor name of the buffer holding the entry ({@code "states"}, {@code "outputs"}, {@code
   *     "loss"}, {@code "grads"}, {@code "initialStateGradient"})
   * @param step step t (1..T) of the entry, or −1 when the tensor has no step
   * @param row sequence b (0..B−1) of the entry, or −1 when the tensor has no row
   * @param index index of the entry in its tensor (see {@link #index()})
   * @param value the entry: NaN, +∞ or −∞
   */
  public NonFiniteStateException(
      String phase, String tensor, int step, int row, long index, double value) {
    super(
        "non-finite "
            + phase
            + " value: "
            + tensor
            + " holds "
            + value
            + (step >= 0 ? " at step t=" + step : "")
            + (row >= 0 ? ", sequence b=" + row : "")
            + " (index "
            + index
            + "); the gradient array was left as it was");
    this.phase = phase;
    this.tensor = tensor;
    this.step = step;
    this.row = row;
    this.index = index;
    this.value = value;
  }

  /** {@code "forward"} or {@code "backward"}. */
  public String phase() {
    return phase;
  }

  /** Name of the buffer holding the first non-finite entry. */
  public String tensor() {
    return tensor;
  }

  /** Step t of the entry (1..T), or −1 when the tensor has no step. */
  public int step() {
    return step;
  }

  /** Sequence b of the entry (0..B−1), or −1 when the tensor has no row. */
  public int row() {
    return row;
  }

  /**
   * Index of the entry in its tensor: for {@code "states"} in the [T][B][S] slots of the whole pass
   * ((t − 1)·B·S + b·S + column), for {@code "outputs"} in [T][B][O′], for {@code "loss"} the loss
   * step's position among the loss steps, for {@code "grads"} the parameter index, for {@code
   * "initialStateGradient"} the index from its offset.
   */
  public long index() {
    return index;
  }

  /** The offending value: NaN, +∞ or −∞. */
  public double value() {
    return value;
  }
}
