package dev.bptt.verify.spectral;

import dev.bptt.kernel.spectral.Spectral;
import dev.bptt.kernel.spectral.SpectralEstimate;
import dev.bptt.verify.Gen;
import dev.bptt.verify.NaiveSpectral;
import dev.bptt.verify.Shrink;
import dev.bptt.verify.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * d2l §9.7 exercise 1(a): if M is symmetric with eigenpairs (λᵢ, vᵢ), then M^k has eigenpairs
 * (λᵢ^k, vᵢ); and power iteration on M^k recovers λ₁^k.
 */
class MatrixPowerEigenTest {

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void powersHaveEigenvaluesLambdaToTheK(long seed) {
    Gen g = new Gen(seed);
    int n = g.size(2, 40);
    int k = new int[] {2, 3, 5, 10}[g.random().nextInt(4)];
    Shrink.check(seed, new int[] {n}, d -> powerCase(seed, Math.max(2, d[0]), k));
  }

  private static String powerCase(long seed, int n, int k) {
    Gen g = new Gen(~seed);
    double gap = 0.3 + 0.5 * g.random().nextDouble();
    double[] lambda = Spectra.gapSpectrum(g.random(), n, 1, gap);
    Spectra.Sym sym = Spectra.Sym.of(seed, lambda);
    double shift = SpectralBounds.symmetricEigenShift(lambda);
    double normM = Spectra.maxAbs(lambda) + shift; // ‖M_f‖₂ by Weyl
    double gd = Tolerance.gammaDouble(n);
    // P = M_f^k in double: P_j = fl(M·P_{j−1}) = M·P_{j−1} + E_j with
    // ‖E_j‖_F ≤ γᵈ_n‖|M||P_{j−1}|‖_F ≤ γᵈ_n·‖M‖_F‖P_{j−1}‖_F ≤ γᵈ_n·n·‖M‖₂^j(1 + o(1)), and the
    // errors propagate through M (norm ‖M‖₂): ‖P − M^k‖₂ ≤ (k−1)·n·γᵈ_n·‖M‖₂^k·1.01 (the 1.01
    // covers the o(1), which is ≤ k·n·γᵈ_n ≤ 10⁻¹¹ here).
    double[] p = NaiveSpectral.power(sym.md(), n, k);
    double mk = Math.pow(normM, k);
    double errP = (k - 1) * n * gd * mk * 1.01;

    // (a) every column q_k of Q: ‖P q − λ^k q‖ ≤ k·m^{k−1}·β + errP + γᵈ_n√n·m^k (the check's own
    // product), because (M^k − λ^k)q = Σ_{j<k} λ^j M^{k−1−j}(M − λ)q exactly, β = ‖Mq − λq‖.
    for (int i = 0; i < n; i++) {
      double[] q = sym.unitEigenvector(i);
      double[] pq = NaiveSpectral.mulVec(p, n, n, q);
      double lk = Math.pow(lambda[i], k), res = 0;
      for (int r = 0; r < n; r++) {
        res += (pq[r] - lk * q[r]) * (pq[r] - lk * q[r]);
      }
      res = Math.sqrt(res);
      double beta = sym.eigenResidual(i);
      double bound = k * Math.pow(normM, k - 1) * beta + errP + gd * Math.sqrt(n) * mk * 1.01;
      if (res > bound) {
        return "k="
            + k
            + " gap="
            + gap
            + ": ||M^k q_i - lambda_i^k q_i|| = "
            + res
            + " > "
            + bound
            + " at i="
            + i;
      }
    }

    // (b) power iteration (float kernel) on P_f = fl((P + Pᵀ)/2), exactly symmetric.
    double[] ps = NaiveSpectral.symmetrize(p, n);
    float[] pf = NaiveSpectral.toFloat(ps);
    double frob = NaiveSpectral.frobenius(NaiveSpectral.toDouble(pf, 0, n, n, n));
    double top = Math.pow(Math.abs(lambda[0]), k);
    // A tolerance 4× the residual's rounding floor γ_{2n+2}‖P_f‖_F (relative to λ₁^k) is reachable.
    double tol = 4 * SpectralBounds.gemvGamma(n) * frob / top;
    float[] v = new float[n], work = new float[Spectral.symmetricWorkLength(n)];
    Spectral.randomStart(seed, n, v, 0);
    SpectralEstimate est = Spectral.symmetricDominant(n, pf, 0, n, v, 0, work, 0, 5000, tol);
    if (!est.converged()) {
      return "k="
          + k
          + " gap="
          + gap
          + ": power iteration on M^k did not reach tol "
          + tol
          + ": "
          + est;
    }
    double theta = est.eigenRe();
    double[] vd = NaiveSpectral.toDouble(v, 0, n);
    double rUnnorm = unnormalizedResidual(pf, n, theta, vd), vNorm = Spectra.norm(vd);
    // θ is within r = ‖P_f v − θv‖/‖v‖ of an eigenvalue of P_f (symmetric); those are within
    // ‖P_f − M_f^k‖₂ ≤ u‖(P+Pᵀ)/2‖_F + errP of the μⱼ^k, μⱼ = eig(M_f), |μⱼ − λⱼ| ≤ shift, so
    // |μⱼ^k − λⱼ^k| ≤ k(|λⱼ| + shift)^{k−1}·shift. The other λⱼ^k are far from λ₁^k, so the
    // claim below fails if the iteration settled on any eigenvalue but the dominant one.
    double bound =
        rUnnorm / vNorm
            + SpectralBounds.U * NaiveSpectral.frobenius(ps)
            + errP
            + k * Math.pow(normM, k - 1) * shift;
    double want = Math.pow(lambda[0], k);
    if (Math.abs(theta - want) > bound) {
      return "k="
          + k
          + " gap="
          + gap
          + ": theta="
          + theta
          + " vs lambda_1^k="
          + want
          + ", bound "
          + bound
          + " "
          + est;
    }
    return ResidualChecks.symmetricResidualHonest(est, pf, n, frob, vd, rUnnorm);
  }

  /** ‖A·v − θ·v‖₂ in double for a float n×n A (ld = n). */
  static double unnormalizedResidual(float[] a, int n, double theta, double[] v) {
    double[] av = NaiveSpectral.mulVec(NaiveSpectral.toDouble(a, 0, n, n, n), n, n, v);
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += (av[i] - theta * v[i]) * (av[i] - theta * v[i]);
    }
    return Math.sqrt(s);
  }
}
