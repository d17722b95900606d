package dev.bptt.verify;

import dev.bptt.kernel.blas.Blas;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Level-1 kernels against the double reference, within the bounds derived in {@link Tolerance}:
 * dot, axpy (also with x and y the same range), scale and the norms on ordinary data (the extremes
 * of the norms are {@link NormSafetyTest}'s). Inputs and the padding around outputs must come back
 * with the same bits.
 */
class Level1PropertyTest {

  /** Sizes: edges up to 200 and, one time in eight, 1000..5000 (crosses every unroll threshold). */
  private static int[] dims(long seed) {
    return new int[] {new Gen(seed).sizeOrLarge(200, 1000, 5000)};
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void dotIsWithinDerivedBound(long seed) {
    Shrink.check(seed, dims(seed), d -> dotCase(seed, d[0]));
  }

  private static String dotCase(long seed, int n) {
    Gen g = new Gen(~seed);
    float[] s = g.scalePair();
    int xOff = g.offset(), yOff = g.offset();
    float[] x = Padded.vector(g, xOff, n, s[0]), y = Padded.vector(g, yOff, n, s[1]);
    float[] x0 = x.clone(), y0 = y.clone();
    float got = Blas.dot(n, x, xOff, y, yOff);
    double bound = Tolerance.dot(n, NaiveBlas.dotMagnitude(n, x0, xOff, y0, yOff));
    return Compare.first(
        Compare.within(
            "dot n=" + n + " scales=" + s[0] + "," + s[1],
            got,
            NaiveBlas.dot(n, x0, xOff, y0, yOff),
            bound),
        Padded.unchanged("x", x0, x),
        Padded.unchanged("y", y0, y));
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void axpyIsWithinDerivedBound(long seed) {
    Shrink.check(seed, dims(seed), d -> axpyCase(seed, d[0]));
  }

  /** y ← y + α·x; one time in four x is y itself (same range), which the kernel allows. */
  private static String axpyCase(long seed, int n) {
    Gen g = new Gen(~seed);
    float alpha = g.scalar();
    boolean alias = g.random().nextInt(4) == 0;
    int xOff = g.offset(), yOff = g.offset();
    float[] y = Padded.vector(g, yOff, n, g.scaleExp());
    float[] x = alias ? y : Padded.vector(g, xOff, n, g.scaleExp());
    if (alias) {
      xOff = yOff;
    }
    float[] x0 = x.clone(), y0 = y.clone();
    Blas.axpy(n, alpha, x, xOff, y, yOff);
    double[] exp = NaiveBlas.axpy(n, alpha, x0, xOff, y0, yOff);
    final int xo = xOff;
    String label = "axpy n=" + n + " alpha=" + alpha + (alias ? " (x is y)" : "");
    return Compare.first(
        Compare.within(
            label,
            y,
            yOff,
            1,
            n,
            n,
            exp,
            i ->
                Tolerance.axpy(
                    Math.abs((double) y0[yOff + i]) + Math.abs((double) alpha * x0[xo + i]))),
        Padded.untouchedOutside("y", y0, y, yOff, 1, n, n),
        alias ? null : Padded.unchanged("x", x0, x));
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void scaleIsWithinDerivedBound(long seed) {
    Shrink.check(seed, dims(seed), d -> scaleCase(seed, d[0]));
  }

  private static String scaleCase(long seed, int n) {
    Gen g = new Gen(~seed);
    float alpha = g.scalar();
    int off = g.offset();
    float[] x = Padded.vector(g, off, n, g.scaleExp());
    float[] x0 = x.clone();
    Blas.scale(n, alpha, x, off);
    double[] exp = NaiveBlas.scale(n, alpha, x0, off);
    return Compare.first(
        Compare.within(
            "scale n=" + n + " alpha=" + alpha,
            x,
            off,
            1,
            n,
            n,
            exp,
            i -> Tolerance.scale(Math.abs(exp[i]))),
        Padded.untouchedOutside("x", x0, x, off, 1, n, n));
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void normsAreWithinDerivedBounds(long seed) {
    Shrink.check(seed, dims(seed), d -> normsCase(seed, d[0]));
  }

  /**
   * Bounds (all relative, no underflow term): norm1 sums n exact |xᵢ| (depth n − 1, so γₙ);
   * sumOfSquares keeps the float pass only when it is ≥ n·2⁻¹⁰², where the ≤ n·2⁻¹⁵⁰ lost to
   * underflowing squares is ≤ 2⁻⁴⁸ of the result, so γₙ plus one more u covers it: γₙ₊₁ (the double
   * pass is far better); norm2 = √ of it halves that relative error and adds one double rounding,
   * still inside γₙ₊₁ + γᵈₙ₊₁. normInf is exact.
   */
  static String normsCase(long seed, int n) {
    Gen g = new Gen(~seed);
    int off = g.offset();
    float[] x = Padded.vector(g, off, n, g.scaleExp());
    float[] x0 = x.clone();
    double ss = NaiveBlas.sumOfSquares(n, x0, off), n1 = NaiveBlas.norm1(n, x0, off);
    String label = " n=" + n + " off=" + off;
    return Compare.first(
        Compare.within(
            "sumOfSquares" + label,
            Blas.sumOfSquares(n, x, off),
            ss,
            Tolerance.bound(n + 1L, ss, 0)),
        Compare.within(
            "norm2" + label,
            Blas.norm2(n, x, off),
            Math.sqrt(ss),
            Tolerance.bound(n + 1L, Math.sqrt(ss), 0)),
        Compare.within("norm1" + label, Blas.norm1(n, x, off), n1, Tolerance.bound(n, n1, 0)),
        Compare.within(
            "normInf" + label, Blas.normInf(n, x, off), NaiveBlas.normInf(n, x0, off), 0),
        Padded.unchanged("x", x0, x));
  }
}
