package dev.bptt.bench.rnn;

import dev.bptt.bench.BenchJvm;
import dev.bptt.kernel.blas.Activation;
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
 * How long does one tanh Elman RNN sequence take with our kernels, forward and forward+backward, at
 * T = 256, D = 64? {@link RnnBaselineBenchmark} measures the naive baseline and the 2·T-gemv floor
 * in the same run.
 *
 * <p>The forward pass copies the T·B·D inputs into the workspace (so the backward pass reads them
 * even if the caller refills its array); {@link InputCopyBenchmark} measures that copy's share of
 * the forward time.
 *
 * <p>FLOPs per sequence: forward 2·T·B·H·(D + H), backward twice that (δ recursion and the two
 * weight-gradient GEMMs); the report derives GFLOP/s and steps/s from the params.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {BenchJvm.ADD_VECTOR_MODULE, BenchJvm.ALLOW_UNSAFE, "-Xms2g", "-Xmx2g"})
public class RnnBenchmark {
  static final int T = 256;
  static final int D = 64;

  @Param({"64", "128", "256", "512", "1024"})
  int hidden;

  @Param({"1", "32"})
  int batch;

  private ElmanRnn rnn;
  private RnnWorkspace ws;
  private SequenceBatch seq;
  private float[] params;
  private float[] grads;
  private float[] x;
  private float[] dOut;

  @Setup(Level.Trial)
  public void setup() {
    RnnLayout layout = new RnnLayout(D, hidden, 0);
    rnn = new ElmanRnn(layout, Activation.TANH);
    SequenceShape shape = SequenceShape.steps(T).batch(batch);
    ws = new RnnWorkspace(rnn, shape);
    RnnInputs in = RnnInputs.draw(hidden, batch);
    params = in.params();
    grads = new float[layout.size()];
    x = in.x();
    dOut = in.dOut();
    // Loss at every step (the default): the upstream [T][B][H] is the full array, as before.
    seq = new SequenceBatch(rnn, shape).input(x).upstream(dOut);
  }

  @Benchmark
  public float forward() {
    rnn.forward(params, seq, ws);
    return ws.hidden()[T * batch * hidden];
  }

  @Benchmark
  public float forwardBackward() {
    rnn.forward(params, seq, ws);
    rnn.backward(params, grads, seq, ws);
    return grads[0];
  }
}
