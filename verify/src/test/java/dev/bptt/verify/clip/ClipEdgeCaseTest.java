package dev.bptt.verify.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.ExplosionMonitor;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.NonFiniteGradientException;
import dev.bptt.kernel.clip.NonFinitePolicy;
import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import org.junit.jupiter.api.Test;

/**
 * Documented edges of the clip package that the other tests never reach: inclusive limits (touching
 * but disjoint views, an offset at the end of the history buffer, a norm of exactly 0, an entry of
 * exactly {@link Float#MAX_VALUE}), exclusive ones (a spike factor or multiple of 0 or +∞, an
 * infinite norm), checks that must fire even when no view would notice (an empty group), and the
 * exact fields of results and exceptions on the loss-scale overflow path. Found as surviving
 * mutants of the pit profile (results/mutation/README.md).
 */
class ClipEdgeCaseTest {

  @Test
  void touchingViewsAreDisjoint() {
    float[] a = new float[6];
    TensorView left = TensorView.vector("left", a, 0, 3);
    TensorView right = TensorView.vector("right", a, 3, 3);
    assertFalse(left.overlaps(right));
    assertFalse(right.overlaps(left));
    assertEquals(2, TensorGroup.of(left, right).viewCount());
    // An empty view shares no entry, even inside another view's range.
    TensorView empty = TensorView.vector("empty", a, 1, 0);
    assertFalse(empty.overlaps(left));
    assertFalse(left.overlaps(empty));
    // One shared entry is an overlap, from both sides.
    TensorView shifted = TensorView.vector("shifted", a, 2, 3);
    assertTrue(left.overlaps(shifted));
    assertTrue(shifted.overlaps(left));
  }

  @Test
  void nullArrayMessageNamesTheView() {
    NullPointerException e =
        assertThrows(NullPointerException.class, () -> TensorView.vector("w_hh", null, 0, 1));
    assertTrue(e.getMessage().contains("view 'w_hh'"), e.getMessage());
  }

  @Test
  void perViewScalarThresholdIsCheckedEvenWithoutViews() {
    GradientClipper c = GradientClipper.of(ClipRule.STRICT);
    TensorGroup empty = TensorGroup.of();
    for (double bad : new double[] {-1, Double.NaN, Double.NEGATIVE_INFINITY}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> c.clipPerView(empty, bad, new ClipResult()));
      assertTrue(e.getMessage().contains("maxNorm"), e.getMessage());
    }
    ClipResult out = new ClipResult();
    assertSame(out, c.clipPerView(empty, 0.0, out));
    assertEquals(0, out.viewCount());
  }

  @Test
  void ruleRejectsAnInfiniteNorm() {
    for (ClipRule rule : ClipRule.values()) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> rule.coefficient(1.0, Double.POSITIVE_INFINITY));
      assertTrue(e.getMessage().contains("norm"), e.getMessage());
      assertEquals(1.0, rule.coefficient(Double.POSITIVE_INFINITY, 1e300), rule.toString());
    }
  }

  /**
   * An entry of exactly MAX_VALUE times a coefficient of 1 stays finite: no overflow, no policy.
   */
  @Test
  void entriesAtMaxValueAreNotAnOverflow() {
    float[] a = {Float.MAX_VALUE, -Float.MAX_VALUE, 1f};
    float[] before = a.clone();
    GradientClipper c =
        GradientClipper.of(ClipRule.STRICT).withNonFinitePolicy(NonFinitePolicy.THROW);
    ClipResult out = new ClipResult();
    assertSame(out, c.clipGlobalNorm(TensorView.of(a), Double.POSITIVE_INFINITY, out));
    assertFalse(out.nonFinite(), out.toString());
    assertTrue(out.totalNorm() > Float.MAX_VALUE, out.toString());
    assertEquals(1.0, out.coefficient());
    assertArrayEquals(before, a);
  }

  /**
   * Under THROW the overflow exception names the first overflowing entry (here the first entry of
   * the second view, at array index 4) and the result records the non-finite outcome first.
   */
  @Test
  void overflowUnderThrowNamesTheEntryAndRecordsTheResult() {
    float[] a = {1f, 2f, 3f, 0f, 3e38f, 3e38f};
    float[] before = a.clone();
    TensorGroup g =
        TensorGroup.of(TensorView.vector("a", a, 1, 2), TensorView.vector("b", a, 4, 2));
    GradientClipper c =
        GradientClipper.of(ClipRule.PYTORCH)
            .withLossScale(0.5f)
            .withNonFinitePolicy(NonFinitePolicy.THROW);
    ClipResult out = new ClipResult();
    NonFiniteGradientException e =
        assertThrows(
            NonFiniteGradientException.class,
            () -> c.clipGlobalNorm(g, Double.POSITIVE_INFINITY, out));
    assertEquals("b", e.viewName());
    assertEquals(1, e.viewIndex());
    assertEquals(0, e.elementIndex());
    assertEquals(4, e.arrayIndex());
    assertEquals(Float.POSITIVE_INFINITY, e.value());
    assertTrue(out.nonFinite(), out.toString());
    assertEquals(2, out.viewCount());
    assertEquals(1.0, out.viewCoefficient(0));
    assertEquals(1.0, out.viewCoefficient(1));
    assertArrayEquals(before, a);

    // A later entry of the view: element and array index differ by the offset.
    float[] b = {0f, 0f, 1f, 3e38f};
    NonFiniteGradientException e2 =
        assertThrows(
            NonFiniteGradientException.class,
            () ->
                c.clipGlobalNorm(
                    TensorView.vector("v", b, 2, 2), Double.POSITIVE_INFINITY, new ClipResult()));
    assertEquals(1, e2.elementIndex());
    assertEquals(3, e2.arrayIndex());
  }

  /**
   * A coefficient in float's normal range is rounded to float once and every entry is multiplied by
   * it in float: fl(fl(c)·x), bitwise (the double path fl(c·x) is for subnormal factors only).
   */
  @Test
  void scalingRoundsTheCoefficientToFloatFirst() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(11);
    float[] a = new float[101];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextDouble(-3, 3);
    }
    float[] before = a.clone();
    ClipResult out = new ClipResult();
    GradientClipper.of(ClipRule.STRICT).clipGlobalNorm(TensorView.of(a), 0.7, out);
    float f = (float) out.coefficient();
    assertTrue(out.clipped() && f < 1f, out.toString());
    for (int i = 0; i < a.length; i++) {
      assertEquals(before[i] * f, a[i], "entry " + i);
    }
  }

  @Test
  void nonFiniteOutcomeSetsEveryViewCoefficient() {
    float[] a = {1f, 2f, Float.NaN, 4f};
    TensorGroup g =
        TensorGroup.of(TensorView.vector("a", a, 0, 2), TensorView.vector("b", a, 2, 2));
    ClipResult out = new ClipResult();
    GradientClipper.of(ClipRule.STRICT)
        .withNonFinitePolicy(NonFinitePolicy.ZERO)
        .clipPerView(g, 1.0, out);
    assertTrue(out.nonFinite());
    assertEquals(0.0, out.coefficient());
    assertEquals(0.0, out.viewCoefficient(0));
    assertEquals(0.0, out.viewCoefficient(1));
    assertArrayEquals(new float[4], a);

    float[] p = {1f, Float.POSITIVE_INFINITY};
    GradientClipper.of(ClipRule.STRICT)
        .withNonFinitePolicy(NonFinitePolicy.PROPAGATE)
        .clipPerView(
            TensorGroup.of(TensorView.vector("a", p, 0, 1), TensorView.vector("b", p, 1, 1)),
            1.0,
            out);
    assertTrue(Double.isNaN(out.viewCoefficient(0)));
    assertTrue(Double.isNaN(out.viewCoefficient(1)));
  }

  /** AGC with a loss scale below 1 whose unscale overflows follows the policy like the others. */
  @Test
  void adaptiveClipOverflowFollowsThePolicy() {
    float[] g = {3e38f, 1f, 2f, 3f};
    float[] w = {1f, 1f, 1f, 1f};
    GradientClipper c =
        GradientClipper.of(ClipRule.STRICT)
            .withLossScale(0.5f)
            .withNonFinitePolicy(NonFinitePolicy.ZERO);
    ClipResult out = new ClipResult();
    assertSame(
        out,
        c.clipAdaptive(
            TensorView.matrix("g", g, 0, 2, 2),
            TensorView.matrix("w", w, 0, 2, 2),
            Double.POSITIVE_INFINITY,
            out));
    assertTrue(out.nonFinite(), out.toString());
    assertArrayEquals(new float[4], g);
    assertArrayEquals(new float[] {1f, 1f, 1f, 1f}, w);
  }

  @Test
  void toStringsDescribeTheirObject() {
    ClipResult out = new ClipResult();
    GradientClipper c = GradientClipper.of(ClipRule.STRICT);
    float[] a = {3f, 4f};
    c.clipGlobalNorm(TensorView.of(a), 1.0, out);
    assertTrue(out.toString().contains("norm=5.0"), out.toString());
    assertTrue(c.toString().contains("STRICT"), c.toString());
    TensorView v = TensorView.vector("bias", a, 0, 2);
    assertTrue(v.toString().contains("bias"), v.toString());
    TensorView m = TensorView.matrix("w_hh", new float[4], 0, 2, 2).withoutAdaptiveClipping();
    assertTrue(m.toString().contains("w_hh") && m.toString().contains("no AGC"), m.toString());
    assertFalse(v.toString().contains("no AGC"), v.toString());
    assertTrue(TensorGroup.of(v).toString().contains("bias"), TensorGroup.of(v).toString());
    ExplosionMonitor mon = new ExplosionMonitor(2.0, 10, 0, 4);
    assertFalse(mon.toString().isEmpty());
  }

  @Test
  void monitorLimits() {
    for (double k : new double[] {0.0, Double.POSITIVE_INFINITY}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> new ExplosionMonitor(k, 10, 0, 4));
      assertTrue(e.getMessage().contains("spikeFactor"), e.getMessage());
    }
    ExplosionMonitor m = new ExplosionMonitor(2.5, Integer.MAX_VALUE, 0, 8);
    assertEquals(2.5, m.spikeFactor());
    for (double bad : new double[] {0.0, Double.POSITIVE_INFINITY}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> m.suggestedThreshold(bad));
      assertTrue(e.getMessage().contains("multiple"), e.getMessage());
    }
    // A norm of exactly 0 is valid.
    assertEquals(ExplosionMonitor.Status.NORMAL, m.observe(0.0));
    assertEquals(1, m.finiteCount());
  }

  @Test
  void monitorStandardDeviationIsThePopulationOne() {
    ExplosionMonitor m = new ExplosionMonitor(10, Integer.MAX_VALUE, 0, 8);
    m.observe(1.0);
    assertEquals(0.0, m.standardDeviation());
    m.observe(3.0);
    assertEquals(1.0, m.standardDeviation(), 1e-12);
    assertEquals(1.0, m.variance(), 1e-12);
    assertEquals(4.0, m.suggestedThreshold(2.0), 1e-12);
  }

  @Test
  void copyHistoryKeepsTheNewestAndAcceptsTheEndOffset() {
    ExplosionMonitor m = new ExplosionMonitor(10, 100, 0, 8);
    for (int i = 1; i <= 5; i++) {
      m.observe(i);
    }
    double[] dst = new double[4];
    assertEquals(3, m.copyHistory(dst, 1));
    assertArrayEquals(new double[] {0, 3, 4, 5}, dst);
    assertEquals(0, m.copyHistory(dst, 4));
    assertThrows(IndexOutOfBoundsException.class, () -> m.copyHistory(dst, 5));
    assertThrows(IndexOutOfBoundsException.class, () -> m.copyHistory(dst, -1));
    assertArrayEquals(new double[] {0, 3, 4, 5}, dst);
    double[] all = new double[7];
    assertEquals(5, m.copyHistory(all, 0));
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 0, 0}, all);
  }
}
