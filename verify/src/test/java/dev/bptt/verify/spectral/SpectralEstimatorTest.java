package dev.bptt.verify.spectral;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.spectral.Spectral;
import dev.bptt.kernel.spectral.SpectralEstimate;
import dev.bptt.kernel.spectral.SpectralEstimator;
import dev.bptt.kernel.spectral.SpectralInit;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link SpectralEstimator} is the positional {@link Spectral} API with its scratch held: the same
 * estimate bitwise from the same seeded start, warm starts that need fewer steps on an unchanged
 * matrix, and bad arguments rejected with their names.
 */
class SpectralEstimatorTest {

  static LongStream seeds() {
    return LongStream.range(0, 12).map(k -> 9100 + k);
  }

  private static float[] gaussian(SplittableRandom r, int rows, int cols) {
    float[] a = new float[rows * cols];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (r.nextGaussian() / Math.sqrt(cols));
    }
    return a;
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void sameBitsAsThePositionalCalls(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = 1 + r.nextInt(40);
    int m = 1 + r.nextInt(40);
    float[] w = gaussian(r, n, n);
    float[] rect = gaussian(r, m, n);
    float[] sym = new float[n * n];
    double[] eig = new double[n];
    for (int i = 0; i < n; i++) {
      eig[i] = r.nextDouble(-2, 2);
    }
    SpectralInit.symmetric(r, eig, sym, 0, n);
    long startSeed = r.nextLong();
    SpectralEstimator est =
        SpectralEstimator.square(n).withSeed(startSeed).withMaxIterations(300).withTolerance(1e-4);

    float[] v = new float[n];
    float[] work =
        new float[Math.max(Spectral.spectralRadiusWorkLength(n), Spectral.symmetricWorkLength(n))];
    Spectral.randomStart(startSeed, n, v, 0);
    SpectralEstimate expected = Spectral.spectralRadius(n, w, 0, n, v, 0, work, 0, 300, 1e-4);
    assertEquals(expected, est.spectralRadius(w), "seed=" + seed + " n=" + n);
    assertArrayEquals(v, est.vector(), "seed=" + seed);

    Spectral.randomStart(startSeed, n, v, 0);
    expected = Spectral.symmetricDominant(n, sym, 0, n, v, 0, work, 0, 300, 1e-4);
    assertEquals(expected, est.symmetricDominant(sym), "seed=" + seed + " n=" + n);

    float[] vr = new float[n];
    float[] workR = new float[Spectral.sigmaMaxWorkLength(m, n)];
    Spectral.randomStart(startSeed, n, vr, 0);
    expected = Spectral.sigmaMax(m, n, rect, 0, n, vr, 0, workR, 0, 300, 1e-4);
    SpectralEstimator rectangular =
        SpectralEstimator.rectangular(m, n)
            .withSeed(startSeed)
            .withMaxIterations(300)
            .withTolerance(1e-4);
    assertEquals(expected, rectangular.sigmaMax(rect), "seed=" + seed + " m=" + m + " n=" + n);
    // A second cold call repeats the first bitwise (the start is re-drawn from the seed).
    assertEquals(expected, rectangular.sigmaMax(rect), "seed=" + seed);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void warmStartOnAnUnchangedMatrixConvergesInFewerSteps(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = 8 + r.nextInt(40);
    float[] sym = new float[n * n];
    double[] eig = new double[n];
    for (int i = 0; i < n; i++) {
      eig[i] = i == 0 ? 2.0 : r.nextDouble(-1.6, 1.6); // gap 0.8: a cold start needs tens of steps
    }
    SpectralInit.symmetric(r, eig, sym, 0, n);
    SpectralEstimator warm =
        SpectralEstimator.square(n).withSeed(seed).withWarmStart(true).withTolerance(1e-5);
    SpectralEstimate first = warm.symmetricDominant(sym);
    SpectralEstimate second = warm.symmetricDominant(sym);
    assertTrue(first.converged() && second.converged(), "seed=" + seed);
    assertTrue(
        second.iterations() < first.iterations(),
        "seed="
            + seed
            + ": warm start took "
            + second.iterations()
            + " steps, cold "
            + first.iterations());
    // Some eigenvalue of the float matrix lies within the residual of θ (symmetric: Bauer–Fike with
    // κ = 1), and the float matrix's eigenvalues are within ‖ΔA‖ ≤ n·u·‖A‖₂ of the prescribed ones.
    double bound = second.residual() + n * 0x1p-24 * 2.0;
    assertEquals(2.0, second.value(), bound, "seed=" + seed);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void badArgumentsAreNamed(long seed) {
    int n = 3 + (int) (seed % 5);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SpectralEstimator.square(0));
    assertTrue(e.getMessage().contains("rows"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> SpectralEstimator.square(n).withMaxIterations(0));
    assertTrue(e.getMessage().contains("maxIterations"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SpectralEstimator.square(n).withTolerance(Double.NaN));
    assertTrue(e.getMessage().contains("tolerance"), e.getMessage());
    IndexOutOfBoundsException oob =
        assertThrows(
            IndexOutOfBoundsException.class,
            () -> SpectralEstimator.square(n).spectralRadius(new float[n * n - 1]));
    assertTrue(oob.getMessage().contains("W"), oob.getMessage());
    IllegalStateException st =
        assertThrows(
            IllegalStateException.class,
            () -> SpectralEstimator.rectangular(n, n + 1).spectralRadius(new float[n * (n + 1)]));
    assertTrue(st.getMessage().contains("square"), st.getMessage());
  }
}
