package dev.bptt.verify.spectral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.verify.NaiveSpectral;
import dev.bptt.verify.Tolerance;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The double references the spectral tests lean on, checked on matrices with known answers. */
class NaiveSpectralSelfTest {

  /**
   * W = D·B·D⁻¹ with B block diagonal (rotation-scalings and reals, eigenvalues known) and D
   * diagonal with entries in [1, 4]: κ(V) ≤ 4, so a backward-stable solver is within 4·c·n²·uᵈ‖W‖_F
   * of each eigenvalue; the test allows c = 16 (stated) plus the construction's rounding (entries
   * dᵢbᵢⱼ/dⱼ, two roundings each: ≤ 2uᵈ‖B‖_F·4).
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void eigenvaluesOfSimilarBlockMatrices(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = 1 + r.nextInt(40);
    double[] b = new double[n * n], wantRe = new double[n], wantIm = new double[n];
    int i = 0;
    while (i < n) {
      if (i + 1 < n && r.nextBoolean()) {
        double rad = 2 * r.nextDouble(), phi = Math.PI * r.nextDouble();
        double c = rad * Math.cos(phi), s = rad * Math.sin(phi);
        b[i * n + i] = c;
        b[i * n + i + 1] = -s;
        b[(i + 1) * n + i] = s;
        b[(i + 1) * n + i + 1] = c;
        wantRe[i] = c;
        wantIm[i] = s;
        wantRe[i + 1] = c;
        wantIm[i + 1] = -s;
        i += 2;
      } else {
        b[i * n + i] = 4 * r.nextDouble() - 2;
        wantRe[i] = b[i * n + i];
        i++;
      }
    }
    double[] d = new double[n];
    for (int k = 0; k < n; k++) {
      d[k] = 1 + 3 * r.nextDouble();
    }
    double[] w = new double[n * n];
    for (int a = 0; a < n; a++) {
      for (int c = 0; c < n; c++) {
        w[a * n + c] = d[a] * b[a * n + c] / d[c];
      }
    }
    double[][] got = NaiveSpectral.eigenvalues(w, n);
    double tol =
        4 * 16.0 * n * n * Tolerance.U_DOUBLE * NaiveSpectral.frobenius(w)
            + 8 * Tolerance.U_DOUBLE * NaiveSpectral.frobenius(b);
    boolean[] used = new boolean[n];
    for (int k = 0; k < n; k++) {
      int best = -1;
      double bestDist = Double.POSITIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        double dist = Math.hypot(got[0][j] - wantRe[k], got[1][j] - wantIm[k]);
        if (!used[j] && dist < bestDist) {
          best = j;
          bestDist = dist;
        }
      }
      used[best] = true;
      assertTrue(
          bestDist <= tol,
          "seed="
              + seed
              + " n="
              + n
              + ": eigenvalue "
              + wantRe[k]
              + "+"
              + wantIm[k]
              + "i found only at distance "
              + bestDist
              + " > "
              + tol);
    }
  }

  /**
   * A = [[a, b], [0, c]]: right eigenvector of a is e₁, left is ∝ (1, b/(a − c)), so κ(a) = √(1 +
   * (b/(a − c))²) exactly; inverse iteration in double gets it to ~10⁻¹² relative.
   */
  @Test
  void conditionNumberOfTriangularTwoByTwo() {
    double a = 1.5, b = 3, c = 0.5;
    double want = Math.sqrt(1 + (b / (a - c)) * (b / (a - c)));
    double got = NaiveSpectral.eigenvalueCondition(new double[] {a, b, 0, c}, 2, a, 0);
    assertEquals(want, got, 1e-12 * want);
    // normal matrix: κ = 1
    assertEquals(
        1.0, NaiveSpectral.eigenvalueCondition(new double[] {0, -2, 2, 0}, 2, 0, 2), 1e-12);
  }
}
