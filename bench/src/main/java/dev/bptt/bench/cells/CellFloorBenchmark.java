package dev.bptt.bench.cells;

import dev.bptt.bench.BenchJvm;
import dev.bptt.bench.Inputs;
import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.rnn.StackLayout;
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
 * floor, for each layer T × (gemv + gemvᵀ) of that layer's [G·H][H] recurrent matrix, once each,
 * their order alternating; {@link FloorTimes} sums each side per iteration. Measured apart, the two
 * medians of a few milliseconds came from runs minutes apart on a VM whose speed drifts (the same
 * code gave a 2-layer LSTM 1.60× and 1.75× its floor in two runs); side by side both sides see the
 * same machine.
 *
 * <p>The floor reads the pass's own recurrent matrices, W_hh of each layer inside the pass's
 * parameter array, as {@link CellReferenceBenchmark#gemvFloor} reads a matrix of its own: where the
 * GC puts an array decides how its 1 KiB rows fall on 64-byte lines, and a 1024 × 256 gemv took
 * 10.1–10.3 µs from the one float offset (of 16) whose rows are line-aligned against 11.7–13.7 µs
 * from the others (thread CPU time, Zen 5), so two arrays would put a lottery of up to 1.2× into
 * the ratio. The pass's state is {@link CellBenchmark}'s own, set up and checked as it sets it up;
 * the floor's products are checked against a double reference here.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 3,
    jvmArgsAppend = {BenchJvm.ADD_VECTOR_MODULE, BenchJvm.ALLOW_UNSAFE, "-Xms2g", "-Xmx2g"})
public class CellFloorBenchmark {
  static final int T = CellBenchmark.T;

  @Param({"ELMAN", "GRU", "LSTM"})
  String cell;

  @Param({"256"})
  int hidden;

  @Param({"1"})
  int layers;

  private final CellBenchmark pass = new CellBenchmark();
  private float[] params;
  private int rows;
  private int[] offHh;
  private float[] v;
  private float[] y;
  private float[] u;

  @Setup(Level.Trial)
  public void setup() {
    pass.cell = cell;
    pass.hidden = hidden;
    pass.batch = 1;
    pass.layers = layers;
    pass.setup();
    params = pass.params();
    StackLayout layout = pass.network().layout();
    rows = layout.gateRows();
    offHh = new int[layers];
    for (int l = 0; l < layers; l++) {
      offHh[l] = layout.offWeightHh(l);
    }
    v = Inputs.uniform(16, hidden);
    y = new float[rows];
    u = new float[hidden];
    for (int l = 0; l < layers; l++) {
      CellReferenceBenchmark.checkGemvPair(
          "floor, layer " + l, rows, hidden, params, offHh[l], v, y, u);
    }
  }

  /** For each layer, T × (y ← W_hh·v, u ← W_hhᵀ·y) on the pass's own W_hh. */
  private float floor() {
    for (int off : offHh) {
      for (int t = 0; t < T; t++) {
        Blas.gemv(rows, hidden, 1f, params, off, hidden, v, 0, 0f, y, 0);
        Blas.gemvT(rows, hidden, 1f, params, off, hidden, y, 0, 0f, u, 0);
      }
    }
    return u[0];
  }

  /** One forward+backward and the floor, in alternating order; returns both for the Blackhole. */
  @Benchmark
  public float paired(FloorTimes times) {
    boolean floorFirst = times.floorFirst();
    float s = 0;
    long passNs = 0, floorNs = 0;
    for (int side = 0; side < 2; side++) {
      long t0 = System.nanoTime();
      if ((side == 0) == floorFirst) {
        s += floor();
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
