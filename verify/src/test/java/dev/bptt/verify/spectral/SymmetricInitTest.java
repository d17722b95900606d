package dev.bptt.verify.spectral;

import dev.bptt.kernel.spectral.SpectralInit;
import dev.bptt.verify.Gen;
import dev.bptt.verify.NaiveSpectral;
import dev.bptt.verify.Shrink;
import dev.bptt.verify.Tolerance;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code SpectralInit.symmetric}: M = Q·diag(λ)·Qᵀ is exactly symmetric, column k of the Q that
 * {@code orthogonal} draws for the same seed is an eigenvector for λₖ, and M's eigenvalues are λ,
 * all within derived rounding bounds.
 */
class SymmetricInitTest {

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void eigenStructureIsTheRequestedOne(long seed) {
    int n = new Gen(seed).size(1, 48);
    Shrink.check(seed, new int[] {n}, d -> eigenCase(seed, d[0]));
  }

  private static String eigenCase(long seed, int n) {
    if (n < 1) {
      return null;
    }
    Gen g = new Gen(~seed);
    double scale = new double[] {1, 1e-3, 1e3}[g.random().nextInt(3)];
    double[] lambda = new double[n];
    for (int i = 0; i < n; i++) {
      lambda[i] = scale * (4 * g.random().nextDouble() - 2);
    }
    int off = g.offset(), ld = g.ld(n);
    float[] a = Spectra.canaryMatrix(off, n, n, ld);
    SpectralInit.symmetric(new SplittableRandom(seed), lambda, a, off, ld);
    String pad = Spectra.paddingUntouched(a, off, n, n, ld);
    if (pad != null) {
      return pad;
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < i; j++) {
        if (Float.floatToRawIntBits(a[off + i * ld + j])
            != Float.floatToRawIntBits(a[off + j * ld + i])) {
          return "not exactly symmetric at (" + i + "," + j + ")";
        }
      }
    }
    Spectra.Sym sym = Spectra.Sym.of(seed, lambda);
    double lInf = Spectra.maxAbs(lambda), l2 = Spectra.norm(lambda);
    double u = SpectralBounds.U, nu = SpectralBounds.householderDefect(n, n);
    double shift = SpectralBounds.symmetricEigenShift(lambda);
    for (int k = 0; k < n; k++) {
      // M_f·q_k − λ_k·q_k = (M*q* − λ_k q*) + E·q_k + (M* − λ_k I)·δ, with q_k = q* + δ the float
      // (|δ| ≤ u|q*|, then normalized in double), ‖E‖₂ ≤ shift (see symmetricEigenShift, which
      // also covers M*q* − λ_k q* = Q_d Λ (Q_dᵀq* − e_k), of norm ≤ ν‖λ‖∞(1+ν)), and
      // ‖M* − λ_k I‖₂ ≤ ‖λ‖∞(1+ν) + |λ_k|. The double check itself: γᵈ_n·√n·‖λ‖... ≤ γᵈ_n·n·‖λ‖∞.
      double bound =
          shift
              + nu * lInf * (1 + nu)
              + u * (1 + 2 * u) * (lInf * (1 + nu) + Math.abs(lambda[k]))
              + Tolerance.gammaDouble(n) * n * (lInf + l2);
      double res = sym.eigenResidual(k);
      if (res > bound) {
        return "n="
            + n
            + " scale="
            + scale
            + ": ||M q_k - lambda_k q_k|| = "
            + res
            + " > bound "
            + bound
            + " at k="
            + k;
      }
    }
    // Weyl: sorted eigenvalues of M_f within `shift` of sorted λ; plus the double QR reference's
    // backward error, taken as 16·n²·uᵈ·‖M‖_F (a generous constant: it is under 10⁻³ of u·‖M‖_F).
    double[][] eig = NaiveSpectral.eigenvalues(sym.md(), n);
    double refErr = 16.0 * n * n * Tolerance.U_DOUBLE * NaiveSpectral.frobenius(sym.md());
    double[] mu = Spectra.sorted(eig[0]), want = Spectra.sorted(lambda);
    for (int i = 0; i < n; i++) {
      if (Math.abs(mu[i] - want[i]) > shift + refErr || Math.abs(eig[1][i]) > shift + refErr) {
        return "n="
            + n
            + " eigenvalue "
            + i
            + ": "
            + mu[i]
            + " (im "
            + eig[1][i]
            + ") vs "
            + want[i]
            + ", bound "
            + (shift + refErr);
      }
    }
    return null;
  }
}
