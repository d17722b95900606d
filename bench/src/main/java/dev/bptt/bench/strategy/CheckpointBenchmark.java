package dev.bptt.bench.strategy;

import dev.bptt.bench.BenchJvm;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.rnn.RnnWorkspace;
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
 * What does checkpointed BPTT (segments of ⌈√T⌉ steps, every segment but the last recomputed in the
 * backward pass) cost in time against full BPTT, for the memory it saves? One sequence of {@link
 * StrategyProblem} per call. The report takes time ratio = checkpointed / full at each T and memory
 * ratio from {@link #storedStates(String, int)} (full: T + 1 states; checkpointed: ⌈T/s⌉ + s + 1 ≤
 * 2⌈√T⌉ + 1) or {@link StrategyProblem#workspaceFloats}. The cost model predicts about one extra
 * forward pass, i.e. ≈ +1/3 if a backward step costs two forward steps.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {BenchJvm.ADD_VECTOR_MODULE, BenchJvm.ALLOW_UNSAFE, "-Xms2g", "-Xmx2g"})
public class CheckpointBenchmark {
  @Param({"256", "1024", "4096"})
  int steps;

  private StrategyProblem problem;
  private final BpttStrategy full = strategy("full");
  private final BpttStrategy checkpointed = strategy("checkpointed");
  private BpttWorkspace fullWs;
  private BpttWorkspace checkpointedWs;
  private RnnWorkspace forwardWs;

  /** The strategy a benchmark method of this class runs: "full" or "checkpointed". */
  public static BpttStrategy strategy(String benchmark) {
    return switch (benchmark) {
      case "full" -> BpttStrategy.full();
      case "checkpointed" -> BpttStrategy.checkpointed();
      default ->
          throw new IllegalArgumentException(
              "no benchmark " + benchmark + " in CheckpointBenchmark");
    };
  }

  /** Hidden states held by the workspace of a benchmark method at T = steps. */
  public static int storedStates(String benchmark, int steps) {
    return StrategyProblem.storedStates(strategy(benchmark), steps);
  }

  @Setup(Level.Trial)
  public void setup() {
    problem = new StrategyProblem(steps);
    fullWs = problem.workspace(full);
    checkpointedWs = problem.workspace(checkpointed);
    forwardWs = new RnnWorkspace(StrategyProblem.RNN, problem.shape);
  }

  @Benchmark
  public float full() {
    return problem.run(full, fullWs);
  }

  @Benchmark
  public float checkpointed() {
    return problem.run(checkpointed, checkpointedWs);
  }

  /**
   * The forward pass alone over all T steps: the report prices checkpointing's recomputed steps at
   * this rate (the overhead target compares checkpointed − full with it).
   */
  @Benchmark
  public float forward() {
    return problem.forward(forwardWs);
  }

  /**
   * One pass of each of the three above per call, their order rotating from call to call, each
   * side's time summed in {@link RotatedTimes}: the overhead target from passes run side by side.
   */
  @Benchmark
  public float rotated(RotatedTimes times) {
    int first = times.first();
    float s = 0;
    for (int i = 0; i < 3; i++) {
      int side = (first + i) % 3;
      long t0 = System.nanoTime();
      s +=
          switch (side) {
            case 0 -> full();
            case 1 -> checkpointed();
            default -> forward();
          };
      times.add(side, System.nanoTime() - t0);
    }
    times.call();
    return s;
  }
}
