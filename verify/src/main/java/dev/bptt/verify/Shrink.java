package dev.bptt.verify;

import java.util.Arrays;
import java.util.function.Function;

/**
 * Minimal shrinking for seeded property tests: given the dimensions of a failing case and a check
 * that rebuilds the case from (seed, dimensions) and returns a failure message or null, halve one
 * dimension at a time while the case still fails, then report the smallest.
 */
public final class Shrink {
  private Shrink() {}

  /**
   * Runs {@code check} on {@code dims}; if it fails, shrinks and throws an {@link AssertionError}
   * naming the seed, the original and the shrunk dimensions and the shrunk failure message.
   *
   * @param seed the case's seed (printed, so the case reruns with -Dprop.seed)
   * @param dims the case's dimensions (sizes; each is halved towards 0 while failing)
   * @param check rebuilds the case for given dimensions, returns null when it passes, else a
   *     message
   */
  public static void check(long seed, int[] dims, Function<int[], String> check) {
    String failure = check.apply(dims);
    if (failure == null) {
      return;
    }
    int[] best = dims.clone();
    String bestMsg = failure;
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int d = 0; d < best.length; d++) {
        if (best[d] == 0) {
          continue;
        }
        int[] cand = best.clone();
        cand[d] = best[d] / 2;
        String msg;
        try {
          msg = check.apply(cand);
        } catch (RuntimeException e) {
          msg = null; // a shrunk case that is not valid input does not count as the same failure
        }
        if (msg != null) {
          best = cand;
          bestMsg = msg;
          progress = true;
        }
      }
    }
    throw new AssertionError(
        "property failed for seed="
            + seed
            + " dims="
            + Arrays.toString(dims)
            + "; shrunk to dims="
            + Arrays.toString(best)
            + ": "
            + bestMsg
            + " (rerun: -Dprop.seed="
            + seed
            + " -Dprop.trials=1)");
  }
}
