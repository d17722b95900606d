package dev.bptt.verify.spectral;

import dev.bptt.kernel.spectral.Spectral;
import dev.bptt.kernel.spectral.SpectralEstimate;
import dev.bptt.verify.Gen;
import dev.bptt.verify.NaiveSpectral;
import dev.bptt.verify.Seeds;
import dev.bptt.verify.Shrink;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * d2l §9.7 exercise 1(b): for symmetric M with |λ₂/λ₁| = r &lt; 1 and a random x, M^k·x aligns with
 * v₁. Formally tan∠(M^k x, v₁) ≤ r^k·tan∠(x, v₁), and since |cos θ| = 1/√(1 + tan²θ) ≥ 1 − tan²θ/2,
 * |cos| ≥ 1 − ε as soon as tan ≤ √(2ε), i.e. after K ≥ log(ε′)/log r steps with ε′ = √(2ε)/tan∠(x,
 * v₁).
 *
 * <p>The float run needs a margin for rounding: the test takes the smallest K ≥ K₀ = ⌈log(ε′)/log
 * r⌉ for which the perturbed tangent recursion of {@link SpectralBounds#tangentAfter} is ≤ √(2ε)
 * too, runs exactly K kernel steps and asserts both the recursion's bound and |cos∠(x_K, v₁)| ≥ 1 −
 * ε.
 */
class PowerIterationAlignmentTest {

  /**
   * (seed, gap r, ε): ε is 10⁻⁶ for r ∈ {0.5, 0.9} and 10⁻⁴ for r = 0.99, whose float floor δ/(1 −
   * r) is 10× higher.
   */
  static Stream<Arguments> cases() {
    return Seeds.fewSeeds()
        .boxed()
        .flatMap(
            s ->
                Stream.of(
                    Arguments.of(s, 0.5, 1e-6),
                    Arguments.of(s, 0.9, 1e-6),
                    Arguments.of(s, 0.99, 1e-4)));
  }

  @ParameterizedTest(name = "seed={0} gap={1} eps={2}")
  @MethodSource("cases")
  void alignsWithDominantEigenvectorAfterDerivedSteps(long seed, double gap, double eps) {
    int n = new Gen(seed).size(2, 48);
    Shrink.check(seed, new int[] {n}, d -> alignCase(seed, Math.max(2, d[0]), gap, eps));
  }

  private static String alignCase(long seed, int n, double gap, double eps) {
    Gen g = new Gen(~seed);
    double[] lambda = Spectra.gapSpectrum(g.random(), n, 1, gap);
    Spectra.Sym sym = Spectra.Sym.of(seed, lambda);
    double shift = SpectralBounds.symmetricEigenShift(lambda);
    double frob = NaiveSpectral.frobenius(sym.md());
    // The float M_f's own dominant eigenvector v₁ is within φ of the column q̂₁ (Davis–Kahan
    // sin θ: sin∠ ≤ ‖M q̂₁ − λ₁q̂₁‖/δ, δ ≥ (1 − r) − shift the distance from λ₁ to the rest of
    // M_f's spectrum), and its eigenvalue ratio is r′ ≤ (r + shift)/(1 − shift).
    double delta = (1 - gap) - shift;
    double phi = Math.asin(Math.min(1, sym.eigenResidual(0) / delta));
    double rPrime = (gap + shift) / (1 - shift);
    double[] v1 = sym.unitEigenvector(0);

    float[] x = new float[n], work = new float[Spectral.symmetricWorkLength(n)];
    Spectral.randomStart(seed ^ 0x5DEECE66DL, n, x, 0);
    // The kernel first scales x to unit length in float (one rounding per component: the
    // direction moves by at most u radians).
    double t0 =
        Math.tan(
            Math.atan(NaiveSpectral.tangent(NaiveSpectral.toDouble(x, 0, n), v1))
                + phi
                + SpectralBounds.U);
    if (!(t0 < Double.POSITIVE_INFINITY) || Math.atan(t0) >= Math.PI / 2) {
      return null; // start numerically orthogonal to v₁: probability 0 for a Gaussian start
    }
    // Exact arithmetic needs K₀ = ⌈log(ε′)/log r⌉ steps, ε′ = √(2ε)/t₀. The float run takes the
    // smallest K ≥ K₀ for which the perturbed recursion also meets √(2ε) (K = K₀ unless the start
    // is nearly orthogonal to v₁, where the worst-case perturbation slows the first steps).
    double target = Math.sqrt(2 * eps);
    int k0 = Math.max(1, (int) Math.ceil(Math.log(target / t0) / Math.log(gap)));
    double eta = SpectralBounds.powerStepPerturbation(n, frob, 1 + shift) / (1 - shift);
    int steps = k0;
    double tBound = SpectralBounds.tangentAfter(t0, rPrime, eta, k0);
    while (!(tBound <= target) && steps < 20 * k0) {
      tBound = SpectralBounds.tangentAfter(tBound, rPrime, eta, 1);
      steps++;
    }
    if (!(tBound <= target)) {
      return "n="
          + n
          + ": the float floor of the tangent exceeds sqrt(2 eps) = "
          + target
          + " (bound "
          + tBound
          + " after "
          + steps
          + " steps, t0="
          + t0
          + " K0="
          + k0
          + " delta="
          + eta
          + "); the case is mis-sized";
    }
    // maxIter = K + 1, tol = 0: the kernel multiplies K + 1 times and returns the iterate x_K whose
    // Rayleigh quotient it formed last.
    SpectralEstimate est =
        Spectral.symmetricDominant(n, sym.m(), 0, n, x, 0, work, 0, steps + 1, 0);
    if (est.iterations() != steps + 1) {
      return "expected exactly " + (steps + 1) + " products with tol=0, got " + est.iterations();
    }
    double[] xd = NaiveSpectral.toDouble(x, 0, n);
    double tan = Math.tan(Math.atan(NaiveSpectral.tangent(xd, v1)) + phi);
    double cos = 1 / Math.sqrt(1 + tan * tan);
    if (tan > tBound || cos < 1 - eps) {
      return "n="
          + n
          + " gap="
          + gap
          + " K0="
          + k0
          + " K="
          + steps
          + ": tan(x_K, v1) <= "
          + tan
          + " (bound "
          + tBound
          + "), |cos| >= "
          + cos
          + " (need >= 1 - "
          + eps
          + ")";
    }
    return null;
  }
}
