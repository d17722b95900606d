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
 * How fast is global-norm clipping (L2, strict rule) of one flat buffer of {@code size} floats (4
 * KiB to 64 MiB), beside the same algorithm as plain scalar loops with float accumulation and
 * beside {@code System.arraycopy} of the same buffer.
 *
 * <p><b>Every call must scale.</b> A clip leaves the buffer's norm at θ, so clipping the same
 * buffer again would be a no-op (norm pass only). Each call therefore clips under loss scale s =
 * 1/4 (the buffer holds s·g, so the true norm is 4 × the raw norm) with θ alternating between θ_lo
 * = N₀/2 and θ_hi = N₀ (N₀ = the initial raw norm): the true norm is always above θ, so every call
 * applies a factor θ/raw norm of about ½ or 2, and the raw norm alternates between θ_lo and θ_hi
 * (renormalized each call, so it cannot drift). ours and naive run the very same sequence; nothing
 * is copied or restored inside the timed region. Traffic per call: ours and naive read the buffer
 * twice and write it once (12·size bytes); arraycopy reads and writes it once (8·size bytes).
 */
@State(Scope.Benchmark)
public class GlobalNormClipBenchmark extends ClipBufferBenchmark {
  /** Loss scale below 1, so that the true norm stays above both thresholds (see class comment). */
  static final float LOSS_SCALE = 0.25f;

  private TensorView view;
  private GradientClipper clipper;

  @Setup
  public void setup() {
    buffers(31);
    view = TensorView.of(g);
    clipper = GradientClipper.of(ClipRule.STRICT).withLossScale(LOSS_SCALE);
    double ss = 0;
    for (float v : g0) {
      ss += (double) v * v;
    }
    double thetaHi = Math.sqrt(ss);
    double thetaLo = thetaHi / 2;
    // One clip with θ_lo from the initial buffer: true norm 4·N₀ > θ_lo, factor θ_lo/N₀ = ½.
    double[] ref = new double[size];
    for (int i = 0; i < size; i++) {
      ref[i] = 0.5 * g0[i];
    }
    ClipAgreement.check(
        "global-norm clip size=" + size,
        ref,
        g,
        this::reset,
        Map.of(
            "ours",
            () -> clipper.clipGlobalNorm(view, thetaLo, out),
            "naive",
            () -> naiveClip(g, thetaLo)),
        Map.of(
            "ours",
            ClipAgreement.scaled(ClipAgreement.oursNorm(size)),
            "naive",
            ClipAgreement.scaled(ClipAgreement.naiveNorm(size))));
    alternate(thetaLo, thetaHi); // the buffer is back at N₀ = θ_hi: the first timed call uses θ_lo
  }

  @Benchmark
  public ClipResult ours() {
    return clipper.clipGlobalNorm(view, next(), out);
  }

  @Benchmark
  public float naive() {
    return naiveClip(g, next());
  }

  /** The same clip as a user would write it: float sum of squares, one check, one scale loop. */
  static float naiveClip(float[] g, double theta) {
    float ss = 0f;
    for (float v : g) {
      ss += v * v;
    }
    float norm = (float) Math.sqrt(ss) / LOSS_SCALE;
    if (!Float.isFinite(norm)) {
      throw new ArithmeticException("non-finite gradient norm " + norm);
    }
    float f = (norm > theta ? (float) theta / norm : 1f) / LOSS_SCALE;
    for (int i = 0; i < g.length; i++) {
      g[i] *= f;
    }
    return norm;
  }
}
