package dev.bptt.bench.rnn;

import dev.bptt.bench.BenchJvm;
import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
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
 * What are the reference points for one B = 1 sequence (T = 256, D = 64)? (a) the floor of the
 * sequential part: T gemv plus T gemvᵀ of the H×H recurrent matrix and nothing else; (b) the
 * hand-written per-element forward+backward a user would write ({@link NaiveElman}). Compared
 * against {@link RnnBenchmark} in the same run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {BenchJvm.ADD_VECTOR_MODULE, BenchJvm.ALLOW_UNSAFE, "-Xms2g", "-Xmx2g"})
public class RnnBaselineBenchmark {
  static final int T = RnnBenchmark.T;
  static final int D = RnnBenchmark.D;

  @Param({"64", "128", "256", "512", "1024"})
  int hidden;

  private float[] params;
  private float[] grads;
  private float[] x;
  private float[] dOut;
  private float[] v;
  private float[] y;
  private float[] hs;
  private float[] dh;
  private float[] dz;

  @Setup(Level.Trial)
  public void setup() {
    RnnLayout layout = new RnnLayout(D, hidden, 0);
    RnnInputs in = RnnInputs.draw(hidden, 1);
    params = in.params();
    grads = new float[layout.size()];
    x = in.x();
    dOut = in.dOut();
    v = new float[hidden];
    y = new float[hidden];
    hs = new float[(T + 1) * hidden];
    dh = new float[hidden];
    dz = new float[hidden];
    checkNaiveAgrees(layout);
  }

  /** Ours and the naive baseline agree on the forward states before anything is timed. */
  private void checkNaiveAgrees(RnnLayout layout) {
    ElmanRnn rnn = new ElmanRnn(layout, Activation.TANH);
    SequenceShape shape = SequenceShape.steps(T);
    RnnWorkspace ws = new RnnWorkspace(rnn, shape);
    rnn.forward(params, new SequenceBatch(rnn, shape).input(x), ws);
    NaiveElman.forward(T, D, hidden, params, x, hs);
    float[] ours = ws.hidden();
    for (int i = 0; i < hs.length; i++) {
      // 1e-4 absolute is ~1000 ulp of |h| ≤ 1, far above the rounding of K = D + H products
      // per step (tanh contracts errors, |W| entries ≤ 1/√H keep the recurrence stable).
      if (Math.abs(ours[i] - hs[i]) > 1e-4f) {
        throw new IllegalStateException(
            "ours and naive disagree at " + i + ": " + ours[i] + " vs " + hs[i]);
      }
    }
  }

  /** The floor: T gemv and T gemvᵀ of the H×H recurrent matrix, nothing else. */
  @Benchmark
  public float floor2TGemv() {
    int whh = D * hidden;
    for (int t = 0; t < T; t++) {
      Blas.gemv(hidden, hidden, 1f, params, whh, hidden, v, 0, 0f, y, 0);
      Blas.gemvT(hidden, hidden, 1f, params, whh, hidden, y, 0, 0f, v, 0);
    }
    return v[0];
  }

  /** Hand-written per-element forward+backward. */
  @Benchmark
  public float naiveForwardBackward() {
    NaiveElman.forward(T, D, hidden, params, x, hs);
    NaiveElman.backward(T, D, hidden, params, x, hs, dOut, grads, dh, dz);
    return grads[0];
  }
}
