package dev.bptt.verify;

import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.blas.Transpose;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gemm for all four transpose pairs against the double reference within the derived bound {@link
 * Tolerance#scaledProductSum}, in every (α, β) regime of {@link Scalars}. Shapes favour the edges
 * of the register tile (sizes around 4, 6, 8, 16, 32) and, one time in eight each, cross the
 * driver's blocking: k ≥ 1000 (several K blocks), n ≥ 1025 (two N panels), m ≥ 97 (two M blocks).
 * Inputs and all padding (including the ld gaps) must keep their bits.
 */
class GemmPropertyTest {

  /**
   * Every seed × transpose pair in the RANDOM regime; the first few seeds also in the forced
   * regimes.
   */
  static Stream<Arguments> cases() {
    Stream<Arguments> random = Seeds.seeds().boxed().flatMap(s -> transposes(s, Scalars.RANDOM));
    Stream<Arguments> forced =
        Seeds.fewSeeds()
            .boxed()
            .flatMap(
                s ->
                    Stream.concat(
                        transposes(s, Scalars.BETA_ZERO_NAN_OUTPUT),
                        transposes(s, Scalars.ALPHA_ZERO_BETA_ONE)));
    return Stream.concat(random, forced);
  }

  private static Stream<Arguments> transposes(long seed, Scalars mode) {
    return Stream.of(Transpose.values())
        .flatMap(ta -> Stream.of(Transpose.values()).map(tb -> Arguments.of(seed, ta, tb, mode)));
  }

  /** {m, n, k}. */
  private static int[] dims(long seed) {
    Gen g = new Gen(seed);
    return switch (g.random().nextInt(8)) {
      case 0 -> new int[] {g.size(40), g.size(40), 1000 + g.random().nextInt(101)};
      case 1 -> new int[] {g.size(20), 1025 + g.random().nextInt(76), g.size(40)};
      case 2 -> new int[] {97 + g.random().nextInt(104), g.size(40), g.size(40)};
      default -> new int[] {g.size(70), g.size(70), g.size(70)};
    };
  }

  @ParameterizedTest(name = "seed={0} {1}{2} {3}")
  @MethodSource("cases")
  void gemmIsWithinDerivedBound(long seed, Transpose ta, Transpose tb, Scalars mode) {
    Shrink.check(seed, dims(seed), d -> gemmCase(seed, ta, tb, mode, d[0], d[1], d[2]));
  }

  /** C ← α·op(A)·op(B) + β·C with C m×n, op(A) m×k, op(B) k×n. */
  private static String gemmCase(
      long seed, Transpose ta, Transpose tb, Scalars mode, int m, int n, int k) {
    Gen g = new Gen(~seed);
    float alpha = mode.alpha(g), beta = mode.beta(g);
    float[] s = g.scalePair();
    float cScale = g.random().nextBoolean() ? s[0] * s[1] : g.scaleExp();
    int aRows = ta == Transpose.T ? k : m, aCols = ta == Transpose.T ? m : k;
    int bRows = tb == Transpose.T ? n : k, bCols = tb == Transpose.T ? k : n;
    int aOff = g.offset(),
        lda = g.ld(aCols),
        bOff = g.offset(),
        ldb = g.ld(bCols),
        cOff = g.offset(),
        ldc = g.ld(n);
    float[] a = Padded.matrix(g, aOff, aRows, aCols, lda, s[0]);
    float[] b = Padded.matrix(g, bOff, bRows, bCols, ldb, s[1]);
    float[] c = Padded.matrix(g, cOff, m, n, ldc, cScale);
    mode.prepareOutput(g, c, cOff, m, n, ldc);
    float[] a0 = a.clone(), b0 = b.clone(), c0 = c.clone();
    Blas.gemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    String label =
        "gemm "
            + ta
            + tb
            + " m="
            + m
            + " n="
            + n
            + " k="
            + k
            + " alpha="
            + alpha
            + " beta="
            + beta
            + " lda="
            + lda
            + " ldb="
            + ldb
            + " ldc="
            + ldc
            + " scales="
            + s[0]
            + ","
            + s[1]
            + ","
            + cScale;
    String values;
    if (mode == Scalars.ALPHA_ZERO_BETA_ONE) {
      values =
          Compare.same(
              label + ": C (alpha=0, beta=1 must leave it unchanged)", c, 0, c0, 0, c.length);
    } else {
      double[] exp =
          NaiveBlas.gemm(ta, tb, m, n, k, alpha, a0, aOff, lda, b0, bOff, ldb, beta, c0, cOff, ldc);
      double[] mag =
          NaiveBlas.gemmMagnitude(
              ta, tb, m, n, k, alpha, a0, aOff, lda, b0, bOff, ldb, beta, c0, cOff, ldc);
      double f =
          Level2PropertyTest.maxFactor(
              alpha,
              NaiveBlas.maxAbs(a0, aOff, aRows, aCols, lda),
              NaiveBlas.maxAbs(b0, bOff, bRows, bCols, ldb));
      values =
          Compare.within(
              label + ": C",
              c,
              cOff,
              m,
              n,
              ldc,
              exp,
              e -> Tolerance.scaledProductSum(k, mag[e], f));
    }
    return Compare.first(
        values,
        Padded.untouchedOutside("C", c0, c, cOff, m, n, ldc),
        Padded.unchanged("A", a0, a),
        Padded.unchanged("B", b0, b));
  }
}
