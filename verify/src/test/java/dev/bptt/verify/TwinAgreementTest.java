package dev.bptt.verify;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bptt.kernel.internal.BlasSupport;
import dev.bptt.kernel.internal.VectorizationProvider;
import java.util.Optional;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Vector API kernels and their scalar twins, in one JVM, on the same inputs. Each twin is
 * within a derived bound B of the exact result, so they are within 2·B of each other (bounds from
 * {@link Tolerance}, magnitudes from {@link NaiveBlas}); kernels that round nothing (maxAbs, relu,
 * reluGrad) must agree exactly, activations within the sum of their two ulp contracts. Skipped when
 * the Vector API is absent (the scalar execution runs without it).
 */
class TwinAgreementTest {
  private static BlasSupport scalar;
  private static BlasSupport panama;

  @BeforeAll
  static void twins() {
    scalar = VectorizationProvider.scalar().blas();
    Optional<VectorizationProvider> p = VectorizationProvider.panama();
    panama = p.map(VectorizationProvider::blas).orElse(null);
  }

  private static void assumePanama() {
    assumeTrue(panama != null, "Vector API absent: no Panama twin to compare");
  }

  /** Float values of a rows×cols matrix at off (leading dimension ld), row-major with ld = cols. */
  private static double[] values(float[] a, int off, int rows, int cols, int ld) {
    double[] r = new double[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        r[i * cols + j] = a[off + i * ld + j];
      }
    }
    return r;
  }

  /** Compares the Panama output with the scalar output within twice the bound. */
  private static String agree(
      String what,
      float[] p,
      float[] s,
      int off,
      int rows,
      int cols,
      int ld,
      IntToDoubleFunction bound) {
    return Compare.within(
        what + " panama vs scalar",
        p,
        off,
        rows,
        cols,
        ld,
        values(s, off, rows, cols, ld),
        e -> 2 * bound.applyAsDouble(e));
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void level1TwinsAgree(long seed) {
    assumePanama();
    Shrink.check(
        seed, new int[] {new Gen(seed).sizeOrLarge(200, 1000, 3000)}, d -> level1Case(seed, d[0]));
  }

  private static String level1Case(long seed, int n) {
    Gen g = new Gen(~seed);
    float alpha = g.scalar();
    float[] s = g.scalePair();
    int xOff = g.offset(), yOff = g.offset();
    float[] x = Padded.vector(g, xOff, n, s[0]), y = Padded.vector(g, yOff, n, s[1]);
    float[] x1 =
        Padded.vector(
            g, xOff, n, 1f); // unit scale: the float passes of the norms do not over/underflow
    String l = " n=" + n;
    double dotBound = Tolerance.dot(n, NaiveBlas.dotMagnitude(n, x, xOff, y, yOff));
    float[] yp = y.clone(), ys = y.clone();
    panama.axpy(n, alpha, x, xOff, yp, yOff);
    scalar.axpy(n, alpha, x, xOff, ys, yOff);
    float[] xp = x.clone(), xs = x.clone();
    panama.scale(n, alpha, xp, xOff);
    scalar.scale(n, alpha, xs, xOff);
    double ss = NaiveBlas.sumOfSquares(n, x1, xOff), n1 = NaiveBlas.norm1(n, x1, xOff);
    return Compare.first(
        Compare.within(
            "dot" + l,
            panama.dot(n, x, xOff, y, yOff),
            scalar.dot(n, x, xOff, y, yOff),
            2 * dotBound),
        agree(
            "axpy" + l,
            yp,
            ys,
            yOff,
            1,
            n,
            n,
            i ->
                Tolerance.axpy(
                    Math.abs((double) y[yOff + i]) + Math.abs((double) alpha * x[xOff + i]))),
        agree(
            "scale" + l,
            xp,
            xs,
            xOff,
            1,
            n,
            n,
            i -> Tolerance.scale(Math.abs((double) alpha * x[xOff + i]))),
        // The unrescued float passes: sum of squares has n possibly underflowing products.
        Compare.within(
            "sumOfSquaresFast" + l,
            panama.sumOfSquaresFast(n, x1, xOff),
            scalar.sumOfSquaresFast(n, x1, xOff),
            2 * Tolerance.bound(n, ss, n)),
        Compare.within(
            "sumAbs" + l,
            panama.sumAbs(n, x1, xOff),
            scalar.sumAbs(n, x1, xOff),
            2 * Tolerance.bound(n, n1, 0)),
        Compare.within("maxAbs" + l, panama.maxAbs(n, x, xOff), scalar.maxAbs(n, x, xOff), 0),
        Compare.within(
            "firstNonFinite" + l,
            panama.firstNonFinite(n, x, xOff),
            scalar.firstNonFinite(n, x, xOff),
            0),
        firstNonFiniteAgrees(n, x, xOff, l));
  }

  /** Both twins find the same first NaN/±∞ with one planted at a seed-derived position. */
  private static String firstNonFiniteAgrees(int n, float[] x, int xOff, String l) {
    if (n == 0) {
      return null;
    }
    float[] c = x.clone();
    int p = (int) (Integer.toUnsignedLong(java.util.Arrays.hashCode(x)) % n);
    c[xOff + p] = (p & 1) == 0 ? Float.NaN : Float.NEGATIVE_INFINITY;
    int a = panama.firstNonFinite(n, c, xOff), b = scalar.firstNonFinite(n, c, xOff);
    return a == b && a <= p && a >= 0
        ? null
        : "firstNonFinite" + l + " planted at " + p + ": " + a + " vs " + b;
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void level2TwinsAgree(long seed) {
    assumePanama();
    Gen g = new Gen(seed);
    Shrink.check(
        seed,
        new int[] {g.size(70), g.sizeOrLarge(70, 1000, 1100)},
        d -> level2Case(seed, d[0], d[1]));
  }

  private static String level2Case(long seed, int m, int n) {
    Gen g = new Gen(~seed);
    float alpha = g.scalar(), beta = g.scalar();
    float[] s = g.scalePair();
    int aOff = g.offset(), lda = g.ld(n), xOff = g.offset(), yOff = g.offset();
    float[] a = Padded.matrix(g, aOff, m, n, lda, s[0]);
    float[] xn = Padded.vector(g, xOff, n, s[1]), xm = Padded.vector(g, xOff, m, s[1]);
    float[] ym = Padded.vector(g, yOff, m, s[0] * s[1]),
        yn = Padded.vector(g, yOff, n, s[0] * s[1]);
    String l = " m=" + m + " n=" + n + " alpha=" + alpha + " beta=" + beta;

    float[] p = ym.clone(), q = ym.clone();
    panama.gemv(m, n, alpha, a, aOff, lda, xn, xOff, beta, p, yOff);
    scalar.gemv(m, n, alpha, a, aOff, lda, xn, xOff, beta, q, yOff);
    double[] mag = NaiveBlas.gemvMagnitude(m, n, alpha, a, aOff, lda, xn, xOff, beta, ym, yOff);
    double maxA = NaiveBlas.maxAbs(a, aOff, m, n, lda);
    double fn = Level2PropertyTest.maxFactor(alpha, maxA, NaiveBlas.maxAbs(xn, xOff, 1, n, n));
    double fm = Level2PropertyTest.maxFactor(alpha, maxA, NaiveBlas.maxAbs(xm, xOff, 1, m, m));
    String gemv =
        agree("gemv" + l, p, q, yOff, 1, m, m, i -> Tolerance.scaledProductSum(n, mag[i], fn));

    float[] pt = yn.clone(), qt = yn.clone();
    panama.gemvT(m, n, alpha, a, aOff, lda, xm, xOff, beta, pt, yOff);
    scalar.gemvT(m, n, alpha, a, aOff, lda, xm, xOff, beta, qt, yOff);
    double[] magT = NaiveBlas.gemvTMagnitude(m, n, alpha, a, aOff, lda, xm, xOff, beta, yn, yOff);
    String gemvT =
        agree("gemvT" + l, pt, qt, yOff, 1, n, n, j -> Tolerance.scaledProductSum(m, magT[j], fm));

    float[] pa = a.clone(), qa = a.clone();
    panama.ger(m, n, alpha, xm, xOff, yn, yOff, pa, aOff, lda);
    scalar.ger(m, n, alpha, xm, xOff, yn, yOff, qa, aOff, lda);
    double[] magR = NaiveBlas.gerMagnitude(m, n, alpha, xm, xOff, yn, yOff, a, aOff, lda);
    double fr =
        Level2PropertyTest.maxFactor(
            alpha, NaiveBlas.maxAbs(xm, xOff, 1, m, m), NaiveBlas.maxAbs(yn, yOff, 1, n, n));
    String ger =
        agree("ger" + l, pa, qa, aOff, m, n, lda, e -> Tolerance.scaledProductSum(1, magR[e], fr));
    return Compare.first(gemv, gemvT, ger);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void gemmTwinsAgree(long seed) {
    assumePanama();
    Gen g = new Gen(seed);
    int[] dims =
        g.random().nextInt(6) == 0
            ? new int[] {g.size(30), g.size(30), 300 + g.random().nextInt(300)}
            : new int[] {g.sizeOrLarge(70, 97, 150), g.size(70), g.size(70)};
    Shrink.check(seed, dims, d -> gemmCase(seed, d[0], d[1], d[2]));
  }

  private static String gemmCase(long seed, int m, int n, int k) {
    Gen g = new Gen(~seed);
    boolean ta = g.random().nextBoolean(), tb = g.random().nextBoolean();
    float alpha = g.scalar(), beta = g.scalar();
    float[] s = g.scalePair();
    int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
    int aOff = g.offset(),
        lda = g.ld(aCols),
        bOff = g.offset(),
        ldb = g.ld(bCols),
        cOff = g.offset(),
        ldc = g.ld(n);
    float[] a = Padded.matrix(g, aOff, aRows, aCols, lda, s[0]);
    float[] b = Padded.matrix(g, bOff, bRows, bCols, ldb, s[1]);
    float[] c = Padded.matrix(g, cOff, m, n, ldc, s[0] * s[1]);
    float[] p = c.clone(), q = c.clone();
    panama.gemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, p, cOff, ldc);
    scalar.gemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, q, cOff, ldc);
    var tA = ta ? dev.bptt.kernel.blas.Transpose.T : dev.bptt.kernel.blas.Transpose.N;
    var tB = tb ? dev.bptt.kernel.blas.Transpose.T : dev.bptt.kernel.blas.Transpose.N;
    double[] mag =
        NaiveBlas.gemmMagnitude(
            tA, tB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    double f =
        Level2PropertyTest.maxFactor(
            alpha,
            NaiveBlas.maxAbs(a, aOff, aRows, aCols, lda),
            NaiveBlas.maxAbs(b, bOff, bRows, bCols, ldb));
    return agree(
        "gemm " + tA + tB + " m=" + m + " n=" + n + " k=" + k,
        p,
        q,
        cOff,
        m,
        n,
        ldc,
        e -> Tolerance.scaledProductSum(k, mag[e], f));
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void activationTwinsAgree(long seed) {
    assumePanama();
    Shrink.check(
        seed,
        new int[] {new Gen(seed).sizeOrLarge(120, 1000, 2000)},
        d -> activationCase(seed, d[0]));
  }

  /** tanh: both within 2 ulp of (float) Math.tanh, so within 4 of each other; sigmoid 4 + 4. */
  private static String activationCase(long seed, int n) {
    Gen g = new Gen(~seed);
    float[] x = Padded.vector(g, 0, n, 20f);
    float[] h = Padded.vector(g, 0, n, 1f), grad = Padded.vector(g, 0, n, g.scaleExp());
    String l = " n=" + n;
    float[] p = new float[n], q = new float[n];
    panama.tanh(n, x, 0, p, 0);
    scalar.tanh(n, x, 0, q, 0);
    String tanh = ulps("tanh" + l, x, p, q, 4);
    panama.sigmoid(n, x, 0, p, 0);
    scalar.sigmoid(n, x, 0, q, 0);
    String sigmoid = ulps("sigmoid" + l, x, p, q, 8);
    panama.relu(n, x, 0, p, 0);
    scalar.relu(n, x, 0, q, 0);
    String relu = Compare.same("relu" + l, p, 0, q, 0, n);
    panama.tanhGrad(n, h, 0, grad, 0, p, 0);
    scalar.tanhGrad(n, h, 0, grad, 0, q, 0);
    String tanhGrad =
        agree("tanhGrad" + l, p, q, 0, 1, n, n, i -> Tolerance.tanhGrad(h[i], grad[i]));
    panama.sigmoidGrad(n, h, 0, grad, 0, p, 0);
    scalar.sigmoidGrad(n, h, 0, grad, 0, q, 0);
    String sigmoidGrad =
        agree("sigmoidGrad" + l, p, q, 0, 1, n, n, i -> Tolerance.sigmoidGrad(h[i], grad[i]));
    panama.reluGrad(n, h, 0, grad, 0, p, 0);
    scalar.reluGrad(n, h, 0, grad, 0, q, 0);
    String reluGrad = Compare.same("reluGrad" + l, p, 0, q, 0, n);
    return Compare.first(tanh, sigmoid, relu, tanhGrad, sigmoidGrad, reluGrad);
  }

  private static String ulps(String what, float[] x, float[] p, float[] q, long max) {
    for (int i = 0; i < p.length; i++) {
      long d = Tolerance.ulpDistance(p[i], q[i]);
      if (d > max) {
        return what
            + ": x["
            + i
            + "]="
            + x[i]
            + " panama "
            + p[i]
            + " scalar "
            + q[i]
            + " ("
            + d
            + " ulp > "
            + max
            + ")";
      }
    }
    return null;
  }
}
