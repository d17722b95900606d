package dev.bptt.verify.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.NonFinitePolicy;
import dev.bptt.kernel.clip.NormType;
import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.verify.Gen;
import dev.bptt.verify.NaiveClip;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The published conformance vectors of gradient clipping (bptt-anchors §12.5): d2l's 100 ones,
 * PyTorch's ε, TF's NaN propagation and zero norm, Keras {@code clipnorm} vs {@code
 * global_clipnorm}, AGC on a zero-initialised row, and the loss scale folded into the clip.
 */
class ClipConformanceTest {

  /** d2l 9.5: 100 gradients of 1 (norm 10), θ = 1, strict rule: every entry becomes 0.1. */
  @Test
  void hundredOnesClipToATenthUnderTheStrictRule() {
    float[] g = new float[100];
    Arrays.fill(g, 1f);
    ClipResult r = GradientClipper.of(ClipRule.STRICT).clipGlobalNorm(g, 1.0);
    assertEquals(10.0, r.totalNorm(), 0.0);
    assertEquals(0.1, r.coefficient(), 0.0);
    assertTrue(r.clipped());
    for (float x : g) {
      assertEquals(0.1f, x, 0f);
    }
  }

  /** PyTorch: c = θ/(N + 10⁻⁶), so the post-clip norm is θ·N/(N + 10⁻⁶), just below θ. */
  @Test
  void pytorchRuleLeavesTheNormAtThetaTimesNOverNPlusEpsilon() {
    float[] g = new float[100];
    Arrays.fill(g, 1f);
    ClipResult r = GradientClipper.of(ClipRule.PYTORCH).clipGlobalNorm(g, 1.0);
    double c = 1.0 / (10.0 + 1e-6);
    assertEquals(c, r.coefficient(), 0.0);
    for (float x : g) {
      assertEquals((float) c, x, 0f);
    }
    double post = NaiveClip.norm(NormType.L2, NaiveClip.values(TensorView.of(g)));
    double want = 1.0 * 10 / (10 + 1e-6);
    assertEquals(want, post, want * (NaiveClip.scaleBound() + NaiveClip.gamma(101, NaiveClip.UD)));
    assertTrue(post < 1.0);
  }

  /**
   * A norm in (θ − 10⁻⁶, θ]: PyTorch still scales by a factor just under 1; the strict rule leaves
   * it.
   */
  @Test
  void normJustAtThresholdIsScaledByPytorchButNotByStrict() {
    float[] p = {1f};
    float[] s = {1f};
    ClipResult rp = GradientClipper.of(ClipRule.PYTORCH).clipGlobalNorm(p, 1.0);
    ClipResult rs = GradientClipper.of(ClipRule.STRICT).clipGlobalNorm(s, 1.0);
    assertEquals(1 / (1 + 1e-6), rp.coefficient(), 0.0);
    assertEquals((float) (1 / (1 + 1e-6)), p[0], 0f);
    assertTrue(p[0] < 1f);
    assertEquals(1.0, rs.coefficient(), 0.0);
    assertEquals(1f, s[0], 0f);
    assertFalse(rs.clipped());
  }

  /** Pascanu writes N ≥ θ, d2l and the reference code N &gt; θ: at N = θ both leave g as it is. */
  @Test
  void normExactlyThetaIsLeftBitwise() {
    float[] g = {3f, 4f};
    ClipResult r = GradientClipper.of(ClipRule.STRICT).clipGlobalNorm(g, 5.0);
    assertEquals(5.0, r.totalNorm(), 0.0);
    assertEquals(1.0, r.coefficient(), 0.0);
    assertArrayEquals(new float[] {3f, 4f}, g);
  }

  /** TF / PyTorch: a zero gradient (norm 0) is unchanged under every rule and norm. */
  @ParameterizedTest
  @EnumSource(NormType.class)
  void zeroBufferIsUnchanged(NormType type) {
    for (ClipRule rule : ClipRule.values()) {
      float[] g = new float[37];
      ClipResult r =
          GradientClipper.of(rule)
              .withNormType(type)
              .clipGlobalNorm(TensorView.of(g), 1.0, new ClipResult());
      assertEquals(0.0, r.totalNorm(), 0.0);
      assertEquals(1.0, r.coefficient(), 0.0, rule + " " + type);
      for (float x : g) {
        assertEquals(0, Float.floatToRawIntBits(x), rule + " " + type);
      }
    }
  }

  /** TF clip_by_global_norm: an inf entry makes every entry NaN (PROPAGATE). */
  @Test
  void infEntryUnderPropagateGivesAllNaN() {
    float[] a = {1f, 2f, Float.POSITIVE_INFINITY, 3f};
    float[] b = {4f, 5f};
    TensorGroup set = TensorGroup.of(TensorView.of(a), TensorView.vector("b", b, 0, 2));
    ClipResult r =
        GradientClipper.of(ClipRule.STRICT)
            .withNonFinitePolicy(NonFinitePolicy.PROPAGATE)
            .clipGlobalNorm(set, 1.0, new ClipResult());
    assertTrue(r.nonFinite());
    assertEquals(Double.POSITIVE_INFINITY, r.totalNorm());
    for (float x : a) {
      assertTrue(Float.isNaN(x));
    }
    for (float x : b) {
      assertTrue(Float.isNaN(x));
    }
  }

  /**
   * Keras: clipnorm clips each tensor on its own (the direction of the whole gradient changes),
   * global_clipnorm scales all together (the direction is kept). Views (3, 4) and (0.3, 0.4), θ =
   * 1: clipnorm gives (0.6, 0.8, 0.3, 0.4), cos = 5.25/(√25.25·√1.25) ≈ 0.9345 with the original;
   * global_clipnorm gives g/√25.25, cos = 1.
   */
  @Test
  void kerasClipnormAndGlobalClipnormGiveDifferentDirections() {
    float[] a1 = {3f, 4f};
    float[] b1 = {0.3f, 0.4f};
    float[] a2 = a1.clone();
    float[] b2 = b1.clone();
    TensorGroup perView =
        TensorGroup.of(TensorView.vector("a", a1, 0, 2), TensorView.vector("b", b1, 0, 2));
    TensorGroup global =
        TensorGroup.of(TensorView.vector("a", a2, 0, 2), TensorView.vector("b", b2, 0, 2));
    double[][] original = NaiveClip.values(perView);
    GradientClipper clipper = GradientClipper.of(ClipRule.STRICT);
    ClipResult rp = clipper.clipPerView(perView, 1.0, new ClipResult());
    ClipResult rg = clipper.clipGlobalNorm(global, 1.0, new ClipResult());
    assertEquals(1, rp.clippedUnits());
    assertEquals(0.2, rp.viewCoefficient(0), 1e-7);
    assertEquals(1.0, rp.viewCoefficient(1), 0.0);
    double cosPerView = NaiveClip.cosine(original, NaiveClip.values(perView));
    double cosGlobal = NaiveClip.cosine(original, NaiveClip.values(global));
    double want = 5.25 / (Math.sqrt(25.25) * Math.sqrt(1.25));
    assertEquals(want, cosPerView, 4 * NaiveClip.U);
    assertEquals(1.0, cosGlobal, 4 * NaiveClip.U);
    assertTrue(NaiveClip.cosine(NaiveClip.values(perView), NaiveClip.values(global)) < 0.95);
    assertEquals(
        Math.sqrt(25.25),
        rg.totalNorm(),
        Math.sqrt(25.25) * NaiveClip.normBound(NormType.L2, 4, 2));
  }

  /**
   * AGC: a zero-initialised weight row (‖W‖ = 0) lets at most λ·ε = 0.01·10⁻³ = 10⁻⁵ of gradient
   * through.
   */
  @Test
  void agcOnZeroInitialisedRowCapsAtLambdaTimesEpsilon() {
    float[] grad = {3f, 4f, 0.5f, 0f};
    float[] weight = {0f, 0f, 2f, 0f};
    ClipResult r =
        GradientClipper.of(ClipRule.STRICT)
            .clipAdaptive(
                TensorView.matrix("G", grad, 0, 2, 2),
                TensorView.matrix("W", weight, 0, 2, 2),
                0.01,
                new ClipResult());
    double row0 = Math.hypot(grad[0], grad[1]);
    assertEquals(
        1e-5, row0, 1e-5 * (NaiveClip.scaleBound() + NaiveClip.normBound(NormType.L2, 2, 1)));
    assertEquals(3 / 5.0, grad[0] / row0, 4 * NaiveClip.U);
    // Row 1: ‖G‖/‖W‖ = 0.5/2 = 0.25 > 0.01 → scaled to 0.01·2 = 0.02.
    assertEquals(0.02f, grad[2], 0.02f * 4 * (float) NaiveClip.U);
    assertEquals(2, r.clippedUnits());
  }

  /** An exempt view (the NFNets classifier) is never clipped by AGC. */
  @Test
  void agcLeavesAnExemptViewAlone() {
    float[] grad = {3f, 4f};
    float[] weight = {0f, 0f};
    ClipResult r =
        GradientClipper.of(ClipRule.STRICT)
            .clipAdaptive(
                TensorView.vector("fc", grad, 0, 2).withoutAdaptiveClipping(),
                TensorView.vector("fc", weight, 0, 2),
                0.01,
                new ClipResult());
    assertArrayEquals(new float[] {3f, 4f}, grad);
    assertEquals(0, r.clippedUnits());
    assertEquals(5.0, r.totalNorm(), 0.0);
  }

  /**
   * Loss scale folded into the clip: clipping the buffer s·g with loss scale s (a power of two)
   * gives bitwise what unscaling then clipping g gives, in two passes instead of three.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void lossScaledClipEqualsUnscaleThenClip(long seed) {
    Gen gen = new Gen(seed);
    int n = gen.size(1, 3000);
    float[] g = gen.array(n, 1f);
    float s = 65536f;
    float[] scaled = g.clone();
    for (int i = 0; i < n; i++) {
      scaled[i] *= s;
    }
    double theta = NaiveClip.norm(NormType.L2, NaiveClip.values(TensorView.of(g))) / 2;
    ClipResult plain =
        GradientClipper.of(ClipRule.STRICT)
            .clipGlobalNorm(TensorView.of(g), theta, new ClipResult());
    ClipResult fused =
        GradientClipper.of(ClipRule.STRICT)
            .withLossScale(s)
            .clipGlobalNorm(TensorView.of(scaled), theta, new ClipResult());
    assertEquals(plain.totalNorm(), fused.totalNorm(), 0.0, "seed=" + seed);
    assertEquals(plain.coefficient(), fused.coefficient(), 0.0, "seed=" + seed);
    assertArrayEquals(g, scaled, "seed=" + seed);
  }
}
