package dev.bptt.bench.report;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * One benchmark/parameter combination's average time per operation, in nanoseconds whatever the
 * benchmark's output unit.
 *
 * @param ns mean over all measured iterations of all forks (JMH's score)
 * @param errorNs half-width of JMH's 99.9% confidence interval (NaN with one iteration)
 * @param medianNs median of the iteration scores
 * @param samples number of measured iterations
 * @param allocBytes {@code ·gc.alloc.rate.norm} (bytes per operation) when the GC profiler ran
 */
public record Measured(
    double ns, double errorNs, double medianNs, long samples, OptionalDouble allocBytes) {
  /** Secondary result that JMH's GC profiler reports per operation. */
  public static final String ALLOC_NORM = "gc.alloc.rate.norm";

  /** The GC profiler's bytes per operation to three significant digits; empty if it did not run. */
  public Optional<String> allocText() {
    return allocBytes.isPresent()
        ? Optional.of(Fmt.sig3(allocBytes.getAsDouble()))
        : Optional.empty();
  }

  /** The GC profiler's bytes per operation in full for a CSV cell; "" if it did not run. */
  public String allocCsv() {
    return allocBytes.isPresent() ? Double.toString(allocBytes.getAsDouble()) : "";
  }

  /** Reads the primary result of an average-time run, plus the GC profiler's allocation if any. */
  public static Measured of(RunResult r) {
    BenchmarkParams p = r.getParams();
    if (p.getMode() != Mode.AverageTime) {
      throw new IllegalArgumentException(
          p.getBenchmark() + ": the report needs mode AverageTime, got " + p.getMode());
    }
    double toNs = TimeUnit.NANOSECONDS.convert(1, p.getTimeUnit());
    Result<?> primary = r.getPrimaryResult();
    OptionalDouble alloc = OptionalDouble.empty();
    for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
      if (e.getKey().endsWith(ALLOC_NORM)) {
        alloc = OptionalDouble.of(e.getValue().getScore());
      }
    }
    return new Measured(
        primary.getScore() * toNs,
        primary.getScoreError() * toNs,
        primary.getStatistics().getPercentile(50) * toNs,
        primary.getSampleCount(),
        alloc);
  }
}
