package dev.bptt.verify;

import dev.bptt.kernel.blas.Blas;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gemv, gemvᵀ and ger against the double reference within the derived bound {@link
 * Tolerance#scaledProductSum} (which holds for any evaluation order), for every (α, β) regime of
 * {@link Scalars}: random, β = 0 over an all-NaN y (not read), and α = 0, β = 1 (y unchanged, bit
 * for bit). Offsets are non-zero half of the time, lda &gt; n half of the time; inputs and all
 * padding (including the lda − n gap of A) must keep their bits.
 */
class Level2PropertyTest {

  /** Every seed in the RANDOM regime, the first few seeds also in the two forced regimes. */
  static Stream<Arguments> cases() {
    return Stream.concat(
        Seeds.seeds().mapToObj(s -> Arguments.of(s, Scalars.RANDOM)),
        Seeds.fewSeeds()
            .boxed()
            .flatMap(
                s ->
                    Stream.of(
                        Arguments.of(s, Scalars.BETA_ZERO_NAN_OUTPUT),
                        Arguments.of(s, Scalars.ALPHA_ZERO_BETA_ONE))));
  }

  /** {m, n}: edges up to 70, one of them sometimes 1000..1100 (the other then ≤ 40). */
  private static int[] dims(long seed) {
    Gen g = new Gen(seed);
    int m = g.sizeOrLarge(70, 1000, 1100);
    int n = m >= 1000 ? g.size(40) : g.sizeOrLarge(70, 1000, 1100);
    return g.random().nextBoolean() ? new int[] {m, n} : new int[] {n, m};
  }

  @ParameterizedTest(name = "seed={0} {1}")
  @MethodSource("cases")
  void gemvIsWithinDerivedBound(long seed, Scalars mode) {
    Shrink.check(seed, dims(seed), d -> gemvCase(seed, mode, false, d[0], d[1]));
  }

  @ParameterizedTest(name = "seed={0} {1}")
  @MethodSource("cases")
  void gemvTransposedIsWithinDerivedBound(long seed, Scalars mode) {
    Shrink.check(seed, dims(seed), d -> gemvCase(seed, mode, true, d[0], d[1]));
  }

  /** y ← α·op(A)·x + β·y with A m×n: op(A) = A (y has m elements) or Aᵀ (y has n). */
  private static String gemvCase(long seed, Scalars mode, boolean transposed, int m, int n) {
    Gen g = new Gen(~seed);
    float alpha = mode.alpha(g), beta = mode.beta(g);
    float[] s = g.scalePair();
    float yScale = g.random().nextBoolean() ? s[0] * s[1] : g.scaleExp();
    int xLen = transposed ? m : n, yLen = transposed ? n : m;
    int aOff = g.offset(), lda = g.ld(n), xOff = g.offset(), yOff = g.offset();
    float[] a = Padded.matrix(g, aOff, m, n, lda, s[0]);
    float[] x = Padded.vector(g, xOff, xLen, s[1]);
    float[] y = Padded.vector(g, yOff, yLen, yScale);
    mode.prepareOutput(g, y, yOff, 1, yLen, yLen);
    float[] a0 = a.clone(), x0 = x.clone(), y0 = y.clone();
    String label =
        (transposed ? "gemvT" : "gemv")
            + " m="
            + m
            + " n="
            + n
            + " alpha="
            + alpha
            + " beta="
            + beta
            + " aOff="
            + aOff
            + " lda="
            + lda
            + " scales="
            + s[0]
            + ","
            + s[1]
            + ","
            + yScale;
    if (transposed) {
      Blas.gemvT(m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
    } else {
      Blas.gemv(m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
    }
    double f =
        maxFactor(
            alpha,
            NaiveBlas.maxAbs(a0, aOff, m, n, lda),
            NaiveBlas.maxAbs(x0, xOff, 1, xLen, xLen));
    String values;
    if (mode == Scalars.ALPHA_ZERO_BETA_ONE) {
      values =
          Compare.same(
              label + ": y (alpha=0, beta=1 must leave it unchanged)", y, 0, y0, 0, y.length);
    } else if (transposed) {
      double[] exp = NaiveBlas.gemvT(m, n, alpha, a0, aOff, lda, x0, xOff, beta, y0, yOff);
      double[] mag = NaiveBlas.gemvTMagnitude(m, n, alpha, a0, aOff, lda, x0, xOff, beta, y0, yOff);
      values =
          Compare.within(
              label + ": y", y, yOff, 1, n, n, exp, j -> Tolerance.scaledProductSum(m, mag[j], f));
    } else {
      double[] exp = NaiveBlas.gemv(m, n, alpha, a0, aOff, lda, x0, xOff, beta, y0, yOff);
      double[] mag = NaiveBlas.gemvMagnitude(m, n, alpha, a0, aOff, lda, x0, xOff, beta, y0, yOff);
      values =
          Compare.within(
              label + ": y", y, yOff, 1, m, m, exp, i -> Tolerance.scaledProductSum(n, mag[i], f));
    }
    return Compare.first(
        values,
        Padded.untouchedOutside("y", y0, y, yOff, 1, yLen, yLen),
        Padded.unchanged("A", a0, a),
        Padded.unchanged("x", x0, x));
  }

  /** The largest factor of any product: |α| and the largest entries of the two operands. */
  static double maxFactor(float alpha, double maxA, double maxB) {
    return Math.max(Math.abs((double) alpha), Math.max(maxA, maxB));
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void gerIsWithinDerivedBound(long seed) {
    Shrink.check(seed, dims(seed), d -> gerCase(seed, d[0], d[1]));
  }

  /** A ← A + α·x·yᵀ. */
  private static String gerCase(long seed, int m, int n) {
    Gen g = new Gen(~seed);
    float alpha = g.scalar();
    float[] s = g.scalePair();
    float aScale = g.random().nextBoolean() ? s[0] * s[1] : g.scaleExp();
    int aOff = g.offset(), lda = g.ld(n), xOff = g.offset(), yOff = g.offset();
    float[] x = Padded.vector(g, xOff, m, s[0]);
    float[] y = Padded.vector(g, yOff, n, s[1]);
    float[] a = Padded.matrix(g, aOff, m, n, lda, aScale);
    float[] a0 = a.clone(), x0 = x.clone(), y0 = y.clone();
    Blas.ger(m, n, alpha, x, xOff, y, yOff, a, aOff, lda);
    double[] exp = NaiveBlas.ger(m, n, alpha, x0, xOff, y0, yOff, a0, aOff, lda);
    double[] mag = NaiveBlas.gerMagnitude(m, n, alpha, x0, xOff, y0, yOff, a0, aOff, lda);
    double f =
        maxFactor(alpha, NaiveBlas.maxAbs(x0, xOff, 1, m, m), NaiveBlas.maxAbs(y0, yOff, 1, n, n));
    String label = "ger m=" + m + " n=" + n + " alpha=" + alpha + " aOff=" + aOff + " lda=" + lda;
    return Compare.first(
        Compare.within(
            label + ": A", a, aOff, m, n, lda, exp, e -> Tolerance.scaledProductSum(1, mag[e], f)),
        Padded.untouchedOutside("A", a0, a, aOff, m, n, lda),
        Padded.unchanged("x", x0, x),
        Padded.unchanged("y", y0, y));
  }
}
