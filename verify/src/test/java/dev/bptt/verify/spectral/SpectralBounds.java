package dev.bptt.verify.spectral;

import dev.bptt.verify.Tolerance;

/**
 * Derived error bounds shared by the spectral tests. u = 2⁻²⁴ (float), uᵈ = 2⁻⁵³ (double), γₖ =
 * k·u/(1 − k·u) ({@link Tolerance#gamma}).
 */
final class SpectralBounds {
  private SpectralBounds() {}

  static final double U = Tolerance.U;

  /**
   * Forward error of one element of a float gemv/gemvᵀ with α = 1, β = 0 and k terms, for any
   * summation order the kernels use: |ŷᵢ − yᵢ| ≤ γ_{2k+2}·Σⱼ|aᵢⱼxⱼ| (the depth argument of {@link
   * Tolerance#scaledProductSum}). Summed over the output, ‖ŷ − y‖₂ ≤ γ_{2k+2}·‖|A||x|‖₂ ≤
   * γ_{2k+2}·‖A‖_F·‖x‖₂, which is the form used here (scaled by ‖x‖).
   */
  static double gemvGamma(int k) {
    return Tolerance.gamma(2L * k + 2);
  }

  /**
   * Relative error of a float 2-norm of n elements ({@code Blas.norm2}): n squares summed in float,
   * any order, depth n: Σ̂ = Σ(1 + θ) with |θ| ≤ γₙ (all terms ≥ 0), then a square root in double
   * of the float sum: |‖x‖^ − ‖x‖| ≤ (γₙ/2 + uᵈ)·‖x‖ ≤ γ_{n+1}·‖x‖.
   */
  static double normRel(int n) {
    return Tolerance.gamma(n + 1L);
  }

  /**
   * Orthogonality defect of the double Householder Q inside the generators: ‖Q_dᵀQ_d − I‖_F ≤ ν_d =
   * 32·m·n·uᵈ. Householder QR gives Q̂ = Q + ΔQ with column errors ‖ΔQ(:,j)‖ ≤ γ̃_{mn} = c·m·n·uᵈ
   * for a small constant c (Higham, Accuracy and Stability, Thm 19.4); 32 allows c ≤ 16 on both
   * factors. For n ≤ 256, ν_d ≤ 2.4·10⁻¹⁰, under 0.4% of u, so the constant cannot decide a test.
   */
  static double householderDefect(int m, int n) {
    return 32.0 * m * n * Tolerance.U_DOUBLE;
  }

  /**
   * Bound w with |μᵢ − λᵢ| ≤ w for the eigenvalues μ (sorted) of the float matrix written by {@code
   * SpectralInit.symmetric} against the requested λ (sorted). M* = Q_d·diag(λ)·Q_dᵀ is computed in
   * double (each entry a sum of n + 1-fold products: error ≤ γᵈ_{n+2}·Sᵢⱼ with S = |Q_d||Λ||Q_d|ᵀ,
   * ‖S‖_F ≤ ‖Q_d‖_F²‖λ‖∞ ≤ n(1 + ν)‖λ‖∞) and rounded once (≤ u|M*ᵢⱼ|): a symmetric perturbation E
   * with ‖E‖₂ ≤ ‖E‖_F ≤ u‖M*‖_F + (1 + u)γᵈ_{n+2}·n(1+ν)‖λ‖∞, where ‖M*‖_F ≤ ‖λ‖₂(1 + ν)². Weyl
   * moves each eigenvalue by ≤ ‖E‖₂. The eigenvalues of M* = Q_dΛQ_dᵀ are λᵢ·τᵢ with τᵢ ∈
   * [σ_min(Q_d)², σ_max(Q_d)²] ⊂ [1 − ν, 1 + ν] (Ostrowski), adding ν·‖λ‖∞.
   */
  static double symmetricEigenShift(double[] lambda) {
    int n = lambda.length;
    double nu = householderDefect(n, n);
    double l2 = 0, lInf = 0;
    for (double l : lambda) {
      l2 += l * l;
      lInf = Math.max(lInf, Math.abs(l));
    }
    l2 = Math.sqrt(l2);
    double gd = Tolerance.gammaDouble(n + 2L);
    return U * l2 * (1 + nu) * (1 + nu) + (1 + U) * gd * n * (1 + nu) * lInf + nu * lInf;
  }

  /**
   * The tangent recursion of power iteration with per-step perturbations: if x_{j+1} ∝ A·xⱼ + eⱼ
   * with ‖eⱼ‖ ≤ η·‖xⱼ‖, A symmetric with dominant |μ₁| and r = maxᵢ≥₂|μᵢ|/|μ₁|, write xⱼ = a·v₁ + y
   * (y ⟂ v₁), tⱼ = ‖y‖/|a|. Then A·xⱼ + e = (aμ₁ + ⟨e, v₁⟩)v₁ + (Ay + e⟂), ‖Ay‖ ≤ |μ₂|‖y‖, ‖e‖ ≤
   * η|a|√(1 + tⱼ²), so with δ = η/|μ₁|: t_{j+1} ≤ (r·tⱼ + δ√(1 + tⱼ²)) / (1 − δ√(1 + tⱼ²)), as long
   * as the denominator is positive (else +∞ is returned: no bound).
   *
   * @return the bound on t after {@code steps} steps from t0
   */
  static double tangentAfter(double t0, double r, double delta, int steps) {
    double t = t0;
    for (int j = 0; j < steps; j++) {
      double s = delta * Math.sqrt(1 + t * t);
      if (s >= 1) {
        return Double.POSITIVE_INFINITY;
      }
      t = (r * t + s) / (1 - s);
    }
    return t;
  }

  /**
   * Per-step perturbation η (relative to ‖x‖) of a float power step x ← A·x/‖A·x‖ with the kernels:
   * the gemv error γ_{2n+2}‖A‖_F‖x‖, and the scaling of each component by the float 1/‖Ax‖ (one
   * rounding each: a perturbation of norm ≤ u·‖Ax‖ ≤ u·‖A‖₂‖x‖ in the direction; the rounding of
   * 1/‖Ax‖ itself is a common factor and leaves the direction alone).
   */
  static double powerStepPerturbation(int n, double frobenius, double spectralNorm) {
    return gemvGamma(n) * frobenius + U * spectralNorm * (1 + gemvGamma(n));
  }
}
