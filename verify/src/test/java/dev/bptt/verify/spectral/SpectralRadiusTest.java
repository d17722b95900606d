package dev.bptt.verify.spectral;

import dev.bptt.kernel.spectral.Spectral;
import dev.bptt.kernel.spectral.SpectralEstimate;
import dev.bptt.kernel.spectral.SpectralInit;
import dev.bptt.verify.Gen;
import dev.bptt.verify.NaiveSpectral;
import dev.bptt.verify.Seeds;
import dev.bptt.verify.Shrink;
import dev.bptt.verify.Tolerance;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code Spectral.spectralRadius}: on matrices with a known spectrum and known eigenvector
 * conditioning the estimate is within the Bauer–Fike bound of ρ; on ρ·Q the growth rate is ρ; on
 * Gaussian and sparse draws it agrees with the double QR reference within the first-order bound;
 * and the residual it reports is the true one up to derived rounding.
 */
class SpectralRadiusTest {

  /** Dominant part of the constructed spectrum. */
  enum Top {
    COMPLEX_PAIR,
    REAL,
    PLUS_MINUS
  }

  static Stream<Arguments> constructed() {
    return Seeds.fewSeeds()
        .boxed()
        .flatMap(
            s ->
                Stream.of(Top.values())
                    .flatMap(t -> Stream.of(Arguments.of(s, t, 1.0), Arguments.of(s, t, 4.0))));
  }

  @ParameterizedTest(name = "seed={0} {1} kappaD={2}")
  @MethodSource("constructed")
  void withinBauerFikeBoundOfKnownRadius(long seed, Top top, double kappaD) {
    int n = new Gen(seed).size(2, 40);
    Shrink.check(seed, new int[] {n}, d -> constructedCase(seed, top, kappaD, Math.max(2, d[0])));
  }

  /**
   * W* = Q·D·B·D⁻¹·Qᵀ in double, B block diagonal and normal (2×2 rotation-scalings r·[[c, −s], [s,
   * c]] with eigenvalues r·e^{±iφ}, and reals): the dominant block(s) have modulus ρ, the rest ≤
   * 0.7ρ. D = diag(dᵢ), dᵢ ∈ [1, κ_D]; Q a float orthogonal draw. With X = S·B·S⁻¹ (S = QD,
   * eigenvector matrix S·V_B, V_B unitary, so κ(V_X) ≤ κ(S) ≤ κ(Q)κ_D), W* = X·QQᵀ = X + X·F (F =
   * QQᵀ − I). θ is an exact eigenvalue of W_f − R, ‖R‖₂ = r (the true residual), so Bauer–Fike on X
   * gives |θ − λⱼ(X)| ≤ κ(S)·(‖W_f − X‖₂ + r) with ‖W_f − X‖₂ ≤ u‖W*‖_F + (building error) +
   * ‖X‖₂‖F‖₂ and ‖X‖₂ ≤ κ(S)·ρ.
   */
  private static String constructedCase(long seed, Top top, double kappaD, int n) {
    SplittableRandom r = new SplittableRandom(~seed);
    double rho = 0.5 + 1.5 * r.nextDouble(), g = 0.7;
    double[] b = new double[n * n];
    int i = 0;
    switch (top) {
      case COMPLEX_PAIR -> {
        rotationBlock(b, n, 0, rho, 0.2 + (Math.PI - 0.4) * r.nextDouble());
        i = 2;
      }
      case REAL -> {
        b[0] = r.nextBoolean() ? rho : -rho;
        i = 1;
      }
      case PLUS_MINUS -> {
        b[0] = rho;
        b[n + 1] = -rho;
        i = 2;
      }
    }
    while (i < n) {
      if (i + 1 < n && r.nextBoolean()) {
        rotationBlock(b, n, i, g * rho * r.nextDouble(), Math.PI * r.nextDouble());
        i += 2;
      } else {
        b[i * n + i] = g * rho * (2 * r.nextDouble() - 1);
        i++;
      }
    }
    double[] d = new double[n];
    for (int k = 0; k < n; k++) {
      d[k] = Math.exp(Math.log(kappaD) * r.nextDouble());
    }
    float[] qf = new float[n * n];
    SpectralInit.orthogonal(new SplittableRandom(seed), 1, n, n, qf, 0, n);
    double[] q = NaiveSpectral.toDouble(qf, 0, n, n, n);
    double[] dbd = new double[n * n];
    for (int a = 0; a < n; a++) {
      for (int c = 0; c < n; c++) {
        dbd[a * n + c] = d[a] * b[a * n + c] / d[c];
      }
    }
    double[] wd =
        NaiveSpectral.mul(
            NaiveSpectral.mul(q, dbd, n, n, n), NaiveSpectral.transpose(q, n, n), n, n, n);
    float[] w = NaiveSpectral.toFloat(wd);
    double f = NaiveSpectral.gramDefect(q, n, n)[1];
    double kappaS = Math.sqrt((1 + f) / (1 - f)) * kappaD;
    double frobW = NaiveSpectral.frobenius(wd);
    double build = Tolerance.gammaDouble(2L * n + 4) * n * kappaD * rho * (1 + f);
    double pert = SpectralBounds.U * frobW + build + kappaS * rho * f;

    // A tolerance 4× above the reported residual's rounding floor (ritzSlack) is reachable.
    double tol = 4 * ritzSlack(n, frobW, rho) / rho;
    float[] v = new float[n], work = new float[Spectral.spectralRadiusWorkLength(n)];
    Spectral.randomStart(seed, n, v, 0);
    SpectralEstimate est = Spectral.spectralRadius(n, w, 0, n, v, 0, work, 0, 5000, tol);
    String label = top + " kappaD=" + kappaD + " n=" + n + " rho=" + rho;
    if (!est.converged()) {
      return label + ": not converged to tol " + tol + ": " + est;
    }
    double rTrue =
        NaiveSpectral.residual(
            NaiveSpectral.toDouble(w, 0, n, n, n),
            n,
            est.eigenRe(),
            est.eigenIm(),
            NaiveSpectral.toDouble(v, 0, n),
            NaiveSpectral.toDouble(work, 0, n));
    double bound = kappaS * (pert + rTrue);
    if (Math.abs(est.value() - rho) > bound) {
      return label
          + ": estimate "
          + est.value()
          + " vs rho "
          + rho
          + ", bound "
          + bound
          + " "
          + est;
    }
    return honestRitzResidual(est, rTrue, n, frobW, label);
  }

  /**
   * The reported residual ‖f‖·|y_m| (‖y‖ = 1) is the residual of the Ritz pair only up to the
   * rounding of the Arnoldi relation W·Q_m = Q_m·H_m + f·e_mᵀ + E, m = min(n, 8). Column j of E
   * collects the gemv error (γ_{2n+2}·F, F = ‖W‖_F), two Gram–Schmidt passes of at most m axpys
   * each (≤ 4m·γ₂·F: every axpy rounds twice and the vector stays ≤ F) and the normalization
   * (γ_{n+1} + u); so ‖E·y‖ ≤ √m·(γ_{2n+2} + 4mγ₂ + γ_{n+1} + u)·F. Forming u = Σ yⱼqⱼ in float (m
   * axpys) moves it by ≤ 2m√m·γ₂, changing Wu − θu by ≤ 2m√m·γ₂(F + |θ|); the orthonormality defect
   * of Q_m (O(γ_{n+1} + u) per pair after two passes) moves ‖u‖ by ≤ 2m·γ_{2n+2}. Hence r·(1 −
   * 2mγ_{2n+2}) ≤ reported·(1 + γ_{n+1}) + slack.
   */
  static double ritzSlack(int n, double frob, double theta) {
    int m = Math.min(n, 8);
    double gm = SpectralBounds.gemvGamma(n),
        g2 = Tolerance.gamma(2),
        nr = SpectralBounds.normRel(n);
    return Math.sqrt(m) * (gm + 4 * m * g2 + nr + SpectralBounds.U) * frob
        + 2 * m * Math.sqrt(m) * g2 * (frob + theta);
  }

  /** Null if the true residual r is within what {@link #ritzSlack} allows over the reported one. */
  static String honestRitzResidual(
      SpectralEstimate est, double rTrue, int n, double frob, String label) {
    int m = Math.min(n, 8);
    double allowed =
        (est.residual() * (1 + SpectralBounds.normRel(n)) + ritzSlack(n, frob, est.value()))
            / (1 - 2 * m * SpectralBounds.gemvGamma(n));
    if (rTrue > allowed) {
      return label
          + ": true residual "
          + rTrue
          + " exceeds the reported "
          + est.residual()
          + " + rounding ("
          + allowed
          + ")";
    }
    return null;
  }

  private static void rotationBlock(double[] b, int n, int at, double radius, double phi) {
    double c = radius * Math.cos(phi), s = radius * Math.sin(phi);
    b[at * n + at] = c;
    b[at * n + at + 1] = -s;
    b[(at + 1) * n + at] = s;
    b[(at + 1) * n + at + 1] = c;
  }

  /**
   * W = ρ·Q: every ‖W·x‖/‖x‖ lies in [σ_min, σ_max] ⊂ ρ[1 − d, 1 + d], d = (u + 3uᵈ)√n(1 + ν) + ν
   * (the rounding of ρ·Q_d). Each measured step ratio ‖fl(Wq)‖^/‖q‖ also carries the gemv error
   * γ_{2n+2}‖W‖_F/(ρ(1 − d)) relative, and two norms γ_{n+1} each, plus the normalization of q (u):
   * the growth rate, a geometric mean of step ratios, is within the same relative bound.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void growthRateOfScaledOrthogonalIsRho(long seed) {
    Gen g = new Gen(seed);
    int n = g.size(1, 96);
    Shrink.check(
        seed,
        new int[] {n},
        dims -> {
          int m = Math.max(1, dims[0]);
          double rho = 0.5 + new SplittableRandom(~seed).nextDouble();
          float[] w = new float[m * m];
          SpectralInit.scaledOrthogonal(new SplittableRandom(seed), rho, m, w, 0, m);
          float[] v = new float[m], work = new float[Spectral.spectralRadiusWorkLength(m)];
          Spectral.randomStart(seed, m, v, 0);
          SpectralEstimate est = Spectral.spectralRadius(m, w, 0, m, v, 0, work, 0, 50, 0);
          double nu = SpectralBounds.householderDefect(m, m);
          double d = (SpectralBounds.U + 3 * 0x1p-53) * Math.sqrt(m) * (1 + nu) + nu;
          double rel =
              d
                  + SpectralBounds.gemvGamma(m) * Math.sqrt(m) * (1 + d) / (1 - d)
                  + 2 * SpectralBounds.normRel(m)
                  + SpectralBounds.U;
          double err = Math.abs(est.growthRate() / rho - 1);
          return err <= rel
              ? null
              : "n="
                  + m
                  + " rho="
                  + rho
                  + ": growth rate "
                  + est.growthRate()
                  + " rel error "
                  + err
                  + " > "
                  + rel;
        });
  }

  /**
   * Gaussian draws against the double QR reference: with r the true residual of the Ritz pair, θ is
   * an eigenvalue of W + E, ‖E‖₂ = r, so to first order |θ − λ| ≤ κ(λ)·r, κ(λ) the eigenvalue
   * condition number (reference inverse iteration). The test allows twice the first-order bound
   * (the stated margin for the O(r²) term, which is κ²r²/sep-sized and far smaller here) plus the
   * reference's own backward error 16n²uᵈ‖W‖_F·κ.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void gaussianEstimateMatchesReference(long seed) {
    int n = new Gen(seed).size(8, 64);
    Shrink.check(
        seed,
        new int[] {n},
        d -> {
          int m = Math.max(2, d[0]);
          float[] w = new float[m * m];
          SpectralInit.normal(new SplittableRandom(seed), 1 / Math.sqrt(m), m, m, w, 0, m);
          return againstReference(seed, w, m, "gaussian n=" + m);
        });
  }

  /** The same check on Pascanu's sparse draw (15 per row, or n if smaller). */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void sparseEstimateMatchesReference(long seed) {
    int n = new Gen(seed).size(16, 64);
    Shrink.check(
        seed,
        new int[] {n},
        d -> {
          int m = Math.max(16, d[0]);
          float[] w = new float[m * m];
          SpectralInit.sparseRescaled(new SplittableRandom(seed), 15, 0.95, m, w, 0, m);
          return againstReference(seed, w, m, "sparse n=" + m);
        });
  }

  static String againstReference(long seed, float[] w, int n, String label) {
    float[] v = new float[n], work = new float[Spectral.spectralRadiusWorkLength(n)];
    Spectral.randomStart(seed + 17, n, v, 0);
    SpectralEstimate est =
        Spectral.spectralRadius(
            n,
            w,
            0,
            n,
            v,
            0,
            work,
            0,
            SpectralInit.RESCALE_MAX_ITER,
            SpectralInit.rescaleTolerance(n));
    if (!est.converged()) {
      return label + ": not converged: " + est;
    }
    double[] wd = NaiveSpectral.toDouble(w, 0, n, n, n);
    double[][] eig = NaiveSpectral.eigenvalues(wd, n);
    int dom = NaiveSpectral.dominantIndex(eig);
    double rhoRef = Math.hypot(eig[0][dom], eig[1][dom]);
    double kappa = NaiveSpectral.eigenvalueCondition(wd, n, eig[0][dom], eig[1][dom]);
    double rTrue =
        NaiveSpectral.residual(
            wd,
            n,
            est.eigenRe(),
            est.eigenIm(),
            NaiveSpectral.toDouble(v, 0, n),
            NaiveSpectral.toDouble(work, 0, n));
    double refErr = 16.0 * n * n * Tolerance.U_DOUBLE * NaiveSpectral.frobenius(wd) * kappa;
    double bound = 2 * kappa * rTrue + refErr;
    if (Math.abs(est.value() - rhoRef) > bound) {
      return label
          + ": estimate "
          + est.value()
          + " vs reference "
          + rhoRef
          + " (kappa "
          + kappa
          + ", r "
          + rTrue
          + ", bound "
          + bound
          + ") "
          + est;
    }
    return honestRitzResidual(est, rTrue, n, NaiveSpectral.frobenius(wd), label);
  }
}
