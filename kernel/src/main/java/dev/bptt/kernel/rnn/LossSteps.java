package dev.bptt.kernel.rnn;

import dev.bptt.kernel.internal.Checks;
import java.util.Arrays;

/**
 * The steps of a sequence that carry a loss: every step, the last step, or a set of steps. The
 * upstream gradients of a {@link SequenceBatch} are stored compactly, one [B][O′] block per loss
 * step in increasing step order: with a loss at the last step only, the upstream array holds B·O′
 * floats whatever T is.
 *
 * <p>Immutable; make one per configuration and reuse it.
 */
public final class LossSteps {
  private static final LossSteps ALL = new LossSteps(null, false);
  private static final LossSteps LAST = new LossSteps(null, true);
  private static final LossSteps NONE = new LossSteps(new int[0], false);

  /** Sorted distinct 1-based steps, or null for ALL / LAST. */
  private final int[] steps;

  private final boolean last;

  private LossSteps(int[] steps, boolean last) {
    this.steps = steps;
    this.last = last;
  }

  /** A loss at every step 1..T (upstream [T][B][O′]). */
  public static LossSteps everyStep() {
    return ALL;
  }

  /** A loss at step T only (upstream [B][O′]). */
  public static LossSteps lastStep() {
    return LAST;
  }

  /**
   * No loss at any step (upstream empty): a pass then adds zero gradients, and with an initial
   * state gradient requested, writes zeros there.
   */
  public static LossSteps none() {
    return NONE;
  }

  /**
   * A loss at the given 1-based steps (upstream [n][B][O′] in increasing step order, whatever order
   * they are given in).
   *
   * @param steps distinct steps ≥ 1, at least one; each must be ≤ T of the sequences it is used
   *     with
   * @throws IllegalArgumentException for no steps, a step &lt; 1 or a repeated step
   */
  public static LossSteps at(int... steps) {
    Checks.notNull("steps", steps);
    if (steps.length == 0) {
      throw new IllegalArgumentException("steps must name at least one step");
    }
    int[] s = steps.clone();
    Arrays.sort(s);
    if (s[0] < 1) {
      throw new IllegalArgumentException("steps must be >= 1 (steps are 1-based), got " + s[0]);
    }
    for (int i = 1; i < s.length; i++) {
      if (s[i] == s[i - 1]) {
        throw new IllegalArgumentException("step " + s[i] + " is given twice");
      }
    }
    return new LossSteps(s, false);
  }

  /**
   * Number of loss steps in a sequence of T steps (the upstream holds that many [B][O′] blocks).
   */
  public int count(int steps) {
    Checks.positive("steps (T)", steps);
    checkFits(steps);
    return this.steps != null ? this.steps.length : last ? 1 : steps;
  }

  /** Throws if a named step lies beyond T. */
  public void checkFits(int steps) {
    if (this.steps != null && this.steps.length > 0 && this.steps[this.steps.length - 1] > steps) {
      throw new IllegalArgumentException(
          "losses: loss step " + this.steps[this.steps.length - 1] + " lies beyond T=" + steps);
    }
  }

  /**
   * Position of step t's block in the compact upstream array (0-based), or −1 if step t carries no
   * loss; T is the sequence length, 1 ≤ t ≤ T.
   */
  public int index(int t, int steps) {
    if (t < 1 || t > steps) {
      throw new IllegalArgumentException("step t must be in [1, T=" + steps + "], got " + t);
    }
    if (this.steps != null) {
      int i = Arrays.binarySearch(this.steps, t);
      return i >= 0 ? i : -1;
    }
    if (last) {
      return t == steps ? 0 : -1;
    }
    return t - 1;
  }

  @Override
  public String toString() {
    if (steps != null) {
      return steps.length == 0 ? "none" : "at" + Arrays.toString(steps);
    }
    return last ? "lastStep" : "everyStep";
  }
}
