package dev.bptt.bench;

/**
 * How long JMH measures one benchmark/parameter combination: {@code forks} JVMs, each running
 * {@code warmupIterations} × {@code warmupMillis} of warm-up, then {@code measurementIterations} ×
 * {@code measurementMillis} of measurement.
 */
public record Timing(
    int forks,
    int warmupIterations,
    int warmupMillis,
    int measurementIterations,
    int measurementMillis) {
  public Timing {
    if (forks < 1
        || warmupIterations < 0
        || warmupMillis < 1
        || measurementIterations < 1
        || measurementMillis < 1) {
      throw new IllegalArgumentException(
          "timing needs forks ≥ 1, warm-up iterations ≥ 0, "
              + "measurement iterations ≥ 1 and times ≥ 1 ms, got "
              + this);
    }
  }

  /**
   * At least {@code iterations} × {@code millis} of warm-up, for benchmarks whose cold JVM runs
   * slowly for a while: a whole RNN sequence executes its Vector API code interpreted or in C1
   * (every vector boxed, ~100× slower) until C2 has compiled the kernels, which took up to ~1 s per
   * fork here, and 2 × 300 ms left an allocating, slow first measured iteration.
   */
  public Timing withWarmup(int iterations, int millis) {
    return new Timing(
        forks,
        Math.max(warmupIterations, iterations),
        Math.max(warmupMillis, millis),
        measurementIterations,
        measurementMillis);
  }

  /**
   * The same iterations with {@code n} forks: a section that pairs forks of two benchmarks runs
   * rounds of one fork each.
   */
  public Timing withForks(int n) {
    return new Timing(n, warmupIterations, warmupMillis, measurementIterations, measurementMillis);
  }

  /** The same counts with both iteration times set to {@code millis} (for slow operations). */
  public Timing withIterationMillis(int millis) {
    return new Timing(forks, warmupIterations, millis, measurementIterations, millis);
  }

  /** Lower bound of the time spent per combination, JVM start-up not included. */
  public long millisPerCombination() {
    return (long) forks
        * (warmupIterations * (long) warmupMillis
            + measurementIterations * (long) measurementMillis);
  }

  /** For report headers, e.g. {@code "2 forks × (2×300 ms warm-up + 3×300 ms)"}. */
  public String describe() {
    return forks
        + (forks == 1 ? " fork" : " forks")
        + " × ("
        + warmupIterations
        + "×"
        + warmupMillis
        + " ms warm-up + "
        + measurementIterations
        + "×"
        + measurementMillis
        + " ms measured)";
  }
}
