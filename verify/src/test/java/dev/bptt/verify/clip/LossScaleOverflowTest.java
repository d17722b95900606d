package dev.bptt.verify.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.NonFiniteGradientException;
import dev.bptt.kernel.clip.NonFinitePolicy;
import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import java.util.function.BiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Unscaling by a loss scale s &lt; 1 whose result leaves float's range: every buffered entry is
 * finite (3e38 at s = 0.5 is 6e38 unscaled), so the measure sees a finite norm; the clip must not
 * write ±∞ while reporting a finite result. It applies the non-finite policy to the untouched
 * buffer instead, for every clip with a threshold that lets the entry through (θ = +∞, c = +∞). One
 * entry just below the limit (1.6e38 at s = 0.5) is unscaled normally.
 */
class LossScaleOverflowTest {
  enum Clip {
    GLOBAL((c, g) -> c.clipGlobalNorm(g, Double.POSITIVE_INFINITY, new ClipResult())),
    PER_VIEW((c, g) -> c.clipPerView(g, Double.POSITIVE_INFINITY, new ClipResult())),
    VALUE((c, g) -> c.clipValue(g, Float.POSITIVE_INFINITY, new ClipResult()));

    final BiFunction<GradientClipper, TensorGroup, ClipResult> run;

    Clip(BiFunction<GradientClipper, TensorGroup, ClipResult> run) {
      this.run = run;
    }
  }

  private static TensorGroup grads(float[] a) {
    return TensorGroup.of(
        TensorView.vector("a", a, 0, 3), TensorView.vector("b", a, 3, a.length - 3));
  }

  @ParameterizedTest
  @EnumSource(Clip.class)
  void overflowingUnscaleFollowsThePolicy(Clip clip) {
    for (NonFinitePolicy p : NonFinitePolicy.values()) {
      float[] a = {1f, -2f, 3f, 0.5f, 3e38f, 4f};
      float[] before = a.clone();
      GradientClipper c =
          GradientClipper.of(ClipRule.PYTORCH).withLossScale(0.5f).withNonFinitePolicy(p);
      String where = clip + "/" + p;
      if (p == NonFinitePolicy.THROW) {
        NonFiniteGradientException e =
            assertThrows(
                NonFiniteGradientException.class, () -> clip.run.apply(c, grads(a)), where);
        assertEquals("b", e.viewName(), where);
        assertEquals(1, e.elementIndex(), where);
        assertEquals(Float.POSITIVE_INFINITY, e.value(), where);
        assertArrayEquals(before, a, where + ": written");
        continue;
      }
      ClipResult r = clip.run.apply(c, grads(a));
      assertTrue(r.nonFinite(), where + ": " + r);
      for (float x : a) {
        assertFalse(Float.isInfinite(x), where + ": wrote " + x);
      }
      switch (p) {
        case SKIP -> assertArrayEquals(before, a, where);
        case ZERO -> assertArrayEquals(new float[6], a, where);
        case PROPAGATE -> assertTrue(Float.isNaN(a[0]) && Float.isNaN(a[5]), where);
        default -> throw new AssertionError(p);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Clip.class)
  void justBelowTheLimitUnscales(Clip clip) {
    float[] a = {1f, -2f, 3f, 0.5f, 1.6e38f, 4f};
    ClipResult r =
        clip.run.apply(GradientClipper.of(ClipRule.PYTORCH).withLossScale(0.5f), grads(a));
    assertFalse(r.nonFinite(), clip + ": " + r);
    assertEquals(3.2e38f, a[4], clip.toString());
    assertEquals(2f, a[0], clip.toString());
  }
}
