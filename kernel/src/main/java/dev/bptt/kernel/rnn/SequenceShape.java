package dev.bptt.kernel.rnn;

import dev.bptt.kernel.internal.Checks;

/**
 * The shape of a batch of sequences: T steps for each of B sequences. Built only through named
 * factories, {@code SequenceShape.steps(T).batch(B)}, so that the two sizes cannot be swapped
 * unnoticed (with the same product they would give arrays of the same length).
 *
 * <p>Immutable. A workspace sized for a shape (its capacity) runs any shape that {@link #fitsIn}
 * it.
 */
public final class SequenceShape {
  private final int steps;
  private final int batch;

  private SequenceShape(int steps, int batch) {
    Checks.positive("steps (T)", steps);
    Checks.positive("batch (B)", batch);
    this.steps = steps;
    this.batch = batch;
  }

  /**
   * One sequence (B = 1) of T steps; name a batch size with {@link #batch(int)}.
   *
   * @param steps T ≥ 1
   */
  public static SequenceShape steps(int steps) {
    return new SequenceShape(steps, 1);
  }

  /**
   * This shape with B sequences.
   *
   * @param batch B ≥ 1
   */
  public SequenceShape batch(int batch) {
    return new SequenceShape(steps, batch);
  }

  /** T, the number of steps. */
  public int steps() {
    return steps;
  }

  /** B, the number of sequences. */
  public int batch() {
    return batch;
  }

  /** T·B, the number of (step, sequence) rows. */
  public long rows() {
    return (long) steps * batch;
  }

  /** True when T ≤ capacity's T and B ≤ capacity's B. */
  public boolean fitsIn(SequenceShape capacity) {
    Checks.notNull("capacity", capacity);
    return steps <= capacity.steps && batch <= capacity.batch;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SequenceShape s && s.steps == steps && s.batch == batch;
  }

  @Override
  public int hashCode() {
    return 31 * steps + batch;
  }

  /** {@code "T=100, B=32"}. */
  @Override
  public String toString() {
    return "T=" + steps + ", B=" + batch;
  }
}
