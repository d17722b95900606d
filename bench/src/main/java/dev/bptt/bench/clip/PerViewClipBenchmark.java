package dev.bptt.bench.clip;

import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * How fast is per-view norm clipping (Keras {@code clipnorm}: each of {@value #VIEWS} equal views
 * of one flat buffer clipped to its own L2 norm θ, strict rule) over {@code size} floats, beside
 * plain scalar loops and beside {@code System.arraycopy} of the buffer.
 *
 * <p>Every call scales every view, by the device of {@link GlobalNormClipBenchmark}: loss scale ¼
 * and θ alternating between θ_hi = ‖view 0‖ at setup and θ_lo = θ_hi/2, so each view's raw norm
 * alternates between θ_lo and θ_hi with factors of about ½ and 2. Traffic per call: 12·size bytes
 * (norm pass, scale pass) vs 8·size for arraycopy.
 */
@State(Scope.Benchmark)
public class PerViewClipBenchmark extends ClipBufferBenchmark {
  /** Number of views the buffer is split into (a small model's tensors). */
  static final int VIEWS = 8;

  private TensorGroup views;
  private GradientClipper clipper;

  @Setup
  public void setup() {
    buffers(32);
    int len = size / VIEWS;
    TensorView[] vs = new TensorView[VIEWS];
    for (int v = 0; v < VIEWS; v++) {
      vs[v] = TensorView.vector("v" + v, g, v * len, len);
    }
    views = TensorGroup.of(vs);
    clipper = GradientClipper.of(ClipRule.STRICT).withLossScale(GlobalNormClipBenchmark.LOSS_SCALE);
    double[] norms = new double[VIEWS];
    for (int i = 0; i < size; i++) {
      norms[i / len] += (double) g0[i] * g0[i];
    }
    double thetaHi = Math.sqrt(norms[0]);
    double thetaLo = thetaHi / 2;
    // One clip with θ_lo from the initial buffer: each view's true norm 4·Nᵥ > θ_lo, factor
    // θ_lo/Nᵥ.
    double[] ref = new double[size];
    for (int i = 0; i < size; i++) {
      ref[i] = g0[i] * (thetaLo / Math.sqrt(norms[i / len]));
    }
    ClipAgreement.check(
        "per-view clip size=" + size,
        ref,
        g,
        this::reset,
        Map.of(
            "ours",
            () -> clipper.clipPerView(views, thetaLo, out),
            "naive",
            () -> naiveClip(g, len, thetaLo)),
        Map.of(
            "ours",
            ClipAgreement.scaled(ClipAgreement.oursNorm(len)),
            "naive",
            ClipAgreement.scaled(ClipAgreement.naiveNorm(len))));
    alternate(thetaLo, thetaHi);
  }

  @Benchmark
  public ClipResult ours() {
    return clipper.clipPerView(views, next(), out);
  }

  @Benchmark
  public float naive() {
    return naiveClip(g, size / VIEWS, next());
  }

  /** Per view: float sum of squares, then one scale loop; returns the last view's norm. */
  static float naiveClip(float[] g, int len, double theta) {
    float norm = 0f;
    for (int off = 0; off < VIEWS * len; off += len) {
      float ss = 0f;
      for (int i = off; i < off + len; i++) {
        ss += g[i] * g[i];
      }
      norm = (float) Math.sqrt(ss) / GlobalNormClipBenchmark.LOSS_SCALE;
      if (!Float.isFinite(norm)) {
        throw new ArithmeticException("non-finite gradient norm " + norm);
      }
      float f = (norm > theta ? (float) theta / norm : 1f) / GlobalNormClipBenchmark.LOSS_SCALE;
      for (int i = off; i < off + len; i++) {
        g[i] *= f;
      }
    }
    return norm;
  }
}
