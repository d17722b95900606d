package dev.bptt.bench.training;

import dev.bptt.bench.Inputs;
import dev.bptt.bench.KernelBenchmark;
import dev.bptt.kernel.training.Adam;
import dev.bptt.kernel.training.OptimizerState;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One fused Adam step over {@code size} parameters against {@code System.arraycopy} of a comparable
 * number of bytes. Adam reads θ, g, m, v and writes θ, m, v: 28 bytes per parameter. The baseline
 * copies three buffers of {@code size} floats (read 12 + write 12 = 24 bytes per parameter), the
 * closest arraycopy shape to the step's traffic; the target is ≥ 70 % of that bandwidth at
 * 16 M. The learning rate is tiny so that θ stays put over millions of calls (the cost does not
 * depend on the values).
 *
 * <p>Run by the suite's {@code training} section ({@link TrainingSection}).
 */
@State(Scope.Benchmark)
public class AdamStepBenchmark extends KernelBenchmark {
  @Param({"1048576", "16777216"})
  public int size;

  private float[] params;
  private float[] grads;
  private Adam adam;
  private OptimizerState state;
  private float[][] src;
  private float[][] dst;

  @Setup
  public void setup() {
    params = Inputs.uniform(41, size);
    grads = Inputs.uniform(42, size);
    adam = Adam.of(1e-12);
    state = adam.newState(size);
    src = new float[][] {Inputs.uniform(43, size), Inputs.uniform(44, size), new float[size]};
    dst = new float[][] {new float[size], new float[size], new float[size]};
  }

  /** One Adam step: 28 bytes per parameter. */
  @Benchmark
  public float adamStep() {
    adam.step(params, grads, state);
    return params[0];
  }

  /** Three arraycopies of {@code size} floats: 24 bytes per parameter. */
  @Benchmark
  public float arraycopyThreeBuffers() {
    for (int i = 0; i < 3; i++) {
      System.arraycopy(src[i], 0, dst[i], 0, size);
    }
    return dst[2][0];
  }
}
