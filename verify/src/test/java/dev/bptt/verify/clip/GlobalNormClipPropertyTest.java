package dev.bptt.verify.clip;

import static dev.bptt.verify.NaiveClip.TINY;
import static dev.bptt.verify.NaiveClip.UD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.NormType;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.verify.Gen;
import dev.bptt.verify.NaiveClip;
import dev.bptt.verify.Shrink;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Global-norm clipping against the double reference, every norm type, both rules, with and without
 * a loss scale (powers of two and not), on views that share one flat array or not. Tolerances come
 * from {@link NaiveClip#normBound} (the norm) and {@link NaiveClip#scaleBound} (the one multiply).
 */
class GlobalNormClipPropertyTest {
  /**
   * Loss scales: none (twice as likely), AMP's 2¹⁶, a power of two below 1, and one that is not a
   * power of two.
   */
  static final float[] LOSS_SCALES = {1f, 1f, 65536f, 0.25f, 3.7f};

  /** θ as a multiple of the reference norm: zero, far below, near and at the norm, above, +∞. */
  static final double[] THETA_FACTORS = {0, 0.01, 0.5, 0.999, 1, 1.5, Double.POSITIVE_INFINITY};

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void clipMatchesReferenceWithinDerivedBounds(long seed) {
    Shrink.check(seed, new int[] {4, 300}, dims -> clipCase(seed, dims));
  }

  private static String clipCase(long seed, int[] dims) {
    Gen gen = new Gen(seed);
    SplittableRandom rnd = gen.random();
    NormType type = NormType.values()[rnd.nextInt(3)];
    ClipRule rule = ClipRule.values()[rnd.nextInt(2)];
    float s = LOSS_SCALES[rnd.nextInt(LOSS_SCALES.length)];
    ClipCase c = ClipCase.vectors(gen, Math.max(1, dims[0]), dims[1], gen.scaleExp());
    double[][] raw = c.before();
    double nRef = NaiveClip.norm(type, NaiveClip.unscale(raw, s));
    double factor = THETA_FACTORS[rnd.nextInt(THETA_FACTORS.length)];
    double theta = factor == Double.POSITIVE_INFINITY ? factor : nRef * factor;
    String where =
        type
            + " "
            + rule
            + " s="
            + s
            + " θ="
            + theta
            + " N="
            + nRef
            + " shapes="
            + c.shapes()
            + ": ";

    ClipResult r =
        GradientClipper.of(rule)
            .withNormType(type)
            .withLossScale(s)
            .clipGlobalNorm(c.set, theta, new ClipResult());

    long n = c.totalLength();
    int k = c.rows.length;
    double delta = NaiveClip.normBound(type, n, k);
    if (!(Math.abs(r.totalNorm() - nRef) <= delta * nRef)) {
      return where
          + "totalNorm "
          + r.totalNorm()
          + " differs from reference by more than δ="
          + delta;
    }
    for (int i = 0; i < k; i++) {
      double vRef = NaiveClip.norm(type, raw[i]) / s;
      if (!(Math.abs(r.viewNorm(i) - vRef) <= NaiveClip.normBound(type, raw[i].length, 1) * vRef)) {
        return where + "viewNorm(" + i + ") " + r.viewNorm(i) + " vs reference " + vRef;
      }
    }
    // The coefficient is the rule's formula applied to the reported norm, and close to the
    // formula applied to the exact norm: |c − c_ref| ≤ max(c, c_ref)·δ/(1 − δ).
    if (r.coefficient() != NaiveClip.coefficient(rule, theta, r.totalNorm())) {
      return where
          + "coefficient "
          + r.coefficient()
          + " is not the rule applied to the reported norm";
    }
    double cRef = NaiveClip.coefficient(rule, theta, nRef);
    if (!(Math.abs(r.coefficient() - cRef)
        <= Math.max(r.coefficient(), cRef) * delta / (1 - delta))) {
      return where + "coefficient " + r.coefficient() + " vs reference " + cRef;
    }
    if (r.clipped() != (r.coefficient() < 1)
        || r.clippedUnits() != (r.clipped() ? k : 0)
        || r.nonFinite()
        || r.skipStep()) {
      return where + "flags wrong: " + r;
    }
    String outside = c.outsideChanged();
    if (outside != null) {
      return where + outside;
    }
    // One factor for every entry: the direction is kept up to one multiply's rounding.
    double[][] after = c.now();
    double f = r.coefficient() / s;
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < raw[i].length; j++) {
        double want = raw[i][j] * f;
        if (!(Math.abs(after[i][j] - want) <= Math.abs(want) * NaiveClip.scaleBound() + TINY)) {
          return where
              + "entry "
              + i
              + "/"
              + j
              + " = "
              + after[i][j]
              + ", want "
              + raw[i][j]
              + "·"
              + f
              + " = "
              + want;
        }
      }
    }
    if (r.coefficient() == 1 && s == 1f && !c.unchanged()) {
      return where + "coefficient 1 but the buffer changed";
    }
    if (r.clipped()) {
      // Post-clip norm P = ‖fl(x·fl(c/s))‖ with c = θ/N̂ (strict) or θ/(N̂ + 10⁻⁶) (PyTorch),
      // N̂ within δ of N, measured in double (γₙ).
      double p = NaiveClip.norm(type, after);
      double slack = (1 + NaiveClip.scaleBound()) * (1 + NaiveClip.gamma(n + 1, UD)) / (1 - delta);
      double target = rule == ClipRule.STRICT ? theta : theta * nRef / (nRef + 1e-6);
      double under = NaiveClip.underflowTerm(type, n);
      if (!(p <= target * slack + under)) {
        return where + "post-clip norm " + p + " above " + target + "·" + slack;
      }
      if (!(p >= target * (2 - slack) - under)) {
        return where + "post-clip norm " + p + " below " + target + "·(2 − " + slack + ")";
      }
    }
    return null;
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void belowThresholdIsBitwiseNoOp(long seed) {
    Shrink.check(
        seed,
        new int[] {4, 300},
        dims -> {
          Gen gen = new Gen(seed);
          NormType type = NormType.values()[gen.random().nextInt(3)];
          ClipRule rule = ClipRule.values()[gen.random().nextInt(2)];
          ClipCase c = ClipCase.vectors(gen, Math.max(1, dims[0]), dims[1], gen.scaleExp());
          double nRef = NaiveClip.norm(type, c.before());
          double delta = NaiveClip.normBound(type, c.totalLength(), dims[0]);
          // θ ≥ N̂ (strict: no clip when N̂ ≤ θ) and θ ≥ N̂ + 10⁻⁶ (PyTorch: min(1, θ/(N̂+10⁻⁶)) =
          // 1).
          double theta = nRef * (1 + 2 * delta) + (rule == ClipRule.PYTORCH ? 2e-6 : 0);
          ClipResult r =
              GradientClipper.of(rule)
                  .withNormType(type)
                  .clipGlobalNorm(c.set, theta, new ClipResult());
          if (r.coefficient() != 1 || r.clipped() || !c.unchanged()) {
            return type + " " + rule + " θ=" + theta + " N=" + nRef + ": not a bitwise no-op: " + r;
          }
          return null;
        });
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void strictClipIsIdempotentUpToRounding(long seed) {
    Shrink.check(
        seed,
        new int[] {4, 300},
        dims -> {
          Gen gen = new Gen(seed);
          NormType type = NormType.values()[gen.random().nextInt(3)];
          ClipCase c = ClipCase.vectors(gen, Math.max(1, dims[0]), dims[1], gen.scaleExp());
          double nRef = NaiveClip.norm(type, c.before());
          GradientClipper clipper = GradientClipper.of(ClipRule.STRICT).withNormType(type);
          clipper.clipGlobalNorm(c.set, nRef / 3, new ClipResult());
          double[][] once = c.now();
          ClipResult second = clipper.clipGlobalNorm(c.set, nRef / 3, new ClipResult());
          // After one clip N̂₂ ≤ θ(1 + scaleBound)(1 + δ)/(1 − δ), so a second clip applies
          // c₂ ≥ (1 − δ)/((1 + scaleBound)(1 + δ)) or nothing.
          double delta = NaiveClip.normBound(type, c.totalLength(), dims[0]);
          double eta =
              1 - (1 - delta) / ((1 + NaiveClip.scaleBound()) * (1 + delta) * (1 + 2 * UD));
          if (!(second.coefficient() >= 1 - eta)) {
            return type + ": second clip coefficient " + second.coefficient() + " < 1 − " + eta;
          }
          double[][] twice = c.now();
          for (int i = 0; i < once.length; i++) {
            for (int j = 0; j < once[i].length; j++) {
              if (!(Math.abs(twice[i][j] - once[i][j])
                  <= Math.abs(once[i][j]) * (eta + NaiveClip.scaleBound()) + TINY)) {
                return type
                    + ": entry "
                    + i
                    + "/"
                    + j
                    + " moved from "
                    + once[i][j]
                    + " to "
                    + twice[i][j];
              }
            }
          }
          return null;
        });
  }

  /**
   * Views longer than one norm block ({@link GradientClipper#NORM_BLOCK}): sizes at and around
   * block multiples, with an offset, still meet the derived bounds.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void viewsSpanningSeveralNormBlocksMeetTheBounds(long seed) {
    int b = GradientClipper.NORM_BLOCK;
    Gen gen = new Gen(seed);
    int[] sizes = {b - 1, b, b + 1, 2 * b, 3 * b + 17, 7 * b - 5};
    int n = sizes[gen.random().nextInt(sizes.length)];
    int off = gen.offset();
    float[] a = new float[off + n];
    for (int i = 0; i < n; i++) {
      a[off + i] = 2 * gen.unit();
    }
    for (NormType type : NormType.values()) {
      float[] g = a.clone();
      TensorView v = TensorView.vector("g", g, off, n);
      double[] raw = NaiveClip.values(v)[0];
      double nRef = NaiveClip.norm(type, raw);
      ClipResult r =
          GradientClipper.of(ClipRule.STRICT)
              .withNormType(type)
              .clipGlobalNorm(v, nRef / 4, new ClipResult());
      double delta = NaiveClip.normBound(type, n, 1);
      String where = "seed=" + seed + " " + type + " n=" + n + " off=" + off;
      assertTrue(
          Math.abs(r.totalNorm() - nRef) <= delta * nRef,
          where + ": norm " + r.totalNorm() + " vs " + nRef);
      double p = NaiveClip.norm(type, NaiveClip.values(v)[0]);
      double slack = (1 + NaiveClip.scaleBound()) * (1 + NaiveClip.gamma(n + 1, UD)) / (1 - delta);
      assertTrue(
          p <= nRef / 4 * slack && p >= nRef / 4 * (2 - slack), where + ": post-clip norm " + p);
      for (int i = 0; i < off; i++) {
        assertEquals(0f, g[i], 0f, where + ": padding written");
      }
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void sameInputGivesBitwiseSameOutput(long seed) {
    ClipCase a = ClipCase.vectors(new Gen(seed), 4, 3000, 1f);
    ClipCase b = ClipCase.vectors(new Gen(seed), 4, 3000, 1f);
    GradientClipper clipper = GradientClipper.of(ClipRule.STRICT);
    double theta = NaiveClip.norm(NormType.L2, a.before()) / 2;
    ClipResult ra = clipper.clipGlobalNorm(a.set, theta, new ClipResult());
    ClipResult rb = clipper.clipGlobalNorm(b.set, theta, new ClipResult());
    assertEquals(ra.totalNorm(), rb.totalNorm(), 0.0);
    assertEquals(ra.coefficient(), rb.coefficient(), 0.0);
    for (int i = 0; i < a.arrays.length; i++) {
      assertArrayEquals(a.arrays[i], b.arrays[i], "array " + i);
    }
  }
}
