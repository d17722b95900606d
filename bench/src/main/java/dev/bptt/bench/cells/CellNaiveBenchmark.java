package dev.bptt.bench.cells;

import dev.bptt.bench.BenchJvm;
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

/**
 * How long does the hand-written per-element forward+backward ({@link NaiveCells}) take for one
 * layer, B sequences one after the other, over {@code steps} steps (D = 64, loss at every step)?
 * Its cost is linear in T·B (no state but the weights outlives a sequence), so the report scales
 * the time per sequence-step to compare with {@link CellBenchmark} at T = 256 where a shorter T
 * keeps the slow baseline within the preset's time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {BenchJvm.ADD_VECTOR_MODULE, BenchJvm.ALLOW_UNSAFE, "-Xms2g", "-Xmx2g"})
public class CellNaiveBenchmark {
  @Param({"GRU", "LSTM"})
  String cell;

  @Param({"64", "256"})
  int hidden;

  @Param({"1"})
  int batch;

  @Param({"32"})
  int steps;

  private NaiveCells naive;
  private float[] params;
  private float[] grads;
  private float[][] xs;
  private float[][] dOuts;

  @Setup(Level.Trial)
  public void setup() {
    CellType c = CellType.valueOf(cell);
    StackedRnn net = CellInputs.network(c, hidden, 1);
    CellInputs in = CellInputs.draw(c, hidden, batch, 1, steps);
    params = in.params();
    grads = new float[net.parameterCount()];
    naive = new NaiveCells(net.layout(), steps);
    xs = new float[batch][];
    dOuts = new float[batch][];
    for (int b = 0; b < batch; b++) {
      xs[b] = CellInputs.sequence(in.x(), steps, batch, CellBenchmark.D, b);
      dOuts[b] = CellInputs.sequence(in.dOut(), steps, batch, hidden, b);
    }
    checkAgainstOurs(net, in);
  }

  /**
   * The timed baseline computes the same gradients as ours (the kernel's {@link StackedRnn}) on
   * these inputs: |naive − ours| ≤ 1e-3 · max|ours| per parameter (NaN fails), as in {@link
   * CellBenchmark}'s backward check.
   */
  private void checkAgainstOurs(StackedRnn net, CellInputs in) {
    SequenceShape shape = SequenceShape.steps(steps).batch(batch);
    RnnWorkspace ws = new RnnWorkspace(net, shape);
    SequenceBatch seq =
        new SequenceBatch(net, shape)
            .input(in.x())
            .losses(LossSteps.everyStep())
            .upstream(in.dOut());
    float[] ours = new float[grads.length];
    net.forward(params, seq, ws);
    net.backward(params, ours, seq, ws);
    forwardBackward();
    float max = 0f;
    for (float v : ours) {
      max = Math.max(max, Math.abs(v));
    }
    float tol = 1e-3f * max;
    for (int i = 0; i < ours.length; i++) {
      if (!(Math.abs(grads[i] - ours[i]) <= tol)) {
        throw new IllegalStateException(
            "naive "
                + cell
                + " H="
                + hidden
                + " B="
                + batch
                + " T="
                + steps
                + ": naive and ours disagree at parameter "
                + i
                + ": "
                + grads[i]
                + " vs "
                + ours[i]
                + " (tolerance "
                + tol
                + ")");
      }
    }
    java.util.Arrays.fill(grads, 0f);
  }

  /** Forward and backward of each of the B sequences in turn, gradients summed. */
  @Benchmark
  public float forwardBackward() {
    for (int b = 0; b < batch; b++) {
      naive.forward(params, xs[b]);
      naive.backward(params, xs[b], dOuts[b], grads);
    }
    return grads[0];
  }
}
