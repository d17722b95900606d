package dev.bptt.bench.growth;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.spectral.Spectral;
import dev.bptt.kernel.spectral.SpectralEstimate;
import dev.bptt.kernel.spectral.SpectralInit;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Gradient-norm growth across spectral radii: for each W_hh family, spectral radius ρ and
 * activation φ, takes the per-step trace ‖∂L/∂h_{T−k}‖ (k = 0..T, loss on the last step) from a
 * {@link TraceProvider}, fits the per-step growth rate over the tail and compares it with theory:
 *
 * <ul>
 *   <li>φ = identity, symmetric W: δ_{T−k} = (Wᵀ)^k δ_T is a power iteration, so the step ratio
 *       tends to |λ₁| = ρ, at the rate |λ₂/λ₁| = gap (d2l §9.7 exercise 1).
 *   <li>φ = identity, W = ρ·Q: every step multiplies the norm by exactly ρ (all σᵢ = ρ).
 *   <li>φ = identity, Gaussian W rescaled to ρ: the ratio tends to ρ(W) on average; with a complex
 *       dominant pair the individual ratios oscillate, and non-normality adds a transient.
 *   <li>φ = tanh: Pascanu et al. (2013): ‖δ_{t−k}‖ ≤ (γ·σ_max)^k‖δ_t‖ with γ = sup|tanh′| = 1,
 *       checked at every step (with a derived float slack).
 * </ul>
 *
 * The fitted rate is the geometric mean of the successive ratios over the tail,
 * (‖δ_{T−k₁}‖/‖δ_{T−k₀}‖)^{1/(k₁−k₀)} with [k₀, k₁] the second half of the valid range (norms
 * within [10⁻³⁰, 10³⁰]; float gradients leave that range near 10^±38, where BPTT itself underflows
 * or overflows). Deterministic given the seed and the provider.
 */
public final class GrowthExperiment {
  /** Valid trace window: outside it a float gradient is near underflow or overflow. */
  static final double LOW = 1e-30, HIGH = 1e30;

  private static final double U = 0x1p-24;

  /** W_hh families. */
  public enum Family {
    /** Q·diag(λ)·Qᵀ with λ₁ = ρ, λ₂ = gap·ρ and the rest uniform in (−gap·ρ, gap·ρ). */
    SYMMETRIC("symmetric"),
    /** ρ·Q, Q Haar orthogonal: every |λ| and every σ equals ρ. */
    SCALED_ORTHOGONAL("orthogonal"),
    /** N(0, 1/H) entries rescaled so the estimated ρ equals the target. */
    GAUSSIAN("gaussian");

    final String slug;

    Family(String slug) {
      this.slug = slug;
    }
  }

  /**
   * The grid and the sizes.
   *
   * @param gap |λ₂/λ₁| of the symmetric family
   */
  public record Config(
      long seed,
      int hidden,
      int steps,
      double[] rhos,
      List<Activation> activations,
      List<Family> families,
      double gap) {
    /**
     * ρ ∈ {0.5, 0.8, 0.9, 0.95, 1, 1.05, 1.1, 1.25, 1.5}, identity and tanh, all families, H = 128,
     * T = 200, gap 0.9.
     */
    public static Config standard(long seed) {
      return new Config(
          seed,
          128,
          200,
          new double[] {0.5, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.25, 1.5},
          List.of(Activation.IDENTITY, Activation.TANH),
          List.of(Family.values()),
          0.9);
    }
  }

  /**
   * One (family, φ, ρ) run.
   *
   * @param sigmaBound σ̂ + residual of the σ_max estimate: the Pascanu bound's rate
   * @param validTo last k of the valid window
   * @param fitted geometric-mean step ratio over [fitFrom, fitTo]
   * @param theory ρ for identity, the bound rate σ_max for tanh
   * @param maxLogDev max over valid k of |log(trace_k/trace_0) − k·log(theory)|
   * @param firstViolation first k where the Pascanu bound (with slack) fails, −1 if none
   */
  public record Row(
      Family family,
      Activation act,
      double rho,
      double sigmaBound,
      double[] trace,
      int validTo,
      int fitFrom,
      int fitTo,
      double fitted,
      double theory,
      double maxLogDev,
      int firstViolation) {
    /** fitted/theory − 1. */
    public double error() {
      return fitted / theory - 1;
    }
  }

  /**
   * All rows, plus the (family, φ) pairs the provider could not run and the smoke checks' failures.
   */
  public record Result(
      Config config,
      String provider,
      List<Row> rows,
      List<String> skipped,
      List<String> failures) {}

  private GrowthExperiment() {}

  /** Runs the grid of {@code c} with traces from {@code provider}. */
  public static Result run(Config c, TraceProvider provider, String providerName) {
    List<Row> rows = new ArrayList<>();
    List<String> skipped = new ArrayList<>(), failures = new ArrayList<>();
    int h = c.hidden();
    for (Family f : c.families()) {
      long familySeed = c.seed() + 1_000_003L * f.ordinal();
      double[] shape = symmetricShape(familySeed, h, c.gap());
      for (double rho : c.rhos()) {
        float[] w = matrix(f, familySeed, shape, rho, h);
        double sigmaBound = sigmaBound(w, h, familySeed);
        double frob = frobenius(w);
        for (Activation act : c.activations()) {
          float[] trace = new float[c.steps() + 1];
          try {
            provider.trace(w, h, act, trace);
          } catch (UnsupportedOperationException e) {
            String s = f.slug + "/" + act + ": " + e.getMessage();
            if (!skipped.contains(s)) {
              skipped.add(s);
            }
            continue;
          }
          Row row = analyse(f, act, rho, sigmaBound, frob, h, trace);
          rows.add(row);
          check(row, c, frob, failures);
        }
      }
    }
    return new Result(c, providerName, rows, skipped, failures);
  }

  /** λ/ρ of the symmetric family: 1, gap, then uniform in (−gap, gap); the same for every ρ. */
  private static double[] symmetricShape(long seed, int h, double gap) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] s = new double[h];
    s[0] = 1;
    if (h > 1) {
      s[1] = gap;
    }
    for (int i = 2; i < h; i++) {
      s[i] = gap * (2 * r.nextDouble() - 1);
    }
    return s;
  }

  /** The family's matrix for ρ; the same draw (seed) for every ρ, so only the scale changes. */
  static float[] matrix(Family f, long seed, double[] shape, double rho, int h) {
    float[] w = new float[h * h];
    SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
    switch (f) {
      case SYMMETRIC -> {
        double[] lambda = new double[h];
        for (int i = 0; i < h; i++) {
          lambda[i] = rho * shape[i];
        }
        SpectralInit.symmetric(rng, lambda, w, 0, h);
      }
      case SCALED_ORTHOGONAL -> SpectralInit.scaledOrthogonal(rng, rho, h, w, 0, h);
      case GAUSSIAN -> SpectralInit.gaussianRescaled(rng, rho, h, w, 0, h);
    }
    return w;
  }

  /** σ̂ + residual of the σ_max power iteration (σ̂ ≤ σ_max; the residual covers the rest). */
  private static double sigmaBound(float[] w, int h, long seed) {
    float[] v = new float[h], work = new float[Spectral.sigmaMaxWorkLength(h, h)];
    Spectral.randomStart(seed + 7, h, v, 0);
    SpectralEstimate e = Spectral.sigmaMax(h, h, w, 0, h, v, 0, work, 0, 20_000, 1e-7);
    return e.value() + e.residual();
  }

  private static double frobenius(float[] w) {
    double s = 0;
    for (float x : w) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }

  /** γ_k = k·u/(1 − k·u). */
  private static double gamma(long k) {
    return k * U / (1 - k * U);
  }

  /**
   * Per-step growth allowed by the Pascanu bound in float: one backward step forms fl(Wᵀ·fl(φ′ ⊙
   * δ)); the product φ′ ⊙ δ has |φ′| ≤ 1 and at most three roundings (γ₃), the gemvᵀ adds ≤
   * γ_{2H+2}‖W‖_F‖·‖ for any summation order, so ‖δ_{t−1}‖ ≤ (σ_max + γ_{2H+2}‖W‖_F)(1 + γ₃)‖δ_t‖;
   * each measured norm carries γ_{H+1}.
   */
  static double boundRate(double sigmaBound, double frob, int h) {
    return (sigmaBound + gamma(2L * h + 2) * frob) * (1 + gamma(3));
  }

  private static Row analyse(
      Family f, Activation act, double rho, double sigmaBound, double frob, int h, float[] trace) {
    RateFit fit = RateFit.of(toDouble(trace));
    int validTo = fit.validTo(), from = fit.from(), to = fit.to();
    double fitted = fit.rate();
    double theory = act == Activation.IDENTITY ? rho : sigmaBound;
    double maxLogDev = 0;
    for (int k = 0; k <= validTo; k++) {
      maxLogDev =
          Math.max(
              maxLogDev, Math.abs(Math.log((double) trace[k] / trace[0]) - k * Math.log(theory)));
    }
    double rate = boundRate(sigmaBound, frob, h), nr = gamma(h + 1L);
    int violation = -1;
    // Only inside the valid window: below 1e-30 the components approach the subnormal range,
    // where rounding is absolute (not relative) and the relative slack above does not apply.
    for (int k = 1; k <= validTo && violation < 0; k++) {
      double allowed = trace[0] * Math.pow(rate, k) * (1 + nr) / (1 - nr);
      boolean finite = Float.isFinite(trace[k]);
      if (!finite || trace[k] > allowed) {
        violation = k;
      }
    }
    return new Row(
        f,
        act,
        rho,
        sigmaBound,
        toDouble(trace),
        validTo,
        from,
        to,
        fitted,
        theory,
        maxLogDev,
        violation);
  }

  /**
   * The smoke checks, each a consequence of theory with a derived or stated tolerance:
   *
   * <ul>
   *   <li>every row: the Pascanu bound held at every step;
   *   <li>identity, ρ·Q: |log(‖δ_{T−k}‖/‖δ_T‖) − k·log ρ| ≤ k·δ with the per-step bound δ = d +
   *       γ_{2H+2}√H(1 + d)/(1 − d) + 2γ_{H+1} + u, d = u√H (ρQ rounded to float);
   *   <li>identity, symmetric: fitted rate within 10⁻³ of ρ (stated: the exact-arithmetic deficit
   *       after k₀ ≥ 50 steps is ≤ gap^{2k₀}·tan²θ₀ ≈ 10⁻⁹·tan²θ₀ and the float floor ≈
   *       γ_{2H+2}‖W‖_F/ρ ≈ 10⁻⁴).
   * </ul>
   */
  private static void check(Row r, Config c, double frob, List<String> failures) {
    String id = r.family().slug + "/" + r.act() + " rho=" + r.rho();
    if (r.firstViolation() >= 0) {
      failures.add(id + ": Pascanu bound exceeded at k=" + r.firstViolation());
    }
    if (r.act() != Activation.IDENTITY) {
      return;
    }
    int h = c.hidden();
    if (r.family() == Family.SCALED_ORTHOGONAL) {
      double d = U * Math.sqrt(h);
      double step =
          d + gamma(2L * h + 2) * Math.sqrt(h) * (1 + d) / (1 - d) + 2 * gamma(h + 1L) + U;
      if (r.validTo() < c.steps() && r.rho() >= 0.8 && r.rho() <= 1.25) {
        failures.add(id + ": trace left the valid window at k=" + r.validTo());
      }
      if (r.maxLogDev() > r.validTo() * step) {
        failures.add(
            id
                + ": max |log deviation from rho^k| = "
                + r.maxLogDev()
                + " > "
                + r.validTo() * step);
      }
    }
    if (r.family() == Family.SYMMETRIC && r.fitFrom() >= 50 && Math.abs(r.error()) > 1e-3) {
      failures.add(id + ": fitted rate " + r.fitted() + " not within 1e-3 of rho");
    }
  }

  private static double[] toDouble(float[] x) {
    double[] d = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      d[i] = x[i];
    }
    return d;
  }

  // ---- output ----

  /**
   * Writes growth.csv, growth-&lt;family&gt;-&lt;act&gt;.png per pair and growth-summary.md into
   * {@code dir}.
   */
  public static void write(Result res, Path dir) {
    write(res, dir, "");
  }

  /** As {@link #write(Result, Path)}, with {@code header} (markdown) below the summary's title. */
  public static void write(Result res, Path dir, String header) {
    Config c = res.config();
    try (Csv csv =
        Csv.open(
            dir.resolve("growth.csv"),
            "family",
            "activation",
            "rho",
            "k",
            "grad_norm",
            "theory_norm")) {
      for (Row r : res.rows()) {
        for (int k = 0; k < r.trace().length; k++) {
          csv.row(
              r.family().slug,
              r.act().name().toLowerCase(Locale.ROOT),
              r.rho(),
              (double) k,
              r.trace()[k],
              r.trace()[0] * Math.pow(r.theory(), k));
        }
      }
    }
    for (Family f : c.families()) {
      for (Activation act : c.activations()) {
        List<Row> rows =
            res.rows().stream().filter(r -> r.family() == f && r.act() == act).toList();
        if (!rows.isEmpty()) {
          plot(f, act, rows, c)
              .savePng(
                  dir.resolve(
                      "growth-" + f.slug + "-" + act.name().toLowerCase(Locale.ROOT) + ".png"));
        }
      }
    }
    writeSummary(res, dir.resolve("growth-summary.md"), header);
  }

  private static Plots plot(Family f, Activation act, List<Row> rows, Config c) {
    boolean linear = act == Activation.IDENTITY;
    Plots p =
        Plots.logY(
                "Gradient norm vs steps back: "
                    + f.slug
                    + " W_hh, "
                    + act.name().toLowerCase(Locale.ROOT)
                    + " (H = "
                    + c.hidden()
                    + ", T = "
                    + c.steps()
                    + ")",
                "k (steps back from the loss)",
                "||dL/dh_{T-k}||")
            .yWindow(LOW, HIGH);
    double[] k = new double[c.steps() + 1];
    for (int i = 0; i < k.length; i++) {
      k[i] = i;
    }
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      Color col = Plots.PALETTE[i % Plots.PALETTE.length];
      double[] th = new double[k.length];
      for (int j = 0; j < k.length; j++) {
        th[j] = r.trace()[0] * Math.pow(r.theory(), j);
      }
      String label = String.format(Locale.ROOT, "rho = %.2f", r.rho());
      p.line(label, k, r.trace(), col, false, true);
      double[][] sub = Plots.every(k, th, 10);
      p.line(label + " theory", sub[0], sub[1], col, true, false);
    }
    p.legendEntry(
        linear ? "dashed: ||d_T|| rho^k" : "dashed: Pascanu bound ||d_T|| sigma_max^k",
        0,
        rows.get(0).trace()[0],
        Color.BLACK,
        true);
    return p;
  }

  private static void writeSummary(Result res, Path file, String header) {
    Config c = res.config();
    StringBuilder sb = new StringBuilder();
    sb.append("# Gradient-norm growth across spectral radii\n\n").append(header);
    sb.append(
        String.format(
            Locale.ROOT,
            "H = %d, T = %d, loss on the last step, seed %d, trace provider: %s. ",
            c.hidden(),
            c.steps(),
            c.seed(),
            res.provider()));
    sb.append(
            "Fitted rate: geometric mean of ‖δ_{T−k}‖/‖δ_{T−k+1}‖ over the second half of the valid"
                + " window ")
        .append(
            "(norms in [1e-30, 1e30]). Theory: ρ for the identity activation (exact per step for"
                + " ρ·Q, ")
        .append(
            "the power-iteration limit |λ₁| = ρ for symmetric W, the asymptotic ρ(W) for Gaussian"
                + " W); ")
        .append(
            "for tanh the Pascanu bound rate σ_max (γ = 1), which the measured rate must not"
                + " exceed. ")
        .append(
            "Error = fitted/theory − 1. \"bound held\": ‖δ_{T−k}‖ ≤ ‖δ_T‖·σ_max^k (plus derived"
                + " float slack) ")
        .append("at every k of the valid window.\n\n");
    sb.append(
        "| family | activation | ρ | σ_max | fitted rate | theory | error | window k | max over k"
            + " of abs(log(‖δ_{T−k}‖/‖δ_T‖) − k·log theory) | bound held |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : res.rows()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %.2f | %.4f | %s | %.6f | %s | %d–%d | %.3g | %s |\n",
              r.family().slug,
              r.act().name().toLowerCase(Locale.ROOT),
              r.rho(),
              r.sigmaBound(),
              Double.isNaN(r.fitted()) ? "n/a" : String.format(Locale.ROOT, "%.6f", r.fitted()),
              r.theory(),
              Double.isNaN(r.fitted()) ? "n/a" : String.format(Locale.ROOT, "%+.2e", r.error()),
              r.fitFrom(),
              r.fitTo(),
              r.maxLogDev(),
              r.firstViolation() < 0 ? "yes" : "no (k=" + r.firstViolation() + ")"));
    }
    if (!res.skipped().isEmpty()) {
      sb.append("\nNot run (the trace provider does not support them):\n\n");
      for (String s : res.skipped()) {
        sb.append("- ").append(s).append('\n');
      }
    }
    sb.append("\nSmoke checks: ").append(res.failures().isEmpty() ? "all passed.\n" : "FAILED:\n");
    for (String s : res.failures()) {
      sb.append("- ").append(s).append('\n');
    }
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
