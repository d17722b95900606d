package dev.bptt.bench.cells;

import dev.bptt.bench.BenchJvm;
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
 * How far above its floor is a one-sequence (B = 1) forward+backward pass, measured side by side?
 * Every call runs {@link CellBenchmark#forwardBackward} (T = 256, D = 64, L layers of H) and the
 * floor, L × {@link CellReferenceBenchmark#gemvFloor} (T × (gemv + gemvᵀ) of one layer's [G·H][H]
 * recurrent matrix), once each, their order alternating; {@link FloorTimes} sums each side per
 * iteration. Measured apart, the two medians of a few milliseconds came from runs minutes apart on
 * a VM whose speed drifts (the same code gave a 2-layer LSTM 1.60× and 1.75× its floor in two
 * runs); side by side both sides see the same machine. Both halves are the other classes' own
 * states, set up (and checked against their references) as those classes set them up.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 3,
    jvmArgsAppend = {BenchJvm.ADD_VECTOR_MODULE, BenchJvm.ALLOW_UNSAFE, "-Xms2g", "-Xmx2g"})
public class CellFloorBenchmark {
  @Param({"ELMAN", "GRU", "LSTM"})
  String cell;

  @Param({"256"})
  int hidden;

  @Param({"1"})
  int layers;

  private final CellBenchmark pass = new CellBenchmark();
  private final CellReferenceBenchmark floor = new CellReferenceBenchmark();

  @Setup(Level.Trial)
  public void setup() {
    pass.cell = cell;
    pass.hidden = hidden;
    pass.batch = 1;
    pass.layers = layers;
    pass.setup();
    floor.n = CellsSection.GEMM_N;
    floor.gates = dev.bptt.kernel.rnn.CellType.valueOf(cell).gates();
    floor.hidden = hidden;
    floor.setup();
  }

  /** One forward+backward and L floors, in alternating order; returns both for the Blackhole. */
  @Benchmark
  public float paired(FloorTimes times) {
    boolean floorFirst = times.floorFirst();
    float s = 0;
    long passNs = 0, floorNs = 0;
    for (int side = 0; side < 2; side++) {
      long t0 = System.nanoTime();
      if ((side == 0) == floorFirst) {
        for (int l = 0; l < layers; l++) {
          s += floor.gemvFloor();
        }
        floorNs = System.nanoTime() - t0;
      } else {
        s += pass.forwardBackward();
        passNs = System.nanoTime() - t0;
      }
    }
    times.add(passNs, floorNs);
    return s;
  }
}
