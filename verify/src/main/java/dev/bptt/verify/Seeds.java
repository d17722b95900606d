package dev.bptt.verify;

import java.util.stream.LongStream;

/**
 * Seeds for property tests: {@code trials} consecutive seeds from {@code base}. Both come from
 * system properties ({@code -Dprop.seed}, {@code -Dprop.trials}) so a failing case reruns exactly:
 * {@code mvn verify -Dprop.seed=<seed> -Dprop.trials=1}.
 *
 * <p>Use as {@code @ParameterizedTest(name =
 * "seed={0}") @MethodSource("dev.bptt.verify.Seeds#seeds")}.
 */
public final class Seeds {
  private Seeds() {}

  /** Base seed ({@code prop.seed}, default 20261126). */
  public static long base() {
    return Long.getLong("prop.seed", 20261126L);
  }

  /** Trial count ({@code prop.trials}, default 60). */
  public static int trials() {
    return Integer.getInteger("prop.trials", 60);
  }

  /** The seeds base, base+1, …, base+trials−1. */
  public static LongStream seeds() {
    long b = base();
    return LongStream.range(0, trials()).map(k -> b + k);
  }

  /** A smaller set (trials/4, at least 4) for expensive properties. */
  public static LongStream fewSeeds() {
    long b = base();
    return LongStream.range(0, Math.max(4, trials() / 4)).map(k -> b + k);
  }
}
