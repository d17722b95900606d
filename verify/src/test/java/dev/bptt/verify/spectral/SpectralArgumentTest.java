package dev.bptt.verify.spectral;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.spectral.Spectral;
import dev.bptt.kernel.spectral.SpectralEstimate;
import dev.bptt.kernel.spectral.SpectralInit;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad arguments are rejected before anything is written, with a message naming the argument;
 * degenerate inputs (zero matrix, start vector in the null space, NaN) give the documented results.
 */
class SpectralArgumentTest {
  private static final int N = 6;

  /**
   * Runs a rejected call on copies and checks the exception type, the message and that nothing
   * changed.
   */
  private static void rejects(
      Class<? extends Throwable> type,
      String inMessage,
      float[] a,
      float[] v,
      float[] work,
      Consumer<float[][]> call) {
    float[] a0 = a == null ? null : a.clone(),
        v0 = v == null ? null : v.clone(),
        w0 = work == null ? null : work.clone();
    Executable e = () -> call.accept(new float[][] {a, v, work});
    Throwable t = assertThrows(type, e);
    assertTrue(
        t.getMessage() != null && t.getMessage().contains(inMessage),
        "message '" + t.getMessage() + "' should name '" + inMessage + "'");
    if (a != null) {
      assertArrayEquals(a0, a, "A written by a rejected call");
    }
    if (v != null) {
      assertArrayEquals(v0, v, "v written by a rejected call");
    }
    if (work != null) {
      assertArrayEquals(w0, work, "work written by a rejected call");
    }
  }

  private static float[] filled(int len, float x) {
    float[] f = new float[len];
    java.util.Arrays.fill(f, x);
    return f;
  }

  @Test
  void powerIterationsRejectBadArguments() {
    float[] a = filled(N * N, 0.5f),
        v = filled(N, 1f),
        w = filled(Spectral.spectralRadiusWorkLength(N), 7f);
    rejects(
        IllegalArgumentException.class,
        "n",
        a,
        v,
        w,
        x -> Spectral.symmetricDominant(0, x[0], 0, N, x[1], 0, x[2], 0, 10, 1e-3));
    rejects(
        NullPointerException.class,
        "A",
        null,
        v,
        w,
        x -> Spectral.symmetricDominant(N, x[0], 0, N, x[1], 0, x[2], 0, 10, 1e-3));
    rejects(
        IllegalArgumentException.class,
        "ldA",
        a,
        v,
        w,
        x -> Spectral.symmetricDominant(N, x[0], 0, N - 1, x[1], 0, x[2], 0, 10, 1e-3));
    rejects(
        IndexOutOfBoundsException.class,
        "A",
        a,
        v,
        w,
        x -> Spectral.symmetricDominant(N, x[0], 1, N, x[1], 0, x[2], 0, 10, 1e-3));
    rejects(
        IndexOutOfBoundsException.class,
        "v",
        a,
        v,
        w,
        x -> Spectral.symmetricDominant(N, x[0], 0, N, x[1], 1, x[2], 0, 10, 1e-3));
    rejects(
        IndexOutOfBoundsException.class,
        "work",
        a,
        v,
        w,
        x -> Spectral.spectralRadius(N, x[0], 0, N, x[1], 0, x[2], 1, 10, 1e-3));
    rejects(
        IndexOutOfBoundsException.class,
        "work",
        a,
        v,
        w,
        x ->
            Spectral.sigmaMax(
                N,
                N,
                x[0],
                0,
                N,
                x[1],
                0,
                x[2],
                x[2].length - Spectral.sigmaMaxWorkLength(N, N) + 1,
                10,
                1e-3));
    rejects(
        IllegalArgumentException.class,
        "maxIter",
        a,
        v,
        w,
        x -> Spectral.symmetricDominant(N, x[0], 0, N, x[1], 0, x[2], 0, 0, 1e-3));
    rejects(
        IllegalArgumentException.class,
        "tol",
        a,
        v,
        w,
        x -> Spectral.spectralRadius(N, x[0], 0, N, x[1], 0, x[2], 0, 10, Double.NaN));
    rejects(
        IllegalArgumentException.class,
        "tol",
        a,
        v,
        w,
        x -> Spectral.sigmaMax(N, N, x[0], 0, N, x[1], 0, x[2], 0, 10, -1));
    rejects(
        IllegalArgumentException.class,
        "m",
        a,
        v,
        w,
        x -> Spectral.sigmaMax(0, N, x[0], 0, N, x[1], 0, x[2], 0, 10, 1e-3));
    // work overlapping A or v, v overlapping A (all in one array)
    float[] shared = filled(N * N + N + Spectral.spectralRadiusWorkLength(N), 0.25f);
    rejects(
        IllegalArgumentException.class,
        "overlap",
        shared,
        null,
        null,
        x -> Spectral.symmetricDominant(N, x[0], 0, N, x[0], N * N, x[0], N * N + N - 1, 10, 1e-3));
    rejects(
        IllegalArgumentException.class,
        "overlap",
        shared,
        null,
        null,
        x -> Spectral.spectralRadius(N, x[0], 0, N, x[0], N * N - 1, x[0], N * N + N, 10, 1e-3));
    // start vector zero or not finite
    rejects(
        IllegalArgumentException.class,
        "start vector",
        a,
        filled(N, 0f),
        w,
        x -> Spectral.symmetricDominant(N, x[0], 0, N, x[1], 0, x[2], 0, 10, 1e-3));
    rejects(
        IllegalArgumentException.class,
        "start vector",
        a,
        filled(N, Float.NaN),
        w,
        x -> Spectral.spectralRadius(N, x[0], 0, N, x[1], 0, x[2], 0, 10, 1e-3));
    rejects(
        IllegalArgumentException.class,
        "n",
        null,
        v,
        null,
        x -> Spectral.randomStart(1, 0, x[1], 0));
  }

  @Test
  void degenerateMatricesGiveTheDocumentedResults() {
    float[] zero = new float[N * N],
        v = filled(N, 1f),
        w = new float[Spectral.spectralRadiusWorkLength(N)];
    SpectralEstimate e = Spectral.spectralRadius(N, zero, 0, N, v, 0, w, 0, 10, 1e-3);
    assertEquals(0, e.value());
    assertFalse(e.converged());
    float[] nan = filled(N * N, Float.NaN);
    e = Spectral.symmetricDominant(N, nan, 0, N, filled(N, 1f), 0, w, 0, 10, 1e-3);
    assertTrue(Double.isNaN(e.value()));
    assertFalse(e.converged());
    // 1×1: exact at the first step
    e =
        Spectral.spectralRadius(
            1, new float[] {-3f}, 0, 1, new float[] {2f}, 0, new float[2], 0, 10, 0);
    assertEquals(3.0, e.value());
    assertEquals(-3.0, e.eigenRe());
    e =
        Spectral.sigmaMax(
            1, 1, new float[] {-3f}, 0, 1, new float[] {2f}, 0, new float[3], 0, 10, 0);
    assertEquals(3.0, e.value());
  }

  @Test
  void generatorsRejectBadArgumentsBeforeWriting() {
    float[] a = filled(N * N, 9f);
    SplittableRandom r = new SplittableRandom(1);
    rejects(
        NullPointerException.class,
        "rng",
        a,
        null,
        null,
        x -> SpectralInit.orthogonal(null, 1, N, N, x[0], 0, N));
    rejects(
        IllegalArgumentException.class,
        "gain",
        a,
        null,
        null,
        x -> SpectralInit.orthogonal(r, Double.NaN, N, N, x[0], 0, N));
    rejects(
        IllegalArgumentException.class,
        "rows",
        a,
        null,
        null,
        x -> SpectralInit.orthogonal(r, 1, -1, N, x[0], 0, N));
    rejects(
        IndexOutOfBoundsException.class,
        "A",
        a,
        null,
        null,
        x -> SpectralInit.orthogonal(r, 1, N, N, x[0], 1, N));
    rejects(
        IllegalArgumentException.class,
        "ldA",
        a,
        null,
        null,
        x -> SpectralInit.scaledIdentity(1, N, x[0], 0, N - 1));
    rejects(
        IllegalArgumentException.class,
        "rho",
        a,
        null,
        null,
        x -> SpectralInit.gaussianRescaled(r, 0, N, x[0], 0, N));
    rejects(
        IllegalArgumentException.class,
        "rho",
        a,
        null,
        null,
        x -> SpectralInit.sparseRescaled(r, 2, Double.POSITIVE_INFINITY, N, x[0], 0, N));
    rejects(
        IllegalArgumentException.class,
        "perRow",
        a,
        null,
        null,
        x -> SpectralInit.sparseRescaled(r, N + 1, 0.95, N, x[0], 0, N));
    rejects(
        IllegalArgumentException.class,
        "perRow",
        a,
        null,
        null,
        x -> SpectralInit.sparseRescaled(r, 0, 0.95, N, x[0], 0, N));
    rejects(
        IllegalArgumentException.class,
        "eigenvalues[1]",
        a,
        null,
        null,
        x -> SpectralInit.symmetric(r, new double[] {1, Double.NaN, 0, 0, 0, 0}, x[0], 0, N));
    rejects(
        IllegalArgumentException.class,
        "eigenvalues.length",
        a,
        null,
        null,
        x -> SpectralInit.symmetric(r, new double[0], x[0], 0, N));
    rejects(
        IndexOutOfBoundsException.class,
        "A",
        a,
        null,
        null,
        x -> SpectralInit.symmetric(r, new double[N + 1], x[0], 0, N + 1));
    rejects(
        IllegalArgumentException.class,
        "bound",
        a,
        null,
        null,
        x -> SpectralInit.uniform(r, -1, N, N, x[0], 0, N));
    rejects(
        IllegalArgumentException.class,
        "sigma",
        a,
        null,
        null,
        x -> SpectralInit.normal(r, Double.NaN, N, N, x[0], 0, N));
    rejects(
        IllegalArgumentException.class,
        "hidden",
        a,
        null,
        null,
        x -> SpectralInit.pytorchDefault(r, 0, N, N, x[0], 0, N));
  }
}
