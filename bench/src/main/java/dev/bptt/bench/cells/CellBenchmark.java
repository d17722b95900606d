package dev.bptt.bench.cells;

import dev.bptt.bench.BenchJvm;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackedRnn;
import java.util.Arrays;
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
 * How long does one batch of B sequences (T = 256, D = 64, loss at every step) take through a
 * {@link StackedRnn} of Elman (tanh), GRU or LSTM cells, forward and forward+backward? The naive
 * reference ({@link CellNaiveBenchmark}), the 256³ gemm and the per-step gemv floor ({@link
 * CellReferenceBenchmark}) run in the same suite run.
 *
 * <p>Before anything is timed, {@link #setup} checks that the timed forward writes every output
 * over NaN-poisoned slots and that the first and last sequence of the batch agree with the naive
 * per-element forward pass ({@link NaiveCells}); and that the gradients of a short prefix (8 steps,
 * up to 2 sequences) agree with the naive backward pass, on the same network and workspace.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {BenchJvm.ADD_VECTOR_MODULE, BenchJvm.ALLOW_UNSAFE, "-Xms2g", "-Xmx2g"})
public class CellBenchmark {
  static final int T = 256;
  static final int D = 64;

  /** Steps of the backward check's prefix. */
  private static final int CHECK_STEPS = 8;

  @Param({"ELMAN", "GRU", "LSTM"})
  String cell;

  @Param({"64", "128", "256", "512"})
  int hidden;

  @Param({"1", "32"})
  int batch;

  @Param({"1", "2"})
  int layers;

  private StackedRnn net;
  private RnnWorkspace ws;
  private SequenceBatch seq;
  private float[] params;
  private float[] grads;
  private float[] x;
  private float[] dOut;

  /** The parameters the passes read (the floor of {@link CellFloorBenchmark} reads its W_hh). */
  float[] params() {
    return params;
  }

  /** The network the passes run. */
  StackedRnn network() {
    return net;
  }

  @Setup(Level.Trial)
  public void setup() {
    CellType c = CellType.valueOf(cell);
    net = CellInputs.network(c, hidden, layers);
    SequenceShape shape = SequenceShape.steps(T).batch(batch);
    ws = new RnnWorkspace(net, shape);
    CellInputs in = CellInputs.draw(c, hidden, batch, layers, T);
    params = in.params();
    grads = new float[net.parameterCount()];
    x = in.x();
    dOut = in.dOut();
    seq = new SequenceBatch(net, shape).input(x).losses(LossSteps.everyStep()).upstream(dOut);
    checkBackward();
    checkForward();
    Arrays.fill(grads, 0f);
  }

  /**
   * The timed forward overwrites every NaN-poisoned output y_t = h_t^(last), and sequences 0 and
   * B−1 agree with the naive forward pass on that sequence alone.
   */
  private void checkForward() {
    float[] out = ws.output();
    Arrays.fill(out, Float.NaN);
    forward();
    NaiveCells naive = new NaiveCells(net.layout(), T);
    for (int b : batch == 1 ? new int[] {0} : new int[] {0, batch - 1}) {
      naive.forward(params, CellInputs.sequence(x, T, batch, D, b));
      float[] nh = naive.lastHidden();
      for (int t = 1; t <= T; t++) {
        for (int i = 0; i < hidden; i++) {
          float o = out[ws.outputOffset(t) + b * hidden + i];
          float n = nh[naive.lastHiddenOffset(t) + i];
          // 1e-4 absolute is ~1000 ulp of |h| ≤ 1, far above the rounding of the D + H products
          // per gate row and step (σ and tanh contract errors; |W| ≤ 1/√H keeps the states
          // bounded). NaN fails.
          if (!(Math.abs(o - n) <= 1e-4f)) {
            throw new IllegalStateException(
                describe()
                    + ": forward: ours and naive disagree at t="
                    + t
                    + " b="
                    + b
                    + " i="
                    + i
                    + ": "
                    + o
                    + " vs "
                    + n);
          }
        }
      }
    }
    for (int i = 0; i < T * batch * hidden; i++) {
      if (!Float.isFinite(out[i])) {
        throw new IllegalStateException(describe() + ": forward left output " + i + " = " + out[i]);
      }
    }
  }

  /**
   * The gradients of an 8-step prefix of up to two sequences, computed with the same network and
   * workspace (a smaller shape within its capacity), agree with the naive backward pass summed over
   * those sequences: |ours − naive| ≤ 1e-3 · max|naive| for every parameter (NaN fails). Both sum
   * at most 2·8·(D + H) float products per entry; 1e-3 of the largest entry is far above their
   * rounding and far below any missing term.
   */
  private void checkBackward() {
    int bs = Math.min(batch, 2);
    SequenceShape small = SequenceShape.steps(CHECK_STEPS).batch(bs);
    float[] xs = CellInputs.prefix(x, batch, D, CHECK_STEPS, bs);
    float[] ds = CellInputs.prefix(dOut, batch, hidden, CHECK_STEPS, bs);
    SequenceBatch sb =
        new SequenceBatch(net, small).input(xs).losses(LossSteps.everyStep()).upstream(ds);
    float[] ours = new float[net.parameterCount()];
    net.forward(params, sb, ws);
    net.backward(params, ours, sb, ws);
    float[] ref = new float[ours.length];
    NaiveCells naive = new NaiveCells(net.layout(), CHECK_STEPS);
    for (int b = 0; b < bs; b++) {
      float[] xb = CellInputs.sequence(xs, CHECK_STEPS, bs, D, b);
      naive.forward(params, xb);
      naive.backward(params, xb, CellInputs.sequence(ds, CHECK_STEPS, bs, hidden, b), ref);
    }
    float max = 0f;
    for (float v : ref) {
      max = Math.max(max, Math.abs(v));
    }
    float tol = 1e-3f * max;
    for (int i = 0; i < ref.length; i++) {
      if (!(Math.abs(ours[i] - ref[i]) <= tol)) {
        throw new IllegalStateException(
            describe()
                + ": backward: ours and naive gradients disagree at parameter "
                + i
                + ": "
                + ours[i]
                + " vs "
                + ref[i]
                + " (tolerance "
                + tol
                + ")");
      }
    }
  }

  private String describe() {
    return cell + " H=" + hidden + " B=" + batch + " layers=" + layers;
  }

  @Benchmark
  public float forward() {
    net.forward(params, seq, ws);
    return ws.output()[0];
  }

  @Benchmark
  public float forwardBackward() {
    net.forward(params, seq, ws);
    net.backward(params, grads, seq, ws);
    return grads[0];
  }
}
