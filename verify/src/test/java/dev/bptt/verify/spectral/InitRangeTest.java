package dev.bptt.verify.spectral;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.spectral.SpectralInit;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Initializers and float's range: a finite scale whose entries would round to ±∞ is refused with a
 * message naming it and nothing is written; the largest scale that fits writes finite entries.
 */
class InitRangeTest {
  private static final int N = 6;

  private static void refused(String name, Consumer<float[]> init) {
    float[] a = new float[N * N];
    Arrays.fill(a, 7f);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> init.accept(a));
    assertTrue(e.getMessage().startsWith(name + " = "), e.getMessage());
    float[] seven = new float[N * N];
    Arrays.fill(seven, 7f);
    assertArrayEquals(seven, a, "written before the refusal");
  }

  private static void finiteEntries(Consumer<float[]> init) {
    float[] a = new float[N * N];
    init.accept(a);
    for (float x : a) {
      assertTrue(Float.isFinite(x), "entry " + x);
    }
  }

  @Test
  void scalesBeyondFloatAreRefused() {
    double big = 1e39; // finite double, beyond Float.MAX_VALUE ≈ 3.4e38
    refused("gain", a -> SpectralInit.orthogonal(new SplittableRandom(1), big, N, N, a, 0, N));
    refused("gain", a -> SpectralInit.scaledIdentity(-big, N, a, 0, N));
    refused("bound", a -> SpectralInit.uniform(new SplittableRandom(1), big, N, N, a, 0, N));
    refused("sigma", a -> SpectralInit.normal(new SplittableRandom(1), 3e38, N, N, a, 0, N));
    refused(
        "eigenvalues[2]",
        a ->
            SpectralInit.symmetric(
                new SplittableRandom(1), new double[] {1, 2, big, 0, 0, 0}, a, 0, N));
    refused("rho", a -> SpectralInit.gaussianRescaled(new SplittableRandom(1), big, N, a, 0, N));
  }

  @Test
  void largestScalesThatFitWriteFiniteEntries() {
    double max = Float.MAX_VALUE;
    finiteEntries(a -> SpectralInit.orthogonal(new SplittableRandom(1), max, N, N, a, 0, N));
    finiteEntries(a -> SpectralInit.scaledIdentity(-max, N, a, 0, N));
    finiteEntries(a -> SpectralInit.uniform(new SplittableRandom(1), max, N, N, a, 0, N));
    finiteEntries(a -> SpectralInit.normal(new SplittableRandom(1), 1e37, N, N, a, 0, N));
  }
}
