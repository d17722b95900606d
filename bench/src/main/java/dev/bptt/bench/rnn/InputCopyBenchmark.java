package dev.bptt.bench.rnn;

import dev.bptt.bench.BenchJvm;
import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
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
 * What does the input copy cost relative to the forward pass? {@link ElmanRnn#forward} copies the
 * T·B·D inputs into its workspace (so that refilling the caller's array between forward and
 * backward cannot change the gradient). This class times, at the sizes of {@link RnnBenchmark}
 * (tanh, T = 256, D = 64, the same seeded inputs), the whole forward pass ({@link #forward}, copy
 * included) and a bare {@code System.arraycopy} of the same T·B·D floats into an array of the
 * workspace copy's size ({@link #inputCopy}); the report gives copy / forward. The copy does not
 * depend on H: the param sets of {@link #inputCopy} differ only in B.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {BenchJvm.ADD_VECTOR_MODULE, BenchJvm.ALLOW_UNSAFE, "-Xms2g", "-Xmx2g"})
public class InputCopyBenchmark {
  static final int T = RnnBenchmark.T;
  static final int D = RnnBenchmark.D;

  @Param({"64", "256"})
  int hidden;

  @Param({"1", "32"})
  int batch;

  private ElmanRnn rnn;
  private RnnWorkspace ws;
  private SequenceBatch seq;
  private float[] params;
  private float[] x;
  private float[] copy;

  @Setup(Level.Trial)
  public void setup() {
    RnnLayout layout = new RnnLayout(D, hidden, 0);
    rnn = new ElmanRnn(layout, Activation.TANH);
    SequenceShape shape = SequenceShape.steps(T).batch(batch);
    ws = new RnnWorkspace(rnn, shape);
    RnnInputs in = RnnInputs.draw(hidden, batch); // the same numbers as RnnBenchmark
    params = in.params();
    x = in.x();
    seq = new SequenceBatch(rnn, shape).input(x);
    copy = new float[T * batch * D];
    checkCopy();
    checkForward();
  }

  /** The timed copy writes every float of x, bit for bit, over a NaN-poisoned destination. */
  private void checkCopy() {
    Arrays.fill(copy, Float.NaN);
    inputCopy();
    for (int i = 0; i < copy.length; i++) {
      if (Float.floatToRawIntBits(copy[i]) != Float.floatToRawIntBits(x[i])) {
        throw new IllegalStateException(
            "input copy T="
                + T
                + " B="
                + batch
                + " D="
                + D
                + ": wrote "
                + copy[i]
                + " at "
                + i
                + ", input "
                + x[i]);
      }
    }
  }

  /**
   * The timed forward writes every state h_0..h_T over NaN-poisoned slots, and the first and last
   * sequence of the batch agree with the naive per-element forward pass on that sequence alone.
   */
  private void checkForward() {
    Arrays.fill(ws.hidden(), Float.NaN);
    forward();
    float[] ours = ws.hidden();
    float[] xb = new float[T * D];
    float[] hs = new float[(T + 1) * hidden];
    for (int b : batch == 1 ? new int[] {0} : new int[] {0, batch - 1}) {
      for (int t = 0; t < T; t++) {
        System.arraycopy(x, (t * batch + b) * D, xb, t * D, D);
      }
      NaiveElman.forward(T, D, hidden, params, xb, hs);
      for (int t = 0; t <= T; t++) {
        for (int i = 0; i < hidden; i++) {
          float o = ours[ws.hiddenOffset(t) + b * hidden + i];
          float n = hs[t * hidden + i];
          // As in RnnBaselineBenchmark: 1e-4 absolute is ~1000 ulp of |h| ≤ 1 (NaN fails).
          if (!(Math.abs(o - n) <= 1e-4f)) {
            throw new IllegalStateException(
                "forward H="
                    + hidden
                    + " B="
                    + batch
                    + ": ours and naive disagree at "
                    + "t="
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
  }

  /** The whole forward pass, input copy included (as {@link RnnBenchmark#forward}). */
  @Benchmark
  public float forward() {
    rnn.forward(params, seq, ws);
    return ws.hidden()[T * batch * hidden];
  }

  /** Only the copy the forward pass makes: T·B·D floats into a separate array. */
  @Benchmark
  public float inputCopy() {
    System.arraycopy(x, 0, copy, 0, x.length);
    return copy[0];
  }
}
