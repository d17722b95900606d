package dev.bptt.bench.clip;

import dev.bptt.bench.Inputs;
import dev.bptt.bench.KernelBenchmark;
import dev.bptt.kernel.clip.ClipResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What every clipping benchmark shares: a gradient buffer of {@code size} floats clipped in place
 * (with its seeded initial contents, to reset it in the setup-time agreement check), the result
 * holder, thresholds that alternate between two values so that every timed call really scales, and
 * the {@code System.arraycopy} baseline over the same buffer (one read + one write).
 */
@State(Scope.Benchmark)
public abstract class ClipBufferBenchmark extends KernelBenchmark {
  @Param({"1024", "65536", "1048576", "16777216"})
  public int size;

  /** The buffer's initial contents. */
  protected float[] g0;

  /** The buffer every call clips in place. */
  protected float[] g;

  protected final ClipResult out = new ClipResult();
  private float[] copy;
  private double lo;
  private double hi;
  private boolean low;

  /** g0 = seeded U(−1, 1) of {@code size} floats, g = a copy of it, and the arraycopy target. */
  protected void buffers(long seed) {
    g0 = Inputs.uniform(seed, size);
    g = g0.clone();
    copy = new float[size];
  }

  /** Restores g to g0 (between the implementations of the agreement check). */
  protected void reset() {
    System.arraycopy(g0, 0, g, 0, size);
  }

  /** Thresholds for the timed calls: lo, hi, lo, … starting with lo. */
  protected void alternate(double lo, double hi) {
    this.lo = lo;
    this.hi = hi;
    this.low = false;
  }

  /** The next threshold of the alternation. */
  protected double next() {
    low = !low;
    return low ? lo : hi;
  }

  @Benchmark
  public float[] arraycopy() {
    System.arraycopy(g, 0, copy, 0, size);
    return copy;
  }
}
