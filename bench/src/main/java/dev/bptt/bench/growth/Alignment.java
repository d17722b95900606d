package dev.bptt.bench.growth;

import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.spectral.Spectral;
import dev.bptt.kernel.spectral.SpectralInit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * d2l §9.7 exercise 1(b), measured: for a symmetric M with eigenvalues λ₁ = 1, λ₂ = r and the rest
 * uniform in (−r, r), the power iterate M^k·x aligns with v₁ at the rate the spectral gap predicts:
 * tan∠(M^k x, v₁) ≤ r^k·tan∠(x, v₁), with equality in the limit up to the constant |c₂/c₁| of x's
 * λ₂ component. Float iteration (the kernel's gemv, renormalized every step) stops improving at a
 * floor of about γₙ‖M‖_F/(1 − r) radians, which the plot shows too.
 */
public final class Alignment {

  /** The setup: order n, steps K, the gaps r, the seed. */
  public record Config(int n, int steps, double[] gaps, long seed) {
    /** n = 128, K = 1000, r ∈ {0.5, 0.9, 0.99}. */
    public static Config standard(long seed) {
      return new Config(128, 1000, new double[] {0.5, 0.9, 0.99}, seed);
    }
  }

  /**
   * One gap's curve: |cos| and tan∠ per k = 0..K, the bound tan θ₀·r^k, the rate fitted where the
   * bound is between 10⁻¹ and 10⁻⁴, and the smallest tan∠ reached (the float floor once the bound
   * has fallen below it).
   */
  public record Curve(
      double gap,
      double[] absCos,
      double[] tan,
      double[] bound,
      double fittedRate,
      int fitFrom,
      int fitTo,
      double minTan) {}

  private Alignment() {}

  /** Runs every gap of the config. */
  public static List<Curve> run(Config c) {
    List<Curve> out = new ArrayList<>();
    for (int g = 0; g < c.gaps().length; g++) {
      out.add(curve(c.n(), c.steps(), c.gaps()[g], c.seed() + 31L * g));
    }
    return out;
  }

  static Curve curve(int n, int steps, double gap, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] lambda = new double[n];
    lambda[0] = 1;
    lambda[1] = gap;
    for (int i = 2; i < n; i++) {
      lambda[i] = gap * (2 * r.nextDouble() - 1);
    }
    float[] m = new float[n * n], q = new float[n * n];
    long matrixSeed = r.nextLong();
    SpectralInit.symmetric(new SplittableRandom(matrixSeed), lambda, m, 0, n);
    SpectralInit.orthogonal(new SplittableRandom(matrixSeed), 1, n, n, q, 0, n); // column 0 = v₁
    double[] v1 = new double[n];
    double v1n = 0;
    for (int i = 0; i < n; i++) {
      v1[i] = q[i * n];
      v1n += v1[i] * v1[i];
    }
    v1n = Math.sqrt(v1n);
    for (int i = 0; i < n; i++) {
      v1[i] /= v1n;
    }
    float[] x = new float[n], y = new float[n];
    Spectral.randomStart(r.nextLong(), n, x, 0);
    double[] absCos = new double[steps + 1],
        tan = new double[steps + 1],
        bound = new double[steps + 1];
    for (int k = 0; ; k++) {
      double c = 0, xx = 0;
      for (int i = 0; i < n; i++) {
        c += x[i] * v1[i];
        xx += (double) x[i] * x[i];
      }
      double perp = 0;
      for (int i = 0; i < n; i++) {
        double d = x[i] - c * v1[i];
        perp += d * d;
      }
      absCos[k] = Math.abs(c) / Math.sqrt(xx);
      tan[k] = Math.sqrt(perp) / Math.abs(c);
      bound[k] = tan[0] * Math.pow(gap, k);
      if (k == steps) {
        break;
      }
      Blas.gemv(n, n, 1f, m, 0, n, x, 0, 0f, y, 0);
      Blas.scale(n, (float) (1 / Blas.norm2(n, y, 0)), y, 0);
      float[] t = x;
      x = y;
      y = t;
    }
    // Fit the rate over the stretch where the bound is between 10⁻¹ and 10⁻⁴: after the first
    // steps, where the other eigenvalues still matter, and well above the float floor (~10⁻⁷).
    int from = 0, to = 0;
    while (from < steps && bound[from] > 1e-1) {
      from++;
    }
    to = from;
    while (to < steps && bound[to] > 1e-4) {
      to++;
    }
    double fitted = to > from ? Math.pow(tan[to] / tan[from], 1.0 / (to - from)) : Double.NaN;
    double minTan = Double.POSITIVE_INFINITY;
    for (double t : tan) {
      minTan = Math.min(minTan, t);
    }
    return new Curve(gap, absCos, tan, bound, fitted, from, to, minTan);
  }

  /** Writes alignment.csv and alignment.png into {@code dir}. */
  public static void write(List<Curve> curves, Path dir) {
    try (Csv csv =
        Csv.open(
            dir.resolve("alignment.csv"),
            "gap",
            "k",
            "abs_cos",
            "one_minus_abs_cos",
            "tan_angle",
            "bound_tan0_gap_pow_k")) {
      for (Curve c : curves) {
        for (int k = 0; k < c.tan().length; k++) {
          csv.row(c.gap(), (double) k, c.absCos()[k], 1 - c.absCos()[k], c.tan()[k], c.bound()[k]);
        }
      }
    }
    Plots p =
        Plots.logY(
                "Alignment of M^k x with v1 (symmetric M, n = 128, lambda_1 = 1, lambda_2 = r)",
                "k (power steps)",
                "tan angle(M^k x, v1) = sqrt(1 - cos^2) / |cos|")
            .yWindow(1e-12, 1e6);
    for (int i = 0; i < curves.size(); i++) {
      Curve c = curves.get(i);
      double[] k = new double[c.tan().length];
      for (int j = 0; j < k.length; j++) {
        k[j] = j;
      }
      String r = "r = |l2/l1| = " + c.gap();
      p.line(r + " measured", k, c.tan(), Plots.PALETTE[i], false, true);
      double[][] th = Plots.every(k, c.bound(), 25);
      p.line(r + " theory", th[0], th[1], Plots.PALETTE[i], true, false);
    }
    if (!curves.isEmpty()) {
      p.legendEntry(
          "dashed: tan(theta_0) r^k", 0, curves.get(0).tan()[0], java.awt.Color.BLACK, true);
    }
    p.savePng(dir.resolve("alignment.png"));
    writeSummary(curves, dir.resolve("alignment-summary.md"));
  }

  private static void writeSummary(List<Curve> curves, Path file) {
    StringBuilder sb = new StringBuilder("# Alignment of M^k·x with v₁ (d2l §9.7 exercise 1b)\n\n");
    sb.append(
            "Symmetric M (n = 128) with λ₁ = 1, λ₂ = r, the rest uniform in (−r, r); x a seeded"
                + " Gaussian start; ")
        .append("float power iteration. Theory: tan∠(M^k x, v₁) ≤ r^k·tan∠(x, v₁). Fitted rate: ")
        .append("(tan_k₁/tan_k₀)^{1/(k₁−k₀)} where the bound is between 1e-1 and 1e-4.\n\n")
        .append(
            "| r = λ₂/λ₁ | fitted rate | window k | tan∠ at k = 0 | tan∠ at k = K | bound at k = K"
                + " | smallest tan∠ (float floor) | 1 − |cos| at k = K |\n")
        .append("|---|---|---|---|---|---|---|---|\n");
    for (Curve c : curves) {
      int last = c.tan().length - 1;
      sb.append(
          String.format(
              java.util.Locale.ROOT,
              "| %.2f | %.6f | %d–%d | %.3g | %.3g | %.3g | %.3g | %.3g |%n",
              c.gap(),
              c.fittedRate(),
              c.fitFrom(),
              c.fitTo(),
              c.tan()[0],
              c.tan()[last],
              c.bound()[last],
              c.minTan(),
              1 - c.absCos()[last]));
    }
    try {
      java.nio.file.Files.writeString(file, sb.toString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot write " + file, e);
    }
  }
}
