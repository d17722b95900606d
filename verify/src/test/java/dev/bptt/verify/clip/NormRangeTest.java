package dev.bptt.verify.clip;

import static dev.bptt.verify.NaiveClip.TINY;
import static dev.bptt.verify.NaiveClip.UD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.NormType;
import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.verify.Gen;
import dev.bptt.verify.NaiveClip;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Norms and clips at the ends of the float range: entries up to {@link Float#MAX_VALUE} (whose
 * squares overflow float) and subnormals (whose squares underflow float) give the norm the double
 * reference gives, within {@link NaiveClip#normBound}, and clipping such a gradient lands on θ.
 */
class NormRangeTest {
  enum Magnitude {
    HUGE,
    TINY_SUBNORMAL,
    HUGE_AND_TINY,
    NORMAL_AND_SUBNORMAL,
    NEAR_MAX
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void extremeMagnitudesGiveTheReferenceNorm(long seed) {
    for (Magnitude m : Magnitude.values()) {
      Gen gen = new Gen(seed);
      int n1 = gen.size(1, 400);
      int n2 = gen.size(0, 400);
      float[] a = fill(gen.random(), m, n1);
      float[] b = fill(gen.random(), m, n2);
      TensorGroup set =
          TensorGroup.of(TensorView.vector("a", a, 0, n1), TensorView.vector("b", b, 0, n2));
      double[][] ref = NaiveClip.values(set);
      for (NormType type : NormType.values()) {
        double want = NaiveClip.norm(type, ref);
        double got = GradientClipper.totalNorm(set, type);
        double delta = NaiveClip.normBound(type, n1 + n2, 2);
        assertTrue(
            Double.isFinite(got) && Math.abs(got - want) <= delta * want,
            "seed="
                + seed
                + " "
                + m
                + " "
                + type
                + " n="
                + n1
                + "+"
                + n2
                + ": norm "
                + got
                + ", reference "
                + want
                + ", δ="
                + delta);
      }
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void extremeGradientsClipOntoTheThreshold(long seed) {
    for (Magnitude m : Magnitude.values()) {
      Gen gen = new Gen(seed);
      int n = gen.size(1, 400);
      float[] a = fill(gen.random(), m, n);
      double[] raw = NaiveClip.values(TensorView.of(a))[0];
      double nRef = NaiveClip.norm(NormType.L2, raw);
      // θ = 1 clips the huge cases (coefficient far below the normal float range) and θ = N/2
      // the tiny ones (halving subnormals).
      double theta = nRef > 1 ? 1.0 : nRef / 2;
      ClipResult r =
          GradientClipper.of(ClipRule.STRICT)
              .clipGlobalNorm(TensorView.of(a), theta, new ClipResult());
      double delta = NaiveClip.normBound(NormType.L2, n, 1);
      double p = NaiveClip.norm(NormType.L2, NaiveClip.values(TensorView.of(a))[0]);
      double slack = (1 + NaiveClip.scaleBound()) * (1 + NaiveClip.gamma(n + 1, UD)) / (1 - delta);
      double under = NaiveClip.underflowTerm(NormType.L2, n);
      String where =
          "seed="
              + seed
              + " "
              + m
              + " n="
              + n
              + " N="
              + nRef
              + " θ="
              + theta
              + ": post-clip norm "
              + p;
      assertTrue(r.clipped(), where);
      assertTrue(p <= theta * slack + under && p >= theta * (2 - slack) - under, where);
      for (int j = 0; j < n; j++) {
        double want = raw[j] * r.coefficient();
        assertTrue(
            Math.abs(a[j] - want) <= Math.abs(want) * NaiveClip.scaleBound() + TINY,
            where + " entry " + j + " = " + a[j] + ", want " + want);
      }
    }
  }

  /**
   * PyTorch issue #46849: 100 grads of 1e20 overflow a float32 norm and PyTorch zeroes them; here N
   * = 1e21 and each becomes 0.1.
   */
  @Test
  void hundredGradsOf1e20ClipToATenthNotToZero() {
    float[] g = new float[100];
    java.util.Arrays.fill(g, 1e20f);
    ClipResult r = GradientClipper.of(ClipRule.STRICT).clipGlobalNorm(g, 1.0);
    double nRef = 10 * (double) 1e20f;
    assertEquals(nRef, r.totalNorm(), nRef * NaiveClip.normBound(NormType.L2, 100, 1));
    for (float x : g) {
      assertEquals(
          0.1, x, 0.1 * (NaiveClip.scaleBound() + NaiveClip.normBound(NormType.L2, 100, 1)));
    }
  }

  /**
   * An entry of Float.MAX_VALUE alone: N = MAX (its square overflows float), c = 1/MAX is subnormal
   * in float.
   */
  @Test
  void maxValueEntryClipsToTheThresholdThroughASubnormalCoefficient() {
    float[] g = {Float.MAX_VALUE, -Float.MAX_VALUE, 0f};
    ClipResult r = GradientClipper.of(ClipRule.STRICT).clipGlobalNorm(g, 1.0);
    double nRef = Math.sqrt(2) * Float.MAX_VALUE;
    assertEquals(nRef, r.totalNorm(), nRef * NaiveClip.normBound(NormType.L2, 3, 1));
    double want = 1 / Math.sqrt(2);
    assertEquals(
        want, g[0], want * (NaiveClip.scaleBound() + NaiveClip.normBound(NormType.L2, 3, 1)));
    assertEquals(
        -want, g[1], want * (NaiveClip.scaleBound() + NaiveClip.normBound(NormType.L2, 3, 1)));
    assertEquals(0f, g[2], 0f);
  }

  private static float[] fill(SplittableRandom rnd, Magnitude m, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      float sign = rnd.nextBoolean() ? 1f : -1f;
      float huge = (float) (Float.MAX_VALUE * (0.01 + 0.99 * rnd.nextDouble()));
      float tiny = Float.MIN_VALUE * (1 + rnd.nextInt(1 << 22));
      a[i] =
          sign
              * switch (m) {
                case HUGE -> huge;
                case TINY_SUBNORMAL -> tiny;
                case HUGE_AND_TINY -> rnd.nextBoolean() ? huge : tiny;
                case NORMAL_AND_SUBNORMAL ->
                    rnd.nextInt(8) == 0 ? (float) rnd.nextDouble() * 1e-20f : tiny;
                case NEAR_MAX -> Math.nextDown(Float.MAX_VALUE);
              };
    }
    return a;
  }
}
