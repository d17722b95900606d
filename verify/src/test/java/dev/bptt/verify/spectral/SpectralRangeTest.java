package dev.bptt.verify.spectral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.spectral.Spectral;
import dev.bptt.kernel.spectral.SpectralEstimate;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The estimators over float's whole range (issue: σ_max covered only about √ of it, and subnormal
 * start vectors gave NaN).
 *
 * <ul>
 *   <li>σ_max of 2^k·W is exactly 2^k·σ_max(W), every iterate bitwise the same: the estimator
 *       scales its products by the exponent of max|W_ij|, which a power-of-two factor shifts
 *       exactly (k up to ±100, i.e. |W| from 1e−31 to 1e29, where WᵀWx itself would not fit a
 *       float). A factor 10^±20 agrees within 10⁻⁵ (one rounding per entry of W, amplified over the
 *       iterations by at most the condition of the converged problem; the tolerance is loose on
 *       purpose, the failure it guards against was NaN).
 *   <li>A start vector of subnormal entries (norm down to 1e−44) gives a finite estimate within
 *       10⁻³ of the one from a normal start: normalizing it now scales in exact power-of-two steps
 *       that each stay a normal float (the old single 2^−e factor was +∞ for e &lt; −127).
 * </ul>
 */
class SpectralRangeTest {
  private static final int M = 7, N = 5;

  private static float[] matrix(double scale) {
    SplittableRandom r = new SplittableRandom(11);
    float[] w = new float[M * N];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (scale * r.nextDouble(-1, 1));
    }
    return w;
  }

  private static SpectralEstimate sigma(float[] w, float[] v) {
    float[] work = new float[Spectral.sigmaMaxWorkLength(M, N)];
    return Spectral.sigmaMax(M, N, w, 0, N, v, 0, work, 0, 200, 0);
  }

  private static float[] start(double scale) {
    float[] v = new float[N];
    for (int i = 0; i < N; i++) {
      v[i] = (float) (scale * (1 + i));
    }
    return v;
  }

  @ParameterizedTest(name = "k={0}")
  @ValueSource(ints = {-100, -66, -40, 40, 66, 100})
  void sigmaMaxScalesExactlyByPowersOfTwo(int k) {
    float[] w = matrix(1);
    float[] ws = matrix(Math.scalb(1.0, k));
    SpectralEstimate base = sigma(w, start(1));
    SpectralEstimate scaled = sigma(ws, start(1));
    assertEquals(Math.scalb(base.value(), k), scaled.value(), 0.0, "σ̂ of 2^k·W");
    assertEquals(Math.scalb(base.residual(), k), scaled.residual(), 0.0, "residual of 2^k·W");
    assertEquals(base.iterations(), scaled.iterations());
  }

  @ParameterizedTest(name = "scale=1e{0}")
  @ValueSource(ints = {-30, -20, 20, 30})
  void sigmaMaxOfDecimalScales(int exp) {
    double c = Math.pow(10, exp);
    SpectralEstimate base = sigma(matrix(1), start(1));
    SpectralEstimate scaled = sigma(matrix(c), start(1));
    assertTrue(Double.isFinite(scaled.value()), "σ̂ = " + scaled.value());
    assertEquals(1.0, scaled.value() / (c * base.value()), 1e-5);
  }

  @ParameterizedTest(name = "start scale={0}")
  @ValueSource(doubles = {1e-39, 1e-42, 1e-44})
  void subnormalStartVectors(double scale) {
    float[] v = start(scale);
    assertTrue(v[0] != 0 && Math.abs(v[0]) < Float.MIN_NORMAL, "entries are subnormal");
    SpectralEstimate ref = sigma(matrix(1), start(1));
    SpectralEstimate got = sigma(matrix(1), v);
    assertTrue(Double.isFinite(got.value()), "σ̂ from a subnormal start: " + got.value());
    assertEquals(ref.value(), got.value(), 1e-3 * ref.value());

    float[] sym = new float[N * N];
    float[] w = matrix(1);
    for (int i = 0; i < N; i++) {
      for (int j = 0; j < N; j++) {
        sym[i * N + j] = w[i * N + j] + w[j * N + i];
      }
    }
    float[] work = new float[Math.max(Spectral.symmetricWorkLength(N), 1)];
    SpectralEstimate s1 =
        Spectral.symmetricDominant(N, sym, 0, N, start(scale), 0, work, 0, 500, 0);
    SpectralEstimate s0 = Spectral.symmetricDominant(N, sym, 0, N, start(1), 0, work, 0, 500, 0);
    assertTrue(Double.isFinite(s1.value()), "symmetric |θ| from a subnormal start: " + s1.value());
    assertEquals(s0.value(), s1.value(), 1e-3 * s0.value());
    float[] rw = new float[Spectral.spectralRadiusWorkLength(N)];
    SpectralEstimate r1 = Spectral.spectralRadius(N, sym, 0, N, start(scale), 0, rw, 0, 100, 0);
    assertTrue(Double.isFinite(r1.value()), "ρ̂ from a subnormal start: " + r1.value());
    assertEquals(s0.value(), r1.value(), 1e-3 * s0.value());
  }
}
