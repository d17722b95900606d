package dev.bptt.bench.report;

import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;

/**
 * The EVENTS aux counters of a side-by-side benchmark (each side's summed wall time per iteration,
 * and the calls), read per iteration and summed per fork and over the run: the ratio of two sides'
 * sums pairs every call of one with the call of the other next to it.
 *
 * @param iterations per measured iteration, the counters' values in the order asked for
 * @param forks per fork, the counters summed over its iterations
 * @param total the counters summed over all iterations of all forks
 */
public record AuxSums(List<double[]> iterations, List<double[]> forks, double[] total) {
  /** Reads {@code counters} (aux counter names, as JMH reports them) from every iteration of r. */
  public static AuxSums of(RunResult r, String... counters) {
    List<double[]> iters = new ArrayList<>(), forks = new ArrayList<>();
    double[] total = new double[counters.length];
    for (BenchmarkResult b : r.getBenchmarkResults()) {
      double[] fork = new double[counters.length];
      for (IterationResult it : b.getIterationResults()) {
        double[] v = new double[counters.length];
        for (int c = 0; c < counters.length; c++) {
          v[c] = it.getSecondaryResults().get(counters[c]).getScore();
          fork[c] += v[c];
          total[c] += v[c];
        }
        iters.add(v);
      }
      forks.add(fork);
    }
    return new AuxSums(iters, forks, total);
  }

  /** Per fork, the ratio of counter a's sum to counter b's. */
  public List<Double> forkRatios(int a, int b) {
    return forks.stream().map(f -> f[a] / f[b]).toList();
  }
}
