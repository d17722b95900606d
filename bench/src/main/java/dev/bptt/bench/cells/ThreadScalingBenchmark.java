package dev.bptt.bench.cells;

import dev.bptt.bench.BenchJvm;
import dev.bptt.kernel.rnn.BatchThreads;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackedRnn;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * How much faster is one forward+backward pass (T = 256, D = 64, loss at every step) when the
 * workspace splits it across a {@link BatchThreads} team of two threads instead of running on the
 * caller alone: at B = 32 (batch shards) and at B = 1 (each step's W_hh products split)? Both
 * workspaces serve the same network in the same fork.
 *
 * <p>Before anything is timed, {@link #setup} runs both and requires bitwise equal, finite
 * gradients (the team's guarantee).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {BenchJvm.ADD_VECTOR_MODULE, BenchJvm.ALLOW_UNSAFE, "-Xms2g", "-Xmx2g"})
public class ThreadScalingBenchmark {
  static final int T = CellBenchmark.T;
  static final int D = CellBenchmark.D;

  @Param({"ELMAN", "GRU", "LSTM"})
  String cell;

  @Param({"128", "256"})
  int hidden;

  /** 32: the batch splits across the threads; 1: each step's W_hh products split. */
  @Param({"32"})
  int batch;

  private StackedRnn net;
  private BatchThreads team;
  private RnnWorkspace one;
  private RnnWorkspace two;
  private SequenceBatch seq;
  private float[] params;
  private float[] grads;

  @Setup(Level.Trial)
  public void setup() {
    CellType c = CellType.valueOf(cell);
    net = CellInputs.network(c, hidden, 1);
    SequenceShape shape = SequenceShape.steps(T).batch(batch);
    team = BatchThreads.start(2);
    one = new RnnWorkspace(net, shape);
    two = new RnnWorkspace(net, shape, team);
    CellInputs in = CellInputs.draw(c, hidden, batch, 1, T);
    params = in.params();
    grads = new float[net.parameterCount()];
    seq =
        new SequenceBatch(net, shape)
            .input(in.x())
            .losses(LossSteps.everyStep())
            .upstream(in.dOut());
    float[] a = run(one), b = run(two);
    for (int i = 0; i < a.length; i++) {
      if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i]) || !Float.isFinite(a[i])) {
        throw new IllegalStateException(
            cell
                + " H="
                + hidden
                + ": 1 and 2 threads differ at gradient "
                + i
                + ": "
                + a[i]
                + " vs "
                + b[i]);
      }
    }
  }

  private float[] run(RnnWorkspace ws) {
    float[] g = new float[net.parameterCount()]; // the pass adds into the gradients: from 0
    net.forward(params, seq, ws);
    net.backward(params, g, seq, ws);
    return g;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    team.close();
  }

  @Benchmark
  public float twoThreads() {
    net.forward(params, seq, two);
    net.backward(params, grads, seq, two);
    return grads[0];
  }

  @Benchmark
  public float oneThread() {
    net.forward(params, seq, one);
    net.backward(params, grads, seq, one);
    return grads[0];
  }

  /**
   * One one-thread and one two-thread pass, adjacent, their order alternating from call to call
   * (neither side always runs on the caches or the clock the other left).
   */
  @Benchmark
  public float paired(PairedTimes times) {
    boolean twoFirst = times.twoFirst();
    RnnWorkspace first = twoFirst ? two : one, second = twoFirst ? one : two;
    long t0 = System.nanoTime();
    net.forward(params, seq, first);
    net.backward(params, grads, seq, first);
    long t1 = System.nanoTime();
    net.forward(params, seq, second);
    net.backward(params, grads, seq, second);
    long t2 = System.nanoTime();
    times.add(twoFirst ? t2 - t1 : t1 - t0, twoFirst ? t1 - t0 : t2 - t1);
    return grads[0];
  }
}
