package dev.bptt.bench.growth;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.spectral.SpectralEstimator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Gradient-norm growth through gated cells: ‖∂L/∂h_{T−k}‖ against k for a tanh Elman RNN, a GRU and
 * an LSTM (forget-gate bias 0 and 1) at matched sizes, inputs, seeds and W_hh spectral radius ρ
 * ({@link CellTraces} sets every gate's W_hh block to the same M = ρ·Q, Q the Haar orthogonal
 * matrix of the growth experiment's orthogonal family, so the Elman runs at drive 1 are that
 * family's tanh rows). Rates are fitted with {@link RateFit}; the small-signal rate is the exact
 * rate of the linearization at h = c = 0, which is what a run with zero input measures:
 *
 * <ul>
 *   <li>Elman: J = M, rate ρ;
 *   <li>GRU: r = z = σ(0) = ½, n = 0, so ∂h_t/∂h_{t−1} = z·I + (1 − z)·r·M = ½I + ¼M;
 *   <li>LSTM: i = o = ½, f = σ(b_f), g = c = h = 0, so c_t = f·c_{t−1} + i·M·h_{t−1} and h_t =
 *       o·c_t give c_t = (f·I + ¼M)·c_{t−1};
 * </ul>
 *
 * each of them normal (M is a multiple of an orthogonal matrix), so its rate is its spectral radius
 * and equals σ_max, estimated by power iteration.
 */
public final class GatedGrowth {
  /** A cell setting: the cell and, for the LSTM, its forget-gate bias. */
  public enum Variant {
    ELMAN(CellType.ELMAN, 0, "elman", "Elman tanh"),
    GRU(CellType.GRU, 0, "gru", "GRU"),
    LSTM_BF0(CellType.LSTM, 0, "lstm-bf0", "LSTM b_f = 0"),
    LSTM_BF1(CellType.LSTM, 1, "lstm-bf1", "LSTM b_f = 1");

    final CellType cell;
    final double forgetBias;
    final String slug, label;

    Variant(CellType cell, double forgetBias, String slug, String label) {
      this.cell = cell;
      this.forgetBias = forgetBias;
      this.slug = slug;
      this.label = label;
    }
  }

  /**
   * @param inputGain a: every gate's weight_ih block is a·I
   * @param drives input scales s (x_t = s·ξ_t)
   * @param rhos spectral radii of M
   */
  public record Config(
      long seed, int hidden, int steps, double inputGain, double[] drives, double[] rhos) {
    /** H = 128, T = 200, a = 0.5, s ∈ {0, 0.2, 1}, ρ ∈ {0.5, 0.9, 1, 1.1, 1.5}. */
    public static Config standard(long seed) {
      return new Config(
          seed, 128, 200, 0.5, new double[] {0, 0.2, 1}, new double[] {0.5, 0.9, 1.0, 1.1, 1.5});
    }

    /** The standard sizes with the growth experiment's nine radii. */
    public static Config full(long seed) {
      return new Config(
          seed,
          128,
          200,
          0.5,
          new double[] {0, 0.2, 1},
          new double[] {0.5, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.25, 1.5});
    }
  }

  /**
   * One trace.
   *
   * @param state "h" (∂L/∂h) or "c" (∂L/∂c, LSTM)
   * @param smallSignal rate of the linearization at h = c = 0
   * @param dropSteps first k with ‖·‖ ≤ 10⁻⁶ × its value at k = 0, −1 if never within T
   * @param meanTanhSlope mean over steps and units of 1 − h_t² in the forward pass
   */
  public record Row(
      double drive,
      double rho,
      Variant variant,
      String state,
      double[] trace,
      RateFit fit,
      double smallSignal,
      int dropSteps,
      double meanTanhSlope) {}

  /**
   * @param elmanMaxRelDiff max relative difference between the StackedRnn Elman trace and {@link
   *     ElmanTraceProvider}'s (the growth experiment's) at drive 1, over the valid window
   */
  public record Result(
      Config config, List<Row> rows, double elmanMaxRelDiff, List<String> failures) {}

  /** Drop factor of {@link Row#dropSteps}. */
  static final double DROP = 1e-6;

  private GatedGrowth() {}

  /** Runs the grid, printing one progress line per (drive, ρ). */
  public static Result run(Config c) {
    int h = c.hidden();
    CellTraces traces = new CellTraces(c.seed(), h, c.steps());
    long familySeed = c.seed() + 1_000_003L * GrowthExperiment.Family.SCALED_ORTHOGONAL.ordinal();
    List<Row> rows = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    double maxRel = 0;
    // σ_max of a normal matrix is its spectral radius; the power iteration on JᵀJ gives σ̂ ≤ σ_max
    // with an error quadratic in the angle, so 3000 steps pin the rate without a spectral gap.
    SpectralEstimator est = SpectralEstimator.square(h).withMaxIterations(3000).withTolerance(0);
    for (double rho : c.rhos()) {
      float[] m =
          GrowthExperiment.matrix(
              GrowthExperiment.Family.SCALED_ORTHOGONAL, familySeed, null, rho, h);
      double[] small = new double[Variant.values().length];
      for (Variant v : Variant.values()) {
        small[v.ordinal()] =
            switch (v.cell) {
              case ELMAN -> rho;
              case GRU -> est.sigmaMax(shifted(m, h, 0.5, 0.25)).value();
              case LSTM -> est.sigmaMax(shifted(m, h, sigmoid(v.forgetBias), 0.25)).value();
            };
      }
      for (double s : c.drives()) {
        StringBuilder line =
            new StringBuilder(String.format(Locale.ROOT, "gated s=%.2f rho=%.2f:", s, rho));
        for (Variant v : Variant.values()) {
          CellTraces.Traces t = traces.run(v.cell, m, c.inputGain(), s, v.forgetBias);
          rows.add(row(s, rho, v, "h", t.h(), small[v.ordinal()], t.meanTanhSlope()));
          line.append(String.format(Locale.ROOT, " %s %.4f", v.slug, last(rows).fit().rate()));
          if (t.c() != null) {
            rows.add(row(s, rho, v, "c", t.c(), small[v.ordinal()], t.meanTanhSlope()));
            line.append(String.format(Locale.ROOT, " (c %.4f)", last(rows).fit().rate()));
          }
          if (v == Variant.ELMAN && s == 1.0) {
            float[] ref = new float[c.steps() + 1];
            new ElmanTraceProvider(c.seed(), c.inputGain()).trace(m, h, Activation.TANH, ref);
            RateFit f = last(rows).fit();
            for (int k = 0; k <= f.validTo(); k++) {
              maxRel = Math.max(maxRel, Math.abs(t.h()[k] / ref[k] - 1));
            }
          }
        }
        System.out.println(line);
      }
    }
    if (maxRel > 1e-4) {
      failures.add(
          "StackedRnn Elman trace differs from ElmanRnn's by " + maxRel + " (relative) at s = 1");
    }
    // Zero input: the traces are those of the linearization, whose rate the fit must approach
    // from below (exact for Elman, where every singular value of M is ρ).
    for (Row r : rows) {
      if (r.drive() == 0 && !Double.isNaN(r.fit().rate())) {
        double tol = r.variant() == Variant.ELMAN ? 1e-5 : 0.02;
        double err = r.fit().rate() / r.smallSignal() - 1;
        if (err > 1e-5 || err < -tol) {
          failures.add(
              String.format(
                  Locale.ROOT,
                  "%s/%s rho=%.2f s=0: fitted rate %.6f vs small-signal %.6f",
                  r.variant().slug,
                  r.state(),
                  r.rho(),
                  r.fit().rate(),
                  r.smallSignal()));
        }
      }
    }
    return new Result(c, rows, maxRel, failures);
  }

  private static Row last(List<Row> rows) {
    return rows.get(rows.size() - 1);
  }

  private static Row row(
      double s, double rho, Variant v, String state, double[] trace, double small, double slope) {
    return new Row(
        s, rho, v, state, trace, RateFit.of(trace), small, RateFit.stepsToDrop(trace, DROP), slope);
  }

  /** a·I + b·M. */
  private static float[] shifted(float[] m, int h, double a, double b) {
    float[] j = new float[h * h];
    for (int i = 0; i < j.length; i++) {
      j[i] = (float) (b * m[i]);
    }
    for (int i = 0; i < h; i++) {
      j[i * h + i] += (float) a;
    }
    return j;
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  // ---- output ----

  /** gated.csv, gated-rates.csv and gated-s&lt;s&gt;-rho&lt;ρ&gt;.svg per (drive, ρ). */
  public static List<String> write(Result res, Path dir) {
    Config c = res.config();
    try (Csv csv =
        Csv.open(
            dir.resolve("gated.csv"),
            "drive",
            "rho",
            "cell",
            "forget_bias",
            "state",
            "k",
            "grad_norm")) {
      for (Row r : res.rows()) {
        for (int k = 0; k < r.trace().length; k++) {
          csv.row(
              r.drive(),
              r.rho(),
              r.variant().cell.name().toLowerCase(Locale.ROOT),
              forgetBias(r.variant()),
              r.state(),
              (double) k,
              r.trace()[k]);
        }
      }
    }
    try (Csv csv =
        Csv.open(
            dir.resolve("gated-rates.csv"),
            "drive",
            "rho",
            "cell",
            "forget_bias",
            "state",
            "fitted_rate",
            "fit_from",
            "fit_to",
            "small_signal_rate",
            "steps_to_1e-6",
            "mean_1_minus_h2")) {
      for (Row r : res.rows()) {
        csv.row(
            r.drive(),
            r.rho(),
            r.variant().cell.name().toLowerCase(Locale.ROOT),
            forgetBias(r.variant()),
            r.state(),
            r.fit().rate(),
            (double) r.fit().from(),
            (double) r.fit().to(),
            r.smallSignal(),
            (double) r.dropSteps(),
            r.meanTanhSlope());
      }
    }
    List<String> plots = new ArrayList<>();
    double[] k = new double[c.steps() + 1];
    for (int i = 0; i < k.length; i++) {
      k[i] = i;
    }
    for (double s : c.drives()) {
      for (double rho : c.rhos()) {
        Svg.LogChart chart =
            new Svg.LogChart(
                    String.format(
                        Locale.ROOT,
                        "Gradient norm vs steps back: rho = %s, drive s = %s (H = %d, T = %d)",
                        Svg.num(rho),
                        Svg.num(s),
                        c.hidden(),
                        c.steps()),
                    "k (steps back from the loss at t = T)",
                    "||dL/dh_{T-k}||, ||dL/dc_{T-k}||")
                .yWindow(GrowthExperiment.LOW, GrowthExperiment.HIGH);
        for (Row r : res.rows()) {
          if (r.drive() == s && r.rho() == rho) {
            String col = Svg.PALETTE[r.variant().ordinal()];
            boolean cell = r.state().equals("c");
            chart.line(
                r.variant().label
                    + (cell ? " (c)" : "")
                    + String.format(Locale.ROOT, ": %.3f/step", r.fit().rate()),
                k,
                r.trace(),
                col,
                cell);
          }
        }
        String name = "gated-s" + Svg.num(s) + "-rho" + Svg.num(rho) + ".svg";
        chart.save(dir.resolve(name));
        plots.add(name);
      }
    }
    return plots;
  }

  /** The paragraph that reads the table, every number from the rows. */
  private static String reading(Result res) {
    Config c = res.config();
    double s0 = c.drives()[0], s1 = c.drives()[c.drives().length - 1];
    double firstBelow = Double.NaN;
    for (double rho : c.rhos()) {
      if (Double.isNaN(firstBelow)
          && find(res, s0, rho, Variant.GRU).fit().rate()
              < find(res, s0, rho, Variant.ELMAN).fit().rate()) {
        firstBelow = rho;
      }
    }
    double dev = 0;
    for (Row r : res.rows()) {
      if (r.drive() == s0) {
        dev = Math.max(dev, Math.abs(r.fit().rate() / r.smallSignal() - 1));
      }
    }
    double[] rho = c.rhos();
    double elmanSpan = span(res, s1, Variant.ELMAN), gatedSpan = 0;
    for (Variant v : List.of(Variant.GRU, Variant.LSTM_BF0, Variant.LSTM_BF1)) {
      gatedSpan = Math.max(gatedSpan, span(res, s1, v));
    }
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "**Reading it** (rates and steps given from ρ = %s to ρ = %s). At s = %s every cell"
                + " runs on its small-signal rate (fitted within %.2f %% of it): the half-open"
                + " gates (σ(0) = ½) scale the recurrent path by ¼ and add a leak of ½ (GRU:"
                + " z·h_{t−1}; LSTM: f·c_{t−1}), so GRU and LSTM b_f = 0 sit at ½ + ¼ρ (%s, %s over"
                + " the ρ grid), %s; b_f = 1 raises the leak to σ(1) = 0.731 (LSTM b_f = 1: %s). ",
            Svg.num(rho[0]),
            Svg.num(rho[rho.length - 1]),
            Svg.num(s0),
            100 * dev,
            rates(res, s0, Variant.GRU),
            rates(res, s0, Variant.LSTM_BF0),
            Double.isNaN(firstBelow)
                ? "never below the Elman rate ρ on this grid"
                : "below the Elman rate ρ from ρ = " + Svg.num(firstBelow) + " up",
            rates(res, s0, Variant.LSTM_BF1)));
    sb.append(
        String.format(
            Locale.ROOT,
            "At s = %s (the growth experiment's drive, which saturates the tanh units) the rates"
                + " over the ρ grid are: Elman %s, GRU %s, LSTM b_f = 0 %s, LSTM b_f = 1 %s; a 10⁻⁶"
                + " drop of ‖∂L/∂h‖ takes Elman %s steps back, GRU %s, LSTM b_f = 0 %s and LSTM"
                + " b_f = 1 %s. %s\n",
            Svg.num(s1),
            rates(res, s1, Variant.ELMAN),
            rates(res, s1, Variant.GRU),
            rates(res, s1, Variant.LSTM_BF0),
            rates(res, s1, Variant.LSTM_BF1),
            drops(res, s1, Variant.ELMAN),
            drops(res, s1, Variant.GRU),
            drops(res, s1, Variant.LSTM_BF0),
            drops(res, s1, Variant.LSTM_BF1),
            gatedSpan < elmanSpan
                ? String.format(
                    Locale.ROOT,
                    "The Elman rate follows ρ and the drive (saturation multiplies every step by"
                        + " tanh′ < 1; it spans %.3f over the ρ grid); every gated rate spans at"
                        + " most %.3f, because the leak term bypasses the saturating"
                        + " nonlinearity.",
                    elmanSpan,
                    gatedSpan)
                : ""));
    return sb.toString();
  }

  private static double span(Result res, double s, Variant v) {
    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
    for (double rho : res.config().rhos()) {
      double r = find(res, s, rho, v).fit().rate();
      lo = Math.min(lo, r);
      hi = Math.max(hi, r);
    }
    return hi - lo;
  }

  private static Row find(Result res, double s, double rho, Variant v) {
    for (Row r : res.rows()) {
      if (r.drive() == s && r.rho() == rho && r.variant() == v && r.state().equals("h")) {
        return r;
      }
    }
    throw new IllegalStateException("no row " + v + " s=" + s + " rho=" + rho);
  }

  /** "a–b" over the ρ grid of the h-trace rates (in ρ order). */
  private static String rates(Result res, double s, Variant v) {
    double[] rho = res.config().rhos();
    return String.format(
        Locale.ROOT,
        "%.3f → %.3f",
        find(res, s, rho[0], v).fit().rate(),
        find(res, s, rho[rho.length - 1], v).fit().rate());
  }

  /** "a–b" of the 10⁻⁶-drop steps over the ρ grid (in ρ order), "> T" for never. */
  private static String drops(Result res, double s, Variant v) {
    double[] rho = res.config().rhos();
    int a = find(res, s, rho[0], v).dropSteps(),
        b = find(res, s, rho[rho.length - 1], v).dropSteps();
    return (a < 0 ? "> T" : Integer.toString(a)) + " → " + (b < 0 ? "> T" : Integer.toString(b));
  }

  private static Object forgetBias(Variant v) {
    return v.cell == CellType.LSTM ? (Object) v.forgetBias : "";
  }

  /** The markdown section (without the run header). */
  static String markdown(Result res, List<String> plots) {
    Config c = res.config();
    StringBuilder sb = new StringBuilder();
    sb.append("## Gated cells: how far back gradients reach\n\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "One-layer `StackedRnn` Elman (tanh), GRU and LSTM, H = D = %d, T = %d, batch 1, h_0 ="
                + " c_0 = 0, one loss at t = T with ∂L/∂h_T = g (a seeded unit vector, the same for"
                + " every run), seed %d. Matched setup: **every gate's H×H block of weight_hh is"
                + " the same matrix M = ρ·Q**, Q the Haar-orthogonal draw of the growth"
                + " experiment's orthogonal family (so every eigenvalue and singular value of M"
                + " has modulus ρ); every gate's weight_ih block is %s·I; all biases 0 except the"
                + " LSTM forget gate's bias_hh block b_f ∈ {0, 1} (bias_ih forget block 0). Inputs"
                + " x_t = s·ξ_t with ξ_t ~ N(0, I) seeded as in the growth experiment (s = 1 is its"
                + " input, so the Elman rows at s = 1 are its orthogonal/tanh rows; they agree with"
                + " `ElmanRnn`'s trace to %.1e relative). Traces: `traceDh` (‖∂L/∂h_{T−k}‖) and,"
                + " for the LSTM, `traceDc` (‖∂L/∂c_{T−k}‖); k = T from ∂L/∂(h_0, c_0).\n\n",
            c.hidden(),
            c.steps(),
            c.seed(),
            Svg.num(c.inputGain()),
            res.elmanMaxRelDiff()));
    sb.append(
        "Fitted rate as above: (‖·‖_{k₁}/‖·‖_{k₀})^{1/(k₁−k₀)} over the second half [k₀, k₁] of the"
            + " window where the norms stay in [1e-30, 1e30] (usually k = 100…200).  Small-signal"
            + " rate: the exact rate of the network linearized at h = c = 0, which is what s = 0"
            + " runs: Elman ρ; GRU ρ(½I + ¼M) (r = z = ½); LSTM ρ(σ(b_f)·I + ¼M) (i = o = ½). Below"
            + " 1 a gradient vanishes, above 1 it explodes.\n\n");
    sb.append(
        "| s | ρ | Elman | GRU | LSTM b_f=0 h | LSTM b_f=0 c | LSTM b_f=1 h | LSTM b_f=1 c |"
            + " small-signal Elman / GRU / LSTM 0 / LSTM 1 |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|\n");
    for (double s : c.drives()) {
      for (double rho : c.rhos()) {
        List<Row> rs = res.rows().stream().filter(r -> r.drive() == s && r.rho() == rho).toList();
        sb.append(String.format(Locale.ROOT, "| %s | %.2f |", Svg.num(s), rho));
        for (Row r : rs) {
          sb.append(
              Double.isNaN(r.fit().rate())
                  ? " n/a |"
                  : String.format(Locale.ROOT, " %.4f |", r.fit().rate()));
        }
        sb.append(' ');
        List<String> ss = new ArrayList<>();
        for (Row r : rs) {
          if (r.state().equals("h")) {
            ss.add(String.format(Locale.ROOT, "%.3f", r.smallSignal()));
          }
        }
        sb.append(String.join(" / ", ss)).append(" |\n");
      }
    }
    sb.append(
        "\nSteps back until ‖∂L/∂h_{T−k}‖ (LSTM: also ‖∂L/∂c_{T−k}‖) has fallen by 10⁻⁶ from k ="
            + " 0 (\"> T\": never within the T steps; a growing gradient never falls):\n\n");
    sb.append(
        "| s | ρ | Elman | GRU | LSTM b_f=0 h | LSTM b_f=0 c | LSTM b_f=1 h | LSTM b_f=1 c |\n");
    sb.append("|---|---|---|---|---|---|---|---|\n");
    for (double s : c.drives()) {
      for (double rho : c.rhos()) {
        sb.append(String.format(Locale.ROOT, "| %s | %.2f |", Svg.num(s), rho));
        for (Row r : res.rows()) {
          if (r.drive() == s && r.rho() == rho) {
            sb.append(r.dropSteps() < 0 ? " > T |" : " " + r.dropSteps() + " |");
          }
        }
        sb.append('\n');
      }
    }
    sb.append('\n').append(reading(res));
    sb.append("\nPlots (one per drive and ρ; solid ‖∂L/∂h‖, dashed the LSTM's ‖∂L/∂c‖): ");
    sb.append(String.join(", ", plots.stream().map(p -> "[" + p + "](" + p + ")").toList()));
    sb.append("\n\n");
    return sb.toString();
  }
}
