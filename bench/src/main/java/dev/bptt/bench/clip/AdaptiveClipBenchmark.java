package dev.bptt.bench.clip;

import dev.bptt.bench.Inputs;
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
 * How fast is unit-wise adaptive clipping (AGC, Brock et al. 2021) of a gradient matrix of {@code
 * size} floats in rows of {@value #COLS} (hidden units) against a weight matrix of the same shape,
 * beside plain scalar loops and beside {@code System.arraycopy} of the gradient.
 *
 * <p>Every call clips every row, by the device of {@link GlobalNormClipBenchmark}: loss scale ¼ and
 * λ alternating between 1 and 2. A clipped row's raw norm becomes λ·‖Wᵢ‖ (the loss scale cancels),
 * so rows alternate between ‖Wᵢ‖ and 2‖Wᵢ‖ while the true ratio (4× raw) stays above λ: factors of
 * about ½ and 2 on every row, every call. Traffic per call: the gradient is read twice and written
 * once and the weights read once (16·size bytes) vs 8·size for arraycopy.
 */
@State(Scope.Benchmark)
public class AdaptiveClipBenchmark extends ClipBufferBenchmark {
  /** Row length: the hidden size of one unit's incoming weights. */
  static final int COLS = 256;

  private static final double EPS = GradientClipper.DEFAULT_AGC_EPSILON;

  private float[] w;
  private TensorView gv;
  private TensorView wv;
  private GradientClipper clipper;

  @Setup
  public void setup() {
    buffers(34);
    w = Inputs.uniform(35, size);
    int rows = size / COLS;
    gv = TensorView.matrix("G", g, 0, rows, COLS);
    wv = TensorView.matrix("W", w, 0, rows, COLS);
    clipper = GradientClipper.of(ClipRule.STRICT).withLossScale(GlobalNormClipBenchmark.LOSS_SCALE);
    // One clip with λ = 1 from the initial buffers: row i becomes Gᵢ·max(‖Wᵢ‖, ε)/‖Gᵢ‖ when the
    // true ratio 4‖Gᵢ‖/W* exceeds 1 (else Gᵢ/s): the reference in double.
    double[] ref = new double[size];
    for (int r = 0; r < rows; r++) {
      double gn = 0;
      double wn = 0;
      for (int j = r * COLS; j < (r + 1) * COLS; j++) {
        gn += (double) g0[j] * g0[j];
        wn += (double) w[j] * w[j];
      }
      double wStar = Math.max(Math.sqrt(wn), EPS);
      double gTrue = Math.sqrt(gn) / GlobalNormClipBenchmark.LOSS_SCALE;
      double f = (gTrue / wStar > 1 ? wStar / gTrue : 1) / GlobalNormClipBenchmark.LOSS_SCALE;
      for (int j = r * COLS; j < (r + 1) * COLS; j++) {
        ref[j] = g0[j] * f;
      }
    }
    // Two norms (G row and W row) each within δ: the factor errs by (1+δ)/(1−δ) − 1.
    double dOurs = ClipAgreement.oursNorm(COLS);
    double dNaive = ClipAgreement.naiveNorm(COLS);
    ClipAgreement.check(
        "AGC size=" + size,
        ref,
        g,
        this::reset,
        Map.of(
            "ours",
            () -> clipper.clipAdaptive(gv, wv, 1.0, EPS, out),
            "naive",
            () -> naiveClip(g, w, 1.0)),
        Map.of(
            "ours",
            ClipAgreement.scaled(2 * dOurs / (1 - dOurs)),
            "naive",
            ClipAgreement.scaled(2 * dNaive / (1 - dNaive))));
    alternate(1.0, 2.0);
  }

  @Benchmark
  public ClipResult ours() {
    return clipper.clipAdaptive(gv, wv, next(), EPS, out);
  }

  @Benchmark
  public float[] naive() {
    naiveClip(g, w, next());
    return g;
  }

  /**
   * As a user would write it: a finiteness check of G first (no write before it), then per row
   * float norms of G and W, the ratio test and a scale loop.
   */
  static void naiveClip(float[] g, float[] w, double lambda) {
    float s = GlobalNormClipBenchmark.LOSS_SCALE;
    for (float v : g) {
      if (!Float.isFinite(v)) {
        throw new ArithmeticException("non-finite gradient entry " + v);
      }
    }
    for (int off = 0; off < g.length; off += COLS) {
      float gs = 0f;
      float ws = 0f;
      for (int j = off; j < off + COLS; j++) {
        gs += g[j] * g[j];
        ws += w[j] * w[j];
      }
      float gn = (float) Math.sqrt(gs) / s;
      float wStar = Math.max((float) Math.sqrt(ws), (float) EPS);
      float f = (gn / wStar > lambda ? (float) lambda * wStar / gn : 1f) / s;
      for (int j = off; j < off + COLS; j++) {
        g[j] *= f;
      }
    }
  }
}
