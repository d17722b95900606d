package dev.bptt.verify.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.NonFiniteGradientException;
import dev.bptt.kernel.clip.NonFinitePolicy;
import dev.bptt.kernel.clip.NormType;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.verify.Gen;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every clip × every non-finite policy, with NaN / ±∞ planted in random views: THROW names the
 * first offending entry and leaves every array bitwise as it was; PROPAGATE makes every view entry
 * NaN; SKIP leaves every array bitwise as it was and asks to skip the step; ZERO makes every view
 * entry +0. Entries outside the views are never touched (and never read).
 */
class NonFinitePolicyTest {
  enum Op {
    GLOBAL_L2,
    GLOBAL_L1,
    GLOBAL_LINF,
    PER_VIEW,
    VALUE,
    ADAPTIVE
  }

  private static final float[] SPECIALS = {
    Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY
  };

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void eachPolicyLeavesTheDataAsPromised(long seed) {
    for (Op op : Op.values()) {
      for (NonFinitePolicy policy : NonFinitePolicy.values()) {
        check(seed, op, policy);
      }
    }
  }

  private static void check(long seed, Op op, NonFinitePolicy policy) {
    Gen gen = new Gen(seed);
    SplittableRandom rnd = gen.random();
    ClipCase c;
    do {
      c =
          op == Op.ADAPTIVE
              ? ClipCase.matrices(gen, 4, 12, 40, gen.scaleExp())
              : ClipCase.vectors(gen, 4, 200, gen.scaleExp());
    } while (c.totalLength() == 0);
    ClipCase w = op == Op.ADAPTIVE ? c.sameShapes(gen, 1f) : null;
    for (int b = 1 + rnd.nextInt(3); b > 0; b--) {
      int v;
      do {
        v = rnd.nextInt(c.rows.length);
      } while (c.set.view(v).length() == 0);
      TensorView view = c.set.view(v);
      view.array()[view.offset() + rnd.nextInt(view.length())] =
          SPECIALS[rnd.nextInt(SPECIALS.length)];
    }
    c.snapshot();
    int firstView = -1;
    int firstIndex = -1;
    boolean anyNaN = false;
    for (int v = 0; v < c.rows.length; v++) {
      TensorView view = c.set.view(v);
      for (int j = 0; j < view.length(); j++) {
        float x = view.array()[view.offset() + j];
        anyNaN |= Float.isNaN(x);
        if (!Float.isFinite(x) && firstView < 0) {
          firstView = v;
          firstIndex = j;
        }
      }
    }
    float s = rnd.nextBoolean() ? 1f : 256f;
    GradientClipper clipper =
        GradientClipper.of(ClipRule.values()[rnd.nextInt(2)])
            .withNonFinitePolicy(policy)
            .withLossScale(s);
    String where =
        "seed="
            + seed
            + " "
            + op
            + " "
            + policy
            + " shapes="
            + c.shapes()
            + " first bad at view "
            + firstView
            + " index "
            + firstIndex;
    ClipCase cc = c;
    if (policy == NonFinitePolicy.THROW) {
      // The holder of a call that threw is in a defined state: a non-finite result, nothing
      // clipped.
      ClipResult stale = run(op, clipper.withNonFinitePolicy(NonFinitePolicy.SKIP), cc, w);
      ClipResult held = new ClipResult();
      NonFiniteGradientException e =
          assertThrows(
              NonFiniteGradientException.class, () -> run(op, clipper, cc, w, held), where);
      assertTrue(held.nonFinite(), where + ": ClipResult after THROW: " + held);
      assertFalse(held.clipped() || held.skipStep(), where + ": ClipResult after THROW: " + held);
      assertEquals(stale.totalNorm(), held.totalNorm(), where);
      TensorView first = c.set.view(firstView);
      assertEquals(firstView, e.viewIndex(), where);
      assertEquals(firstIndex, e.elementIndex(), where);
      assertEquals(first.name(), e.viewName(), where);
      assertEquals(first.offset() + firstIndex, e.arrayIndex(), where);
      assertEquals(first.array()[e.arrayIndex()], e.value(), 0f, where);
      assertTrue(e.getMessage().contains("'" + first.name() + "'"), where + ": " + e.getMessage());
      assertTrue(c.unchanged(), where + ": THROW modified the gradient");
    } else {
      ClipResult r = run(op, clipper, c, w);
      assertTrue(r.nonFinite(), where);
      assertFalse(r.clipped(), where);
      assertEquals(policy == NonFinitePolicy.SKIP, r.skipStep(), where);
      if (anyNaN) {
        assertTrue(Double.isNaN(r.totalNorm()), where + ": norm " + r.totalNorm());
      } else {
        assertEquals(Double.POSITIVE_INFINITY, r.totalNorm(), where);
      }
      assertNull(c.outsideChanged(), where);
      switch (policy) {
        case PROPAGATE -> {
          assertTrue(Double.isNaN(r.coefficient()), where);
          forEachEntry(c, x -> Float.isNaN(x), where + ": an entry is not NaN");
        }
        case ZERO -> {
          assertEquals(0.0, r.coefficient(), where);
          forEachEntry(c, x -> Float.floatToRawIntBits(x) == 0, where + ": an entry is not +0");
        }
        case SKIP -> {
          assertEquals(1.0, r.coefficient(), where);
          assertTrue(c.unchanged(), where + ": SKIP modified the gradient");
        }
        case THROW -> throw new AssertionError("unreachable");
      }
    }
    if (w != null) {
      assertTrue(w.unchanged(), where + ": weights were written");
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void nonFiniteOutsideTheViewsIsNeverRead(long seed) {
    for (Op op : Op.values()) {
      Gen gen = new Gen(seed);
      ClipCase c =
          op == Op.ADAPTIVE
              ? ClipCase.matrices(gen, 4, 12, 40, 1f)
              : ClipCase.vectors(gen, 4, 200, 1f);
      ClipCase w = op == Op.ADAPTIVE ? c.sameShapes(gen, 1f) : null;
      c.poisonOutside(Float.NaN);
      if (w != null) {
        w.poisonOutside(Float.NaN);
      }
      ClipResult r = run(op, GradientClipper.of(ClipRule.STRICT), c, w);
      assertFalse(r.nonFinite(), "seed=" + seed + " " + op + ": NaN outside the views was read");
      assertTrue(Double.isFinite(r.totalNorm()), "seed=" + seed + " " + op);
      assertNull(c.outsideChanged(), "seed=" + seed + " " + op);
    }
  }

  private static ClipResult run(Op op, GradientClipper clipper, ClipCase c, ClipCase w) {
    return run(op, clipper, c, w, new ClipResult());
  }

  private static ClipResult run(
      Op op, GradientClipper clipper, ClipCase c, ClipCase w, ClipResult out) {
    return switch (op) {
      case GLOBAL_L2 -> clipper.withNormType(NormType.L2).clipGlobalNorm(c.set, 1.0, out);
      case GLOBAL_L1 -> clipper.withNormType(NormType.L1).clipGlobalNorm(c.set, 1.0, out);
      case GLOBAL_LINF -> clipper.withNormType(NormType.LINF).clipGlobalNorm(c.set, 1.0, out);
      case PER_VIEW -> clipper.clipPerView(c.set, 1.0, out);
      case VALUE -> clipper.clipValue(c.set, 0.5f, out);
      case ADAPTIVE -> clipper.clipAdaptive(c.set, w.set, 0.01, out);
    };
  }

  private interface FloatTest {
    boolean test(float x);
  }

  private static void forEachEntry(ClipCase c, FloatTest t, String message) {
    for (int v = 0; v < c.rows.length; v++) {
      TensorView view = c.set.view(v);
      for (int j = 0; j < view.length(); j++) {
        float x = view.array()[view.offset() + j];
        assertTrue(t.test(x), message + " (view " + v + " index " + j + " = " + x + ")");
      }
    }
  }
}
