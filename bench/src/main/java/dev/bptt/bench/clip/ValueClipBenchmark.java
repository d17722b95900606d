package dev.bptt.bench.clip;

import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.TensorView;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * How fast is value clipping (PyTorch {@code clip_grad_value_}: gᵢ ← clamp(gᵢ, −c, c)) of one
 * buffer of {@code size} floats, with the non-finite check done before any write, beside plain
 * scalar loops (a finiteness loop, then a clamp loop) and beside {@code System.arraycopy}.
 *
 * <p><b>Every call must write.</b> Once clamped, a buffer is within [−c, c] and a second clip only
 * reads it (our kernel skips the write when max|gᵢ| ≤ c). Each call therefore unscales by loss
 * scale ½ (gᵢ ← clamp(2·bufᵢ, −c, c)): both passes run on every call. The values settle at ±c after
 * a few calls; the clamp is branch-free, so its cost does not depend on them. Traffic per call:
 * 12·size bytes (max pass, clamp pass) vs 8·size for arraycopy.
 */
@State(Scope.Benchmark)
public class ValueClipBenchmark extends ClipBufferBenchmark {
  private static final float LOSS_SCALE = 0.5f;
  private static final float C = 0.5f;

  private TensorView view;
  private GradientClipper clipper;

  @Setup
  public void setup() {
    buffers(33);
    view = TensorView.of(g);
    clipper = GradientClipper.of(ClipRule.STRICT).withLossScale(LOSS_SCALE);
    // 2·x is exact and the clamp is exact: both must match the reference bit for bit.
    double[] ref = new double[size];
    for (int i = 0; i < size; i++) {
      ref[i] = Math.max(-C, Math.min(C, 2.0 * g0[i]));
    }
    ClipAgreement.check(
        "value clip size=" + size,
        ref,
        g,
        this::reset,
        Map.of("ours", () -> clipper.clipValue(view, C, out), "naive", () -> naiveClip(g)),
        Map.of("ours", 0.0, "naive", 0.0));
  }

  @Benchmark
  public ClipResult ours() {
    return clipper.clipValue(view, C, out);
  }

  @Benchmark
  public float[] naive() {
    naiveClip(g);
    return g;
  }

  /** As a user would write it with the same guarantee: check every entry, then clamp. */
  static void naiveClip(float[] g) {
    for (float v : g) {
      if (!Float.isFinite(v)) {
        throw new ArithmeticException("non-finite gradient entry " + v);
      }
    }
    float inv = 1f / LOSS_SCALE;
    for (int i = 0; i < g.length; i++) {
      g[i] = Math.max(-C, Math.min(C, g[i] * inv));
    }
  }
}
