package dev.bptt.verify.strategy;

import dev.bptt.verify.Gen;

/**
 * The sizes of a random strategy case, drawn from its seed as the {@code int[]} that {@link
 * dev.bptt.verify.Shrink} halves, with named indices: T, B, D, H, O of the {@link RnnCase}, a
 * checkpoint segment, streaming k1 and k2 − k1, a truncation τ, and how much larger a workspace's
 * capacity is than the case (extra T and B). Shared by the strategy tests so that each reads {@code
 * d[SEGMENT]} rather than a position.
 */
final class StrategyDims {
  static final int STEPS = 0;
  static final int BATCH = 1;
  static final int INPUT = 2;
  static final int HIDDEN = 3;
  static final int OUTPUT = 4;
  static final int SEGMENT = 5;
  static final int K1 = 6;
  static final int K2_EXTRA = 7;
  static final int TAU = 8;
  static final int EXTRA_STEPS = 9;
  static final int EXTRA_BATCH = 10;

  private StrategyDims() {}

  /**
   * T in 1..40, B in 1..3, D in 0..6, H in 1..19, O in 0..4, s, k1, τ in 1..T+1, k2 − k1 in 0..T.
   */
  static int[] draw(long seed) {
    Gen g = new Gen(seed);
    int steps = g.size(1, 40);
    return new int[] {
      steps,
      1 + g.random().nextInt(3),
      g.size(0, 6),
      g.size(1, 19),
      g.size(0, 4),
      1 + g.random().nextInt(steps + 1),
      1 + g.random().nextInt(steps + 1),
      g.random().nextInt(steps + 1),
      1 + g.random().nextInt(steps + 1),
      1 + g.random().nextInt(9),
      g.random().nextInt(3)
    };
  }

  /** False for a shrunk array that no longer describes a case (Shrink then skips it). */
  static boolean valid(int[] d) {
    return d[STEPS] >= 1
        && d[BATCH] >= 1
        && d[INPUT] >= 0
        && d[HIDDEN] >= 1
        && d[OUTPUT] >= 0
        && d[SEGMENT] >= 1
        && d[K1] >= 1
        && d[K2_EXTRA] >= 0
        && d[TAU] >= 1
        && d[EXTRA_STEPS] >= 0
        && d[EXTRA_BATCH] >= 0;
  }

  /** The case these sizes describe. */
  static RnnCase rnnCase(long seed, int[] d) {
    return RnnCase.random(seed, d[INPUT], d[HIDDEN], d[OUTPUT], d[STEPS], d[BATCH]);
  }
}
