package dev.bptt.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Blas;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Norms at the ends of the float range: entries up to {@link Float#MAX_VALUE} (whose squares and
 * sums overflow a float) and down to subnormals (whose squares underflow one), compared with the
 * double reference under relative bounds only; no absolute slack is allowed, since the kernels
 * promise the right value there (see {@link Level1PropertyTest#normsCase} for the derivation of the
 * bounds). NaN and ∞ propagate.
 */
class NormSafetyTest {

  /** How the magnitudes of one case are drawn. */
  private enum Regime {
    /** |x| in [MAX/4, MAX]: every square overflows a float. */
    HUGE,
    /** Subnormals k·MIN_VALUE: every square underflows a float to 0. */
    SUBNORMAL,
    /** |x| ≈ 2⁻⁷⁰..2⁻⁵⁰: squares subnormal or barely normal, the float pass loses them. */
    TINY_NORMAL,
    /** Random exponent over the whole range [−149, 127]. */
    FULL_RANGE,
    /** A few entries near MAX among subnormals. */
    MIXED
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void normsOfExtremeMagnitudesMatchDoubleReference(long seed) {
    Gen g = new Gen(seed);
    Regime regime = Regime.values()[g.random().nextInt(Regime.values().length)];
    int[] dims = {g.sizeOrLarge(100, 1000, 3000)};
    Shrink.check(seed, dims, d -> extremeCase(seed, regime, d[0]));
  }

  private static String extremeCase(long seed, Regime regime, int n) {
    Gen g = new Gen(~seed);
    int off = g.offset();
    float[] x = Padded.vector(g, off, n, 1f);
    for (int i = 0; i < n; i++) {
      x[off + i] = (g.random().nextBoolean() ? 1 : -1) * magnitude(g, regime);
    }
    float[] x0 = x.clone();
    double ss = NaiveBlas.sumOfSquares(n, x0, off), n1 = NaiveBlas.norm1(n, x0, off);
    String label = regime + " n=" + n;
    return Compare.first(
        Compare.within(
            "sumOfSquares " + label,
            Blas.sumOfSquares(n, x, off),
            ss,
            Tolerance.bound(n + 1L, ss, 0)),
        Compare.within(
            "norm2 " + label,
            Blas.norm2(n, x, off),
            Math.sqrt(ss),
            Tolerance.bound(n + 1L, Math.sqrt(ss), 0)),
        Compare.within("norm1 " + label, Blas.norm1(n, x, off), n1, Tolerance.bound(n, n1, 0)),
        Compare.within(
            "normInf " + label, Blas.normInf(n, x, off), NaiveBlas.normInf(n, x0, off), 0),
        Padded.unchanged("x", x0, x));
  }

  private static float magnitude(Gen g, Regime regime) {
    var r = g.random();
    return switch (regime) {
      case HUGE -> Float.MAX_VALUE * (0.25f + 0.75f * r.nextFloat());
      case SUBNORMAL -> Float.MIN_VALUE * (1 + r.nextInt(1 << 23));
      case TINY_NORMAL -> Math.scalb(1 + r.nextFloat(), -70 + r.nextInt(21));
      case FULL_RANGE -> Math.scalb(1 + r.nextFloat(), -149 + r.nextInt(277));
      case MIXED ->
          r.nextInt(16) == 0
              ? Float.MAX_VALUE * r.nextFloat()
              : Float.MIN_VALUE * (1 + r.nextInt(1 << 23));
    };
  }

  @Test
  void normOfTwoMaxValuesIsFiniteAndMaxTimesSqrt2() {
    float[] x = {Float.MAX_VALUE, Float.MAX_VALUE};
    double expected = Math.sqrt(2.0) * Float.MAX_VALUE;
    double norm = Blas.norm2(2, x, 0);
    assertTrue(Double.isFinite(norm), "norm2([MAX, MAX]) = " + norm);
    // 2·MAX² is exact in double; √ rounds once, the expected value rounds √2 and its product: γᵈ₃.
    assertEquals(expected, norm, Tolerance.gammaDouble(3) * expected);
    assertEquals(2.0 * Float.MAX_VALUE * Float.MAX_VALUE, Blas.sumOfSquares(2, x, 0));
    assertEquals(2.0 * Float.MAX_VALUE, Blas.norm1(2, x, 0));
    assertEquals(Float.MAX_VALUE, Blas.normInf(2, x, 0));
  }

  @Test
  void normOfSmallestSubnormalsIsExactNotZero() {
    for (int n : new int[] {1, 3, 4, 5, 15, 16, 17, 64, 65, 1001}) {
      float[] x = new float[n];
      Arrays.fill(x, Float.MIN_VALUE);
      double expected = Math.sqrt(n) * Float.MIN_VALUE; // n·MIN² is exact in double
      assertEquals(
          expected, Blas.norm2(n, x, 0), Tolerance.gammaDouble(n + 2L) * expected, "n=" + n);
      assertEquals((double) n * Float.MIN_VALUE, Blas.norm1(n, x, 0), "n=" + n);
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void nanAndInfinityPropagate(long seed) {
    Gen g = new Gen(seed);
    int n = g.size(1, 100);
    float[] x = g.array(n, Float.MAX_VALUE / 2);
    int at = g.random().nextInt(n);
    x[at] = Float.NEGATIVE_INFINITY;
    String where = " (n=" + n + ", at " + at + ")";
    assertEquals(
        Double.POSITIVE_INFINITY, Blas.sumOfSquares(n, x, 0), "sumOfSquares with -inf" + where);
    assertEquals(Double.POSITIVE_INFINITY, Blas.norm2(n, x, 0), "norm2 with -inf" + where);
    assertEquals(Double.POSITIVE_INFINITY, Blas.norm1(n, x, 0), "norm1 with -inf" + where);
    assertEquals(Float.POSITIVE_INFINITY, Blas.normInf(n, x, 0), "normInf with -inf" + where);
    x[g.random().nextInt(n)] = Float.NaN;
    where = " (n=" + n + ", NaN and maybe -inf)";
    assertTrue(Double.isNaN(Blas.sumOfSquares(n, x, 0)), "sumOfSquares with NaN" + where);
    assertTrue(Double.isNaN(Blas.norm2(n, x, 0)), "norm2 with NaN" + where);
    assertTrue(Double.isNaN(Blas.norm1(n, x, 0)), "norm1 with NaN" + where);
    assertTrue(Float.isNaN(Blas.normInf(n, x, 0)), "normInf with NaN" + where);
  }
}
