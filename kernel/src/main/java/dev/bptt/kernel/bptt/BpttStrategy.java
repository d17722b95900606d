package dev.bptt.kernel.bptt;

import dev.bptt.kernel.internal.Checks;
import dev.bptt.kernel.rnn.ElmanRnn;
import java.util.random.RandomGenerator;

/**
 * How {@link BpttRunner} backpropagates through a sequence of T steps, chosen per call. Every
 * strategy reuses the fused {@link ElmanRnn} kernels; they differ in which gradient paths they keep
 * and in what they store.
 *
 * <table>
 *   <caption>Strategies: gradient computed, hidden states stored, extra forward steps</caption>
 *   <tr><th>strategy</th><th>gradient</th><th>states stored</th><th>recomputed steps</th></tr>
 *   <tr><td>{@link #full()}</td><td>exact ∂L/∂θ</td><td>T + 1</td><td>0</td></tr>
 *   <tr><td>{@link #truncated(int) truncated(τ)}</td><td>each loss s reaches δ_s..δ_{s−τ+1}</td>
 *       <td>T + 1</td><td>0</td></tr>
 *   <tr><td>{@link #streaming(int, int, BpttWindowListener) streaming(k1, k2)}</td>
 *       <td>TBPTT(k1, k2), one gradient per window</td><td>k2 + 1</td><td>0</td></tr>
 *   <tr><td>{@link #randomized(TruncationSchedule, RandomGenerator) randomized}</td>
 *       <td>ARTBP: unbiased estimate of ∂L/∂θ</td><td>T + 1</td><td>0</td></tr>
 *   <tr><td>{@link #checkpointed() checkpointed}</td><td>exact ∂L/∂θ, bitwise equal to full</td>
 *       <td>⌈T/s⌉ + s + 1 (≤ 2⌈√T⌉ + 1 by default)</td><td>T − (length of the last segment)</td></tr>
 * </table>
 *
 * <p>Strategies are immutable values (the randomized one holds the caller's generator), so a caller
 * can create one once and pass it on every call.
 */
public sealed interface BpttStrategy {

  /** Full BPTT: δ_t = (∂L/∂h_t + W_hhᵀ·δ_{t+1}) ⊙ φ′(h_t) over all T steps. */
  static Full full() {
    return Full.INSTANCE;
  }

  /**
   * Fixed truncation: the gradient of the loss at step s flows back through h for τ steps only,
   * reaching δ_s, …, δ_{max(1, s−τ+1)}.
   *
   * @param tau τ ≥ 1
   */
  static Truncated truncated(int tau) {
    return new Truncated(tau);
  }

  /**
   * Streaming TBPTT(k1, k2) (Williams &amp; Peng's BPTT(h; h′) with h = k2, h′ = k1): every k1
   * steps, backpropagate the losses of those k1 steps through the last k2 steps, then carry the
   * hidden state forward (detached, not reset).
   *
   * @param k1 steps between backward passes, ≥ 1
   * @param k2 steps each backward pass reaches, ≥ k1
   * @param listener called after each window's gradient was added to grads
   */
  static Streaming streaming(int k1, int k2, BpttWindowListener listener) {
    return new Streaming(k1, k2, listener);
  }

  /**
   * Streaming TBPTT(k1, k2) without a window listener (the gradients of all windows add up in
   * grads).
   *
   * @param k1 steps between backward passes, ≥ 1
   * @param k2 steps each backward pass reaches, ≥ k1
   */
  static Streaming streaming(int k1, int k2) {
    return new Streaming(k1, k2, BpttWindowListener.NONE);
  }

  /**
   * PyTorch's chunked truncation, {@code for chunk in x.split(k): loss(chunk).backward(); h =
   * h.detach()}: the sequence is cut into chunks of k steps (the last one shorter when k does not
   * divide T), and each chunk's losses are backpropagated through that chunk only, the state
   * carried forward detached. It differs from {@link #streaming(int, int) streaming(k, k)} only in
   * the last, shorter chunk, which streaming lets reach back a full k steps (into the previous
   * chunk); a ported torch loop gets bitwise this gradient.
   *
   * @param k chunk length, ≥ 1
   * @param listener called after each chunk's gradient was added to grads
   */
  static Streaming chunked(int k, BpttWindowListener listener) {
    return new Streaming(k, k, listener, true);
  }

  /** {@link #chunked(int, BpttWindowListener)} without a listener. */
  static Streaming chunked(int k) {
    return chunked(k, BpttWindowListener.NONE);
  }

  /**
   * Randomized unbiased truncation (ARTBP, Tallec &amp; Ollivier 2017): truncation points drawn
   * with probability c_t from {@code schedule}; where the flow continues past step t the
   * back-propagated δ is multiplied by 1/(1 − c_t), so the expected gradient is exact.
   *
   * @param schedule c_t as a function of the steps since the last truncation
   * @param random the caller's seeded generator (reproducible runs)
   */
  static Randomized randomized(TruncationSchedule schedule, RandomGenerator random) {
    return new Randomized(schedule, random);
  }

  /**
   * Checkpointed BPTT with segments of s = ⌈√T⌉ steps (see {@link
   * Checkpointed#segmentLength(int)}).
   */
  static Checkpointed checkpointed() {
    return Checkpointed.SquareRoot.INSTANCE;
  }

  /**
   * Checkpointed BPTT with segments of {@code segment} steps (capped at T).
   *
   * @param segment s ≥ 1
   */
  static Checkpointed checkpointed(int segment) {
    return new Checkpointed.Fixed(segment);
  }

  /**
   * Checkpointed BPTT within a memory budget: the longest segment whose stored states fit {@code
   * states} (see {@link Checkpointed#storedStates(int)}).
   *
   * @param states the most hidden states [B][H] to hold, ≥ 2
   */
  static Checkpointed checkpointedWithBudget(int states) {
    return new Checkpointed.Budget(states);
  }

  /**
   * Hidden states [B][H] a workspace for this strategy holds for sequences of {@code steps} steps:
   * the memory the strategy needs besides its δ and output buffers.
   *
   * @param steps T ≥ 1
   */
  int storedStates(int steps);

  /** See {@link #full()}. */
  record Full() implements BpttStrategy {
    private static final Full INSTANCE = new Full();

    @Override
    public int storedStates(int steps) {
      return steps + 1;
    }
  }

  /**
   * See {@link #truncated(int)}.
   *
   * @param tau τ ≥ 1
   */
  record Truncated(int tau) implements BpttStrategy {
    /** Validates τ. */
    public Truncated {
      Checks.positive("tau", tau);
    }

    @Override
    public int storedStates(int steps) {
      return steps + 1;
    }
  }

  /**
   * See {@link #streaming(int, int, BpttWindowListener)}.
   *
   * @param k1 steps between backward passes
   * @param k2 steps each backward pass reaches
   * @param listener called after each window ({@link BpttWindowListener#NONE} for none)
   */
  record Streaming(int k1, int k2, BpttWindowListener listener, boolean chunkAligned)
      implements BpttStrategy {
    /** Streaming TBPTT(k1, k2) with windows of full reach: each window [max(1, e − k2 + 1), e]. */
    public Streaming(int k1, int k2, BpttWindowListener listener) {
      this(k1, k2, listener, false);
    }

    /**
     * Validates 1 ≤ k1 ≤ k2 and a non-null listener. With {@code chunkAligned} a window reaches k2
     * − k1 steps before its own chunk of new steps (so a last, shorter chunk reaches less far:
     * PyTorch's split-and-detach for k1 = k2); without, every window reaches k2 steps back from its
     * end.
     */
    public Streaming {
      Checks.notNull("listener", listener);
      Checks.positive("k1", k1);
      if (k2 < k1) {
        throw new IllegalArgumentException(
            "k2 must be >= k1 (each loss is backpropagated in exactly one window, "
                + "which must reach back to it), got k1="
                + k1
                + " k2="
                + k2);
      }
    }

    @Override
    public int storedStates(int steps) {
      return Math.min(k2, steps) + 1;
    }
  }

  /**
   * See {@link #randomized(TruncationSchedule, RandomGenerator)}.
   *
   * @param schedule the truncation probabilities
   * @param random the generator the truncation points are drawn from
   */
  record Randomized(TruncationSchedule schedule, RandomGenerator random) implements BpttStrategy {
    /** Rejects nulls. */
    public Randomized {
      Checks.notNull("schedule", schedule);
      Checks.notNull("random", random);
    }

    @Override
    public int storedStates(int steps) {
      return steps + 1;
    }
  }

  /**
   * Checkpointed BPTT: see {@link #checkpointed()}, {@link #checkpointed(int)} and {@link
   * #checkpointedWithBudget(int)}, one record per way of choosing the segment length.
   */
  sealed interface Checkpointed extends BpttStrategy {

    /**
     * The segment length s used for T steps.
     *
     * @param steps T ≥ 1
     * @throws IllegalArgumentException if a budget is below the least any s needs
     */
    int segmentLength(int steps);

    @Override
    default int storedStates(int steps) {
      return Checkpointed.storedStates(steps, segmentLength(steps));
    }

    /**
     * Segments of ⌈√T⌉ steps, or T where ⌈√T⌉ would store no fewer states than full BPTT (T ≤ 5).
     */
    record SquareRoot() implements Checkpointed {
      private static final SquareRoot INSTANCE = new SquareRoot();

      @Override
      public int segmentLength(int steps) {
        Checks.positive("steps (T)", steps);
        // For small T the checkpoints can cost more than storing everything (T = 3: 5 > 4).
        int s = ceilSqrt(steps);
        return s < steps && Checkpointed.storedStates(steps, s) < steps + 1L ? s : steps;
      }
    }

    /**
     * Segments of a given length (capped at T).
     *
     * @param segment s ≥ 1
     */
    record Fixed(int segment) implements Checkpointed {
      /** Validates s ≥ 1. */
      public Fixed {
        Checks.positive("segment", segment);
      }

      @Override
      public int segmentLength(int steps) {
        Checks.positive("steps (T)", steps);
        return Math.min(segment, steps);
      }
    }

    /**
     * The longest segment whose {@link #storedStates(int, int) stored states} fit a budget.
     *
     * @param states the most hidden states [B][H] to hold, ≥ 2
     */
    record Budget(int states) implements Checkpointed {
      /** Validates the budget. */
      public Budget {
        if (states < 2) {
          throw new IllegalArgumentException("state budget must be >= 2, got " + states);
        }
      }

      @Override
      public int segmentLength(int steps) {
        Checks.positive("steps (T)", steps);
        for (int s = Math.min(steps, states); s >= 1; s--) {
          if (Checkpointed.storedStates(steps, s) <= states) {
            return s;
          }
        }
        // ⌈T/s⌉ + s + 1 ≥ T/s + s + 1 = 2√T + 1 + (s − √T)²/s: no s with (s − √T)² > 2s can beat
        // s = ⌈√T⌉ (at most 2√T + 3), so the window |s − √T| ≤ 3·T^¼ + 3 holds the minimum (a scan
        // of every s took ~2³¹ steps for T near 2³¹).
        long least = steps + 1L;
        int at = steps;
        int root = (int) Math.sqrt(steps);
        int w = 3 * (int) Math.sqrt(root) + 3;
        for (int s = Math.max(1, root - w); s <= Math.min(steps - 1, root + w); s++) {
          if (Checkpointed.storedStates(steps, s) < least) {
            least = Checkpointed.storedStates(steps, s);
            at = s;
          }
        }
        throw new IllegalArgumentException(
            "state budget "
                + states
                + " is too small for T="
                + steps
                + ": checkpointing needs at least "
                + least
                + " states (segment "
                + at
                + ")");
      }
    }

    /**
     * States held with segments of s steps: the starts of all segments but the last (⌈T/s⌉ − 1),
     * one buffer of s + 1 states for the segment being processed, and h_T (one more, kept because
     * the buffer is overwritten in the backward pass): ⌈T/s⌉ + s + 1; for s ≥ T nothing is
     * recomputed and the buffer alone holds h_0..h_T: T + 1.
     *
     * @param steps T ≥ 1
     * @param s segment length ≥ 1
     * @throws IllegalArgumentException if T or s is below 1, or the count exceeds an int (only for
     *     s ≥ T = 2³¹ − 1)
     */
    static int storedStates(int steps, int s) {
      Checks.positive("steps (T)", steps);
      Checks.positive("s (segment length)", s);
      long states = s >= steps ? steps + 1L : (long) segments(steps, s) + s + 1;
      if (states > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "T="
                + steps
                + " with segments of "
                + s
                + " stores "
                + states
                + " states, more than an int");
      }
      return (int) states;
    }

    /**
     * ⌈T/s⌉, the number of segments of at most s steps (in long arithmetic: T + s − 1 overflows an
     * int near 2³¹).
     *
     * @throws IllegalArgumentException if T or s is below 1
     */
    static int segments(int steps, int s) {
      Checks.positive("steps (T)", steps);
      Checks.positive("s (segment length)", s);
      return (int) ((steps + (long) s - 1) / s);
    }

    /** ⌈√n⌉ for n ≥ 1, exact in integers. */
    private static int ceilSqrt(int n) {
      int r = (int) Math.sqrt(n);
      while ((long) r * r < n) {
        r++;
      }
      while (r > 1 && (long) (r - 1) * (r - 1) >= n) {
        r--;
      }
      return r;
    }
  }
}
