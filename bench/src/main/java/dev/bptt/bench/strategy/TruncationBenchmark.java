package dev.bptt.bench.strategy;

import dev.bptt.bench.BenchJvm;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
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
 * What does fixed truncation at τ cost per sequence of {@link StrategyProblem}, in its two forms?
 * {@code truncated}: every loss reaches back exactly τ steps (per-loss chains advanced together, T
 * GEMMs of up to τ rows × H × H, so its backward costs about τ× the recurrence of full BPTT at GEMM
 * speed); {@code streaming}: TBPTT(k1 = τ, k2 = τ), the sequence cut into windows of τ steps with
 * the state carried (d2l's "regular truncation", each loss reaching back 1..τ steps, backward work
 * equal to full BPTT's). Compare with {@link CheckpointBenchmark#full()} at the same T.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {BenchJvm.ADD_VECTOR_MODULE, BenchJvm.ALLOW_UNSAFE, "-Xms2g", "-Xmx2g"})
public class TruncationBenchmark {
  @Param({"256", "1024", "4096"})
  int steps;

  @Param({"16", "64"})
  int tau;

  private StrategyProblem problem;
  private BpttStrategy truncated;
  private BpttStrategy streaming;
  private BpttWorkspace truncatedWs;
  private BpttWorkspace streamingWs;

  /** The strategy a benchmark method of this class runs: "truncated" or "streaming", at τ. */
  public static BpttStrategy strategy(String benchmark, int tau) {
    return switch (benchmark) {
      case "truncated" -> BpttStrategy.truncated(tau);
      case "streaming" -> BpttStrategy.streaming(tau, tau);
      default ->
          throw new IllegalArgumentException(
              "no benchmark " + benchmark + " in TruncationBenchmark");
    };
  }

  /** Hidden states held by the workspace of a benchmark method at T = steps. */
  public static int storedStates(String benchmark, int tau, int steps) {
    return StrategyProblem.storedStates(strategy(benchmark, tau), steps);
  }

  @Setup(Level.Trial)
  public void setup() {
    problem = new StrategyProblem(steps);
    truncated = strategy("truncated", tau);
    streaming = strategy("streaming", tau);
    truncatedWs = problem.workspace(truncated);
    streamingWs = problem.workspace(streaming);
  }

  @Benchmark
  public float truncated() {
    return problem.run(truncated, truncatedWs);
  }

  @Benchmark
  public float streaming() {
    return problem.run(streaming, streamingWs);
  }
}
