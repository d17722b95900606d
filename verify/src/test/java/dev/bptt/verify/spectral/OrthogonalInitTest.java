package dev.bptt.verify.spectral;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.spectral.SpectralInit;
import dev.bptt.verify.Gen;
import dev.bptt.verify.NaiveSpectral;
import dev.bptt.verify.Seeds;
import dev.bptt.verify.Shrink;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code SpectralInit.orthogonal}: orthonormal columns (or rows) within the rounding to float, Haar
 * statistics that the sign fix is responsible for, determinism, untouched padding.
 */
class OrthogonalInitTest {

  /**
   * Q_f = fl(g·Q_d) with Q_d the double Householder factor. Divided by g in double (error ≤ uᵈ,
   * folded in below), Q_f/g = Q_d + Δ with |Δ| ≤ u|Q_d| elementwise. With k = min(rows, cols) and G
   * = Q_fᵀQ_f/g² (or Q_fQ_fᵀ/g² for wide Q): G − I = (Q_dᵀQ_d − I) + ΔᵀQ_d + Q_dᵀΔ + ΔᵀΔ, and
   * |(ΔᵀQ_d)ᵢⱼ| ≤ u·Σᵣ|Qᵣᵢ||Qᵣⱼ| ≤ u(1 + ν) (Cauchy–Schwarz over unit columns), so
   *
   * <ul>
   *   <li>max |(G − I)ᵢⱼ| ≤ (2u + u²)(1 + ν) + ν, and
   *   <li>‖G − I‖_F ≤ ν + 2‖Δ‖_F‖Q_d‖₂ + ‖Δ‖_F² ≤ ν + (2u + u²)(1 + ν)·√k (‖Δ‖_F ≤ u√k): the c·√k·u
   *       bound, c = 2,
   * </ul>
   *
   * plus the double Gram computation's own γᵈ_{max(rows,cols)} and the division by g (2uᵈ per
   * product), folded into a 4·(rows + cols)·uᵈ term.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void gramMatrixIsIdentityWithinRounding(long seed) {
    Gen g = new Gen(seed);
    int rows = g.size(0, 80), cols = g.size(0, 80);
    Shrink.check(seed, new int[] {rows, cols}, d -> gramCase(seed, d[0], d[1]));
  }

  private static String gramCase(long seed, int rows, int cols) {
    Gen g = new Gen(~seed);
    int off = g.offset(), ld = g.ld(cols);
    double gain = g.random().nextBoolean() ? 1 : 0.5 + 2 * g.random().nextDouble();
    if (g.random().nextBoolean()) {
      gain = -gain;
    }
    float[] a = Spectra.canaryMatrix(off, rows, cols, ld);
    SpectralInit.orthogonal(new SplittableRandom(seed), gain, rows, cols, a, off, ld);
    String pad = Spectra.paddingUntouched(a, off, rows, cols, ld);
    if (pad != null) {
      return pad;
    }
    double[] q = NaiveSpectral.toDouble(a, off, rows, cols, ld);
    for (int i = 0; i < q.length; i++) {
      q[i] /= gain;
    }
    int k = Math.min(rows, cols);
    double nu = SpectralBounds.householderDefect(Math.max(rows, cols), k);
    double u = SpectralBounds.U;
    double extra = 4.0 * (rows + cols) * 0x1p-53;
    double maxBound = (2 * u + u * u) * (1 + nu) + nu + extra;
    double froBound = nu + (2 * u + u * u) * (1 + nu) * Math.sqrt(k) + extra * k;
    double[] defect = NaiveSpectral.gramDefect(q, rows, cols);
    if (defect[0] > maxBound || defect[1] > froBound) {
      return "rows="
          + rows
          + " cols="
          + cols
          + " gain="
          + gain
          + ": max|G-I|="
          + defect[0]
          + " (bound "
          + maxBound
          + "), ||G-I||_F="
          + defect[1]
          + " (bound "
          + froBound
          + ")";
    }
    return null;
  }

  /**
   * The sign fix Q·diag(sign(diag R)) makes Q the Gram–Schmidt factor of the Gaussian draw, which
   * is Haar-distributed; then each Qⱼⱼ is positive with probability 1/2 and Q₀₀² ~ Beta(1/2,
   * (n−1)/2) with mean 1/n and variance 2(n−1)/(n²(n+2)). Without the fix Householder's sign
   * convention makes Q₀₀ ≤ 0 always. Over N = 400 draws of n = 8 the tests allow 4 standard errors
   * (two-sided false-alarm rate 6·10⁻⁵ each): |p̂ⱼ − 1/2| ≤ 4·√(1/(4N)) and |mean(Q₀₀²) − 1/n| ≤
   * 4·√(var/N).
   */
  @Test
  void signFixGivesHaarStatistics() {
    int n = 8, draws = 400;
    int[] positive = new int[n];
    double sumSq = 0;
    float[] q = new float[n * n];
    for (int s = 0; s < draws; s++) {
      SpectralInit.orthogonal(new SplittableRandom(Seeds.base() + 7919L * s), 1, n, n, q, 0, n);
      for (int j = 0; j < n; j++) {
        if (q[j * n + j] > 0) {
          positive[j]++;
        }
      }
      sumSq += (double) q[0] * q[0];
    }
    double pTol = 4 * Math.sqrt(0.25 / draws);
    for (int j = 0; j < n; j++) {
      double p = positive[j] / (double) draws;
      assertTrue(
          Math.abs(p - 0.5) <= pTol,
          "P(Q_jj > 0) for j="
              + j
              + " is "
              + p
              + ", expected 1/2 +- "
              + pTol
              + " (base seed "
              + Seeds.base()
              + ")");
    }
    double var = 2.0 * (n - 1) / ((double) n * n * (n + 2));
    double mean = sumSq / draws, mTol = 4 * Math.sqrt(var / draws);
    assertTrue(
        Math.abs(mean - 1.0 / n) <= mTol,
        "mean Q00^2 = "
            + mean
            + ", expected 1/n = "
            + 1.0 / n
            + " +- "
            + mTol
            + " (base seed "
            + Seeds.base()
            + ")");
  }

  /** Same seed, same bits; and the square case equals scaledOrthogonal with the same gain. */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void deterministicPerSeed(long seed) {
    int n = 1 + (int) Math.floorMod(seed, 40L);
    float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
    SpectralInit.orthogonal(new SplittableRandom(seed), 1.25, n, n, a, 0, n);
    SpectralInit.orthogonal(new SplittableRandom(seed), 1.25, n, n, b, 0, n);
    SpectralInit.scaledOrthogonal(new SplittableRandom(seed), 1.25, n, c, 0, n);
    assertArrayEquals(a, b, "seed=" + seed);
    assertArrayEquals(a, c, "seed=" + seed);
  }
}
