package dev.bptt.verify.spectral;

import dev.bptt.kernel.spectral.Spectral;
import dev.bptt.kernel.spectral.SpectralEstimate;
import dev.bptt.kernel.spectral.SpectralInit;
import dev.bptt.verify.Gen;
import dev.bptt.verify.NaiveSpectral;
import dev.bptt.verify.Shrink;
import dev.bptt.verify.Tolerance;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code Spectral.sigmaMax} against matrices whose singular values are known by construction: g·Q
 * (all equal to |g|) and A·diag(s)·Bᵀ with orthonormal A, B (σ = s). The true residual r = ‖WᵀWv −
 * σ̂²v‖/(σ̂‖v‖), recomputed in double, bounds |σ̂ − σⱼ| for some singular value σⱼ of the float W;
 * the construction bounds how far those are from the intended values.
 */
class SigmaMaxTest {

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void scaledOrthogonalHasSigmaMaxEqualToItsGain(long seed) {
    Gen g = new Gen(seed);
    int rows = g.size(1, 64), cols = g.size(1, 64);
    Shrink.check(
        seed,
        new int[] {rows, cols},
        d -> orthogonalCase(seed, Math.max(1, d[0]), Math.max(1, d[1])));
  }

  private static String orthogonalCase(long seed, int rows, int cols) {
    double gain = 0.5 + 1.5 * new SplittableRandom(~seed).nextDouble();
    float[] w = new float[rows * cols];
    SpectralInit.orthogonal(new SplittableRandom(seed), gain, rows, cols, w, 0, cols);
    int k = Math.min(rows, cols);
    // W_f = gain·(Q_d + Δ), |Δ| ≤ (u + 3uᵈ)|Q_d|, ‖Δ‖₂ ≤ (u + 3uᵈ)√k(1 + ν); the non-zero singular
    // values of Q_d are within ν of 1: so those of W_f are within gain·dev of gain.
    double nu = SpectralBounds.householderDefect(Math.max(rows, cols), k);
    double dev = (SpectralBounds.U + 3 * 0x1p-53) * Math.sqrt(k) * (1 + nu) + nu;
    return sigmaCase(seed, w, rows, cols, gain, gain * dev, "gain=" + gain);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void productWithKnownSingularValues(long seed) {
    Gen g = new Gen(seed);
    int rows = g.size(2, 48), cols = g.size(2, 48);
    Shrink.check(
        seed, new int[] {rows, cols}, d -> productCase(seed, Math.max(2, d[0]), Math.max(2, d[1])));
  }

  /**
   * W* = A·diag(s)·Bᵀ with A (rows×k) and B (cols×k) float orthogonal draws (k = min), s₀ = top, s₁
   * = gap·top, the rest below. σᵢ(A S Bᵀ) ∈ sᵢ·[σ_min(A)σ_min(B), σ_max(A)σ_max(B)], and σ_max(A)²
   * ≤ 1 + ‖AᵀA − I‖_F (measured in double), σ_min(A)² ≥ 1 − ‖AᵀA − I‖_F. W* is formed in double
   * (error ≤ γᵈ_{k+2}·‖|A||S||B|ᵀ‖_F ≤ γᵈ_{k+2}·top·‖A‖_F‖B‖_F) and rounded once (‖·‖₂ ≤ u‖W*‖_F):
   * Weyl moves each singular value by at most the sum.
   */
  private static String productCase(long seed, int rows, int cols) {
    SplittableRandom r = new SplittableRandom(~seed);
    int k = Math.min(rows, cols);
    double top = 0.25 + 4 * r.nextDouble(), gap = 0.3 + 0.6 * r.nextDouble();
    double[] s = new double[k];
    s[0] = top;
    s[1] = gap * top;
    for (int i = 2; i < k; i++) {
      s[i] = gap * top * r.nextDouble();
    }
    float[] af = new float[rows * k], bf = new float[cols * k];
    SpectralInit.orthogonal(new SplittableRandom(seed), 1, rows, k, af, 0, k);
    SpectralInit.orthogonal(new SplittableRandom(seed + 1), 1, cols, k, bf, 0, k);
    double[] a = NaiveSpectral.toDouble(af, 0, rows, k, k),
        b = NaiveSpectral.toDouble(bf, 0, cols, k, k);
    double[] as = a.clone();
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < k; j++) {
        as[i * k + j] *= s[j];
      }
    }
    double[] wd = NaiveSpectral.mul(as, NaiveSpectral.transpose(b, cols, k), rows, k, cols);
    float[] w = NaiveSpectral.toFloat(wd);
    double da = NaiveSpectral.gramDefect(a, rows, k)[1],
        db = NaiveSpectral.gramDefect(b, cols, k)[1];
    double hi = Math.sqrt((1 + da) * (1 + db)), lo = Math.sqrt(Math.max(0, (1 - da) * (1 - db)));
    double build =
        SpectralBounds.U * NaiveSpectral.frobenius(wd)
            + Tolerance.gammaDouble(k + 2L)
                * top
                * NaiveSpectral.frobenius(a)
                * NaiveSpectral.frobenius(b);
    double dev = Math.max(hi - 1, 1 - lo) * top + build;
    return sigmaCase(seed, w, rows, cols, top, dev, "top=" + top + " gap=" + gap);
  }

  /**
   * Runs sigmaMax to a tolerance 4× above its rounding floor and checks |σ̂ − want| ≤ r + dev (r
   * the true residual) and that the reported residual is honest.
   */
  private static String sigmaCase(
      long seed, float[] w, int rows, int cols, double want, double dev, String label) {
    double frob = NaiveSpectral.frobenius(NaiveSpectral.toDouble(w, 0, rows, cols, cols));
    double gr = SpectralBounds.gemvGamma(rows),
        gc = SpectralBounds.gemvGamma(cols),
        g2 = Tolerance.gamma(2);
    // Rounding of the reported residual (times σ̂): the product WᵀWv is formed as fl(Wᵀ·fl(Wv)):
    // ‖Wᵀe₁‖ + ‖e₂‖ ≤ (γ_c + γ_r(1 + γ_c))·F²‖v‖; the axpy z − σ̂²v adds ≤ 2γ₂(1+γ)F²‖v‖.
    double slackPerV = (gc + gr * (1 + gc) + 2 * g2 * (1 + gc)) * frob * frob;
    double tol = 4 * slackPerV / (want * want);
    float[] v = new float[cols], work = new float[Spectral.sigmaMaxWorkLength(rows, cols)];
    Spectral.randomStart(seed, cols, v, 0);
    SpectralEstimate est = Spectral.sigmaMax(rows, cols, w, 0, cols, v, 0, work, 0, 5000, tol);
    if (!est.converged()) {
      return label
          + " rows="
          + rows
          + " cols="
          + cols
          + ": not converged to tol "
          + tol
          + ": "
          + est;
    }
    double[] wd = NaiveSpectral.toDouble(w, 0, rows, cols, cols);
    double[] vd = NaiveSpectral.toDouble(v, 0, cols);
    double[] z = NaiveSpectral.mulTVec(wd, rows, cols, NaiveSpectral.mulVec(wd, rows, cols, vd));
    double s2 = est.eigenRe(), sigma = est.value(), rr = 0;
    for (int i = 0; i < cols; i++) {
      rr += (z[i] - s2 * vd[i]) * (z[i] - s2 * vd[i]);
    }
    double vNorm = Spectra.norm(vd), rUn = Math.sqrt(rr), rTrue = rUn / (sigma * vNorm);
    if (Math.abs(sigma - want) > rTrue + dev) {
      return label
          + " rows="
          + rows
          + " cols="
          + cols
          + ": sigma="
          + sigma
          + " vs "
          + want
          + ", bound "
          + (rTrue + dev);
    }
    double slack = slackPerV * vNorm;
    double allowed = (slack + SpectralBounds.normRel(cols) * (rUn + slack)) / sigma;
    if (Math.abs(est.residual() - rUn / sigma) > allowed) {
      return label
          + ": reported residual "
          + est.residual()
          + " vs true "
          + rUn / sigma
          + " (allowed "
          + allowed
          + ")";
    }
    return null;
  }
}
