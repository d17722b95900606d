package dev.bptt.bench.strategy;

import dev.bptt.bench.BenchJvm;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.bptt.TruncationSchedule;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What does randomized unbiased truncation (ARTBP, polynomial tail, mean segment L₀) cost per
 * sequence of {@link StrategyProblem}? It is full BPTT plus T − 1 draws, with the recurrent product
 * skipped at each truncation point; compare with {@link CheckpointBenchmark#full()} at the same T.
 * The generator is seeded once per trial and keeps running, so each call draws new truncation
 * points (≈ T/L₀ of them).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {BenchJvm.ADD_VECTOR_MODULE, BenchJvm.ALLOW_UNSAFE, "-Xms2g", "-Xmx2g"})
public class ArtbpBenchmark {
  @Param({"256", "1024", "4096"})
  int steps;

  @Param({"32"})
  double meanLength;

  @Param({"4"})
  double alpha;

  private StrategyProblem problem;
  private BpttStrategy randomized;
  private BpttWorkspace ws;

  /** The strategy {@link #randomized()} runs, drawing from a generator seeded with {@code seed}. */
  public static BpttStrategy strategy(double meanLength, double alpha, long seed) {
    return BpttStrategy.randomized(
        TruncationSchedule.polynomialTail(meanLength, alpha), new SplittableRandom(seed));
  }

  /** Hidden states held by the workspace at T = steps. */
  public static int storedStates(int steps) {
    return StrategyProblem.storedStates(strategy(32, 4, 0), steps);
  }

  @Setup(Level.Trial)
  public void setup() {
    problem = new StrategyProblem(steps);
    randomized = strategy(meanLength, alpha, 42);
    ws = problem.workspace(randomized);
  }

  @Benchmark
  public float randomized() {
    return problem.run(randomized, ws);
  }
}
