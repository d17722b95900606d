package dev.bptt.verify.spectral;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.spectral.Spectral;
import dev.bptt.kernel.spectral.SpectralEstimate;
import dev.bptt.kernel.spectral.SpectralEstimator;
import dev.bptt.kernel.spectral.SpectralInit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Documented edges of the spectral package that the other tests never reach, found as surviving
 * mutants of the pit profile (results/mutation/README.md): the estimator's accessors and its
 * inclusive/exclusive limits (tolerance 0 and +∞), a warm start from a non-finite vector, the start
 * vector's normalization (visible after one step), growth rates of all three estimators against
 * closed forms, the breakdown result of a zero matrix, argument checks that another check would
 * otherwise mask, and initializers' limits (bound or σ of 0, perRow of 1 and n, a scale that would
 * overflow, rectangular orthogonal draws).
 */
class SpectralEdgeCaseTest {

  private static float[] diag(float... d) {
    int n = d.length;
    float[] a = new float[n * n];
    for (int i = 0; i < n; i++) {
      a[i * n + i] = d[i];
    }
    return a;
  }

  private static SpectralEstimate symmetric(float[] a, float[] v, int maxIter, double tol) {
    int n = v.length;
    return Spectral.symmetricDominant(
        n, a, 0, n, v, 0, new float[Spectral.symmetricWorkLength(n)], 0, maxIter, tol);
  }

  private static SpectralEstimate sigma(float[] a, int m, float[] v, int maxIter, double tol) {
    int n = v.length;
    return Spectral.sigmaMax(
        m, n, a, 0, n, v, 0, new float[Spectral.sigmaMaxWorkLength(m, n)], 0, maxIter, tol);
  }

  private static SpectralEstimate radius(float[] a, float[] v, int maxIter, double tol) {
    int n = v.length;
    return Spectral.spectralRadius(
        n, a, 0, n, v, 0, new float[Spectral.spectralRadiusWorkLength(n)], 0, maxIter, tol);
  }

  @Test
  void estimatorAccessorsAndToleranceLimits() {
    SpectralEstimator e =
        SpectralEstimator.rectangular(3, 5).withMaxIterations(7).withTolerance(0.0);
    assertEquals(3, e.rows());
    assertEquals(5, e.cols());
    assertEquals(7, e.maxIterations());
    assertEquals(0.0, e.tolerance());
    for (double bad : new double[] {Double.POSITIVE_INFINITY, Double.NaN, -1e-9}) {
      IllegalArgumentException x =
          assertThrows(IllegalArgumentException.class, () -> e.withTolerance(bad));
      assertTrue(x.getMessage().startsWith("tolerance"), x.getMessage());
    }
    assertThrows(IllegalStateException.class, () -> e.symmetricDominant(new float[15]));
  }

  @Test
  void warmStartFromANonFiniteVectorRestarts() {
    float[] a = diag(3, 2, 1);
    SpectralEstimator warm = SpectralEstimator.square(3).withWarmStart(true).withMaxIterations(2);
    warm.symmetricDominant(a);
    warm.vector()[1] = Float.NaN;
    SpectralEstimate again = warm.symmetricDominant(a);
    SpectralEstimate cold = SpectralEstimator.square(3).withMaxIterations(2).symmetricDominant(a);
    assertEquals(cold, again);
  }

  @Test
  void checksThatAnotherCheckWouldMask() {
    float[] a = diag(2, 1);
    IllegalArgumentException tol =
        assertThrows(
            IllegalArgumentException.class,
            () -> symmetric(a, new float[] {1, 1}, 5, Double.POSITIVE_INFINITY));
    assertTrue(tol.getMessage().startsWith("tol"), tol.getMessage());
    IllegalArgumentException m =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Spectral.sigmaMax(
                    0, 2, new float[4], 0, 2, new float[] {1, 1}, 0, new float[8], 0, 5, 0));
    assertTrue(m.getMessage().startsWith("m "), m.getMessage());
    // v overlaps A's last entry (A = [0, 4), v = [3, 5)); work is separate.
    float[] shared = {1, 0, 0, 1, 1, 0};
    float[] before = shared.clone();
    IllegalArgumentException overlap =
        assertThrows(
            IllegalArgumentException.class,
            () -> Spectral.sigmaMax(2, 2, shared, 0, 2, shared, 3, new float[6], 0, 5, 0));
    assertTrue(overlap.getMessage().contains("A"), overlap.getMessage());
    assertArrayEquals(before, shared);
    IllegalArgumentException inf =
        assertThrows(
            IllegalArgumentException.class,
            () -> symmetric(a, new float[] {Float.POSITIVE_INFINITY, 0}, 5, 0));
    assertTrue(inf.getMessage().contains("start vector"), inf.getMessage());
  }

  @Test
  void zeroMatrixBreaksDownToZero() {
    SpectralEstimate s = sigma(new float[6], 2, new float[] {1, 2, 3}, 5, 0);
    assertEquals(0.0, s.value());
    assertEquals(0.0, s.growthRate());
    assertEquals(0.0, s.residual());
    assertFalse(s.converged());
    SpectralEstimate d = symmetric(new float[4], new float[] {1, 2}, 5, 0);
    assertEquals(0.0, d.value());
    assertEquals(0.0, d.growthRate());
    assertFalse(d.converged());
    assertEquals(1, d.iterations());
  }

  /** After one step the Rayleigh quotient is that of the normalized start vector. */
  @Test
  void startVectorIsNormalizedFirst() {
    float[] a = diag(2, 1);
    float[] v = {3, 4};
    SpectralEstimate r = symmetric(a, v, 1, 0);
    assertEquals(1.36, r.eigenRe(), 1e-6);
    assertArrayEquals(new float[] {0.6f, 0.8f}, v, 1e-7f);
    // A norm above 2^126: normalized in exact power-of-two steps, then by the remaining factor.
    float[] big = {3e38f, 0};
    SpectralEstimate h = symmetric(a, big, 1, 0);
    assertEquals(2.0, h.eigenRe(), 1e-6);
    assertArrayEquals(new float[] {1f, 0f}, big, 1e-7f);
  }

  @Test
  void growthRatesMatchClosedForms() {
    // ‖A³x₀‖^{1/3} for A = diag(2, 1), x₀ = (1, 1)/√2.
    SpectralEstimate d = symmetric(diag(2, 1), new float[] {1, 1}, 3, 0);
    assertEquals(3, d.iterations());
    assertEquals(Math.cbrt(Math.sqrt(65 / 2.0)), d.growthRate(), 1e-5);
    // ‖(WᵀW)³x₀‖^{1/6} for W = diag(3, 1).
    SpectralEstimate s = sigma(diag(3, 1), 2, new float[] {1, 1}, 3, 0);
    assertEquals(3, s.iterations());
    assertEquals(Math.pow(Math.hypot(729, 1) / Math.sqrt(2), 1 / 6.0), s.growthRate(), 1e-5);
  }

  /** n = 3: the first Rayleigh–Ritz extraction (step 1) spans the whole space and is exact. */
  @Test
  void spectralRadiusExtractsAtTheFirstStep() {
    SpectralEstimate r = radius(diag(3, 2, 1), new float[] {1, 1, 1}, 50, 1e-3);
    assertTrue(r.converged());
    assertEquals(1, r.iterations());
    assertEquals(3.0, r.value(), 1e-5);
  }

  @Test
  void rescaledRejectsAnInfiniteRhoBeforeDrawing() {
    SplittableRandom rng = new SplittableRandom(5);
    float[] a = new float[16];
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SpectralInit.gaussianRescaled(rng, Double.POSITIVE_INFINITY, 4, a, 0, 4));
    assertTrue(e.getMessage().startsWith("rho"), e.getMessage());
    assertEquals(new SplittableRandom(5).nextLong(), rng.nextLong(), "drew before rejecting");
    assertArrayEquals(new float[16], a);
    NullPointerException npe =
        assertThrows(
            NullPointerException.class, () -> SpectralInit.gaussianRescaled(null, 1, 4, a, 0, 4));
    assertEquals("rng must not be null", npe.getMessage());
  }

  private static void assertAllZero(float[] a, String what) {
    for (float x : a) {
      assertEquals(0f, Math.abs(x), what);
    }
  }

  @Test
  void initializerLimits() {
    float[] a = new float[12];
    java.util.Arrays.fill(a, 7f);
    SpectralInit.uniform(new SplittableRandom(1), 0.0, 3, 4, a, 0, 4);
    assertAllZero(a, "bound 0 writes zeros");
    java.util.Arrays.fill(a, 7f);
    SpectralInit.normal(new SplittableRandom(1), 0.0, 3, 4, a, 0, 4);
    assertAllZero(a, "sigma 0 writes zeros");
    // σ = MAX_VALUE with some |z| > 1 would write ±∞: refused, nothing written.
    float[] b = new float[16];
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SpectralInit.normal(new SplittableRandom(2), Float.MAX_VALUE, 4, 4, b, 0, 4));
    assertTrue(e.getMessage().startsWith("sigma"), e.getMessage());
    assertArrayEquals(new float[16], b);
    for (int perRow : new int[] {1, 4}) {
      float[] w = new float[16];
      SpectralEstimate est =
          SpectralInit.sparseRescaled(new SplittableRandom(3), perRow, 0.9, 4, w, 0, 4);
      assertTrue(est.value() > 0, "perRow " + perRow);
      for (int i = 0; i < 4; i++) {
        int nonZero = 0;
        for (int j = 0; j < 4; j++) {
          nonZero += w[i * 4 + j] != 0 ? 1 : 0;
        }
        assertEquals(perRow, nonZero, "perRow " + perRow + ", row " + i);
      }
    }
    for (int bad : new int[] {0, 5}) {
      assertThrows(
          IllegalArgumentException.class,
          () -> SpectralInit.sparseRescaled(new SplittableRandom(3), bad, 0.9, 4, a, 0, 4));
    }
  }

  @Test
  void rectangularOrthogonalDrawsHaveOrthonormalColumnsOrRows() {
    for (int[] shape : new int[][] {{5, 3}, {3, 5}}) {
      int rows = shape[0], cols = shape[1];
      float[] a = new float[rows * cols];
      SpectralInit.orthogonal(new SplittableRandom(4), 1.0, rows, cols, a, 0, cols);
      boolean tall = rows >= cols;
      int k = tall ? cols : rows;
      for (int p = 0; p < k; p++) {
        for (int q = 0; q < k; q++) {
          double s = 0;
          for (int t = 0; t < (tall ? rows : cols); t++) {
            s +=
                tall
                    ? (double) a[t * cols + p] * a[t * cols + q]
                    : (double) a[p * cols + t] * a[q * cols + t];
          }
          assertEquals(p == q ? 1.0 : 0.0, s, 1e-5, rows + "x" + cols + " (" + p + "," + q + ")");
        }
      }
    }
  }
}
