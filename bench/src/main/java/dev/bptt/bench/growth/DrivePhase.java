package dev.bptt.bench.growth;

import dev.bptt.kernel.rnn.CellType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Phase diagram of the tanh Elman RNN's per-step gradient rate over input drive s × spectral radius
 * ρ: the {@link GatedGrowth} Elman setup (weight_ih = 0.5·I, W_hh = ρ·Q from the orthogonal family,
 * b = 0, x_t = s·ξ_t, loss at t = T), fitted with {@link RateFit}. At s = 0 the state stays at 0,
 * tanh′ = 1 and the network is the linear one (rate exactly ρ); as s grows the units saturate,
 * tanh′ = 1 − h² shrinks every backward step, and the rate falls below ρ.
 */
public final class DrivePhase {
  /**
   * @param drives s values (rows of the grid), increasing
   * @param rhos ρ values (columns), increasing
   */
  public record Config(
      long seed, int hidden, int steps, double inputGain, double[] drives, double[] rhos) {
    /** s = 0, 0.1, …, 1 (11) × ρ = 0.5, 0.55, …, 1.5 (21); H = 128, T = 200. */
    public static Config standard(long seed) {
      return new Config(seed, 128, 200, 0.5, grid(0, 1, 11), grid(0.5, 1.5, 21));
    }

    /** s = 0, 0.025, …, 1 (41) × ρ = 0.5, 0.525, …, 1.5 (41). */
    public static Config full(long seed) {
      return new Config(seed, 128, 200, 0.5, grid(0, 1, 41), grid(0.5, 1.5, 41));
    }
  }

  /**
   * @param rate fitted rate [drive][rho]
   * @param window fit windows "k₀–k₁" [drive][rho]
   * @param slope mean 1 − h_t² of the forward pass [drive][rho]
   */
  public record Result(Config config, double[][] rate, int[][][] window, double[][] slope) {}

  private DrivePhase() {}

  static double[] grid(double lo, double hi, int n) {
    double[] g = new double[n];
    for (int i = 0; i < n; i++) {
      g[i] = Math.round((lo + (hi - lo) * i / (n - 1)) * 1e9) / 1e9;
    }
    return g;
  }

  /** Runs the grid, one progress line per drive. */
  public static Result run(Config c) {
    int h = c.hidden(), ns = c.drives().length, nr = c.rhos().length;
    CellTraces traces = new CellTraces(c.seed(), h, c.steps());
    long familySeed = c.seed() + 1_000_003L * GrowthExperiment.Family.SCALED_ORTHOGONAL.ordinal();
    float[][] m = new float[nr][];
    for (int j = 0; j < nr; j++) {
      m[j] =
          GrowthExperiment.matrix(
              GrowthExperiment.Family.SCALED_ORTHOGONAL, familySeed, null, c.rhos()[j], h);
    }
    double[][] rate = new double[ns][nr], slope = new double[ns][nr];
    int[][][] window = new int[ns][nr][];
    for (int i = 0; i < ns; i++) {
      long t0 = System.nanoTime();
      for (int j = 0; j < nr; j++) {
        CellTraces.Traces t = traces.run(CellType.ELMAN, m[j], c.inputGain(), c.drives()[i], 0);
        RateFit f = RateFit.of(t.h());
        rate[i][j] = f.rate();
        window[i][j] = new int[] {f.from(), f.to()};
        slope[i][j] = t.meanTanhSlope();
      }
      System.out.printf(
          Locale.ROOT,
          "phase s=%.3f: rate %.4f (rho=%.2f) .. %.4f (rho=%.2f), %.2f s%n",
          c.drives()[i],
          rate[i][0],
          c.rhos()[0],
          rate[i][nr - 1],
          c.rhos()[nr - 1],
          (System.nanoTime() - t0) / 1e9);
    }
    return new Result(c, rate, window, slope);
  }

  /**
   * The largest drive at which the rate is still ≥ 1 for column j, linearly interpolated in s
   * between the last grid point at or above 1 and the next one; NaN if already below 1 at s = 0, +∞
   * if ≥ 1 over the whole range.
   */
  static double boundary(Result res, int j) {
    double[] s = res.config().drives();
    double[][] r = res.rate();
    if (!(r[0][j] >= 1)) {
      return Double.NaN;
    }
    for (int i = 1; i < s.length; i++) {
      if (!(r[i][j] >= 1)) {
        double a = Math.log(r[i - 1][j]), b = Math.log(r[i][j]);
        return Double.isFinite(b) ? s[i - 1] + (s[i] - s[i - 1]) * a / (a - b) : s[i - 1];
      }
    }
    return Double.POSITIVE_INFINITY;
  }

  /** drive-phase.csv and drive-phase.svg. */
  public static void write(Result res, Path dir) {
    Config c = res.config();
    try (Csv csv =
        Csv.open(
            dir.resolve("drive-phase.csv"),
            "drive",
            "rho",
            "fitted_rate",
            "fit_from",
            "fit_to",
            "mean_1_minus_h2")) {
      for (int i = 0; i < c.drives().length; i++) {
        for (int j = 0; j < c.rhos().length; j++) {
          csv.row(
              c.drives()[i],
              c.rhos()[j],
              res.rate()[i][j],
              (double) res.window()[i][j][0],
              (double) res.window()[i][j][1],
              res.slope()[i][j]);
        }
      }
    }
    Svg.heatMap(
        dir.resolve("drive-phase.svg"),
        String.format(
            Locale.ROOT,
            "tanh Elman: fitted per-step gradient rate (H = %d, T = %d); black: rate = 1",
            c.hidden(),
            c.steps()),
        "rho (spectral radius of W_hh = rho Q)",
        "drive s (x_t = s xi_t, W_ih = " + Svg.num(c.inputGain()) + " I)",
        "rate",
        c.rhos(),
        c.drives(),
        res.rate());
  }

  /** The markdown section (without the run header). */
  static String markdown(Result res) {
    Config c = res.config();
    double[] s = c.drives(), rho = c.rhos();
    int ns = s.length, nr = rho.length;
    StringBuilder sb = new StringBuilder();
    sb.append("## Input drive × ρ: where a tanh RNN explodes\n\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "The Elman setup above (tanh, H = D = %d, T = %d, W_hh = ρ·Q, weight_ih = %s·I, b ="
                + " 0, one loss at t = T) with inputs x_t = s·ξ_t for s ∈ [%s, %s] (%d values) and"
                + " ρ ∈ [%s, %s] (%d values); s = 1 is the growth experiment's input, under which"
                + " every tanh run vanishes. Colour: log of the fitted rate (blue < 1 < red); the"
                + " black line is the rate = 1 contour (marching squares on log rate between grid"
                + " points). Files: [drive-phase.svg](drive-phase.svg),"
                + " [drive-phase.csv](drive-phase.csv) (also the mean of 1 − h_t² over the"
                + " forward pass, the average tanh′).\n\n",
            c.hidden(),
            c.steps(),
            Svg.num(c.inputGain()),
            Svg.num(s[0]),
            Svg.num(s[ns - 1]),
            ns,
            Svg.num(rho[0]),
            Svg.num(rho[nr - 1]),
            nr));
    sb.append("![tanh Elman phase diagram](drive-phase.svg)\n\n");
    // data-driven sentence
    int explode = 0, explodeRhoLe1 = 0;
    for (int i = 0; i < ns; i++) {
      for (int j = 0; j < nr; j++) {
        if (res.rate()[i][j] > 1) {
          explode++;
          if (rho[j] <= 1) {
            explodeRhoLe1++;
          }
        }
      }
    }
    List<String> bounds = new ArrayList<>();
    for (int j = 0; j < nr; j++) {
      if (rho[j] > 1) {
        double b = boundary(res, j);
        bounds.add(
            String.format(Locale.ROOT, "ρ = %s: ", Svg.num(rho[j]))
                + (Double.isNaN(b)
                    ? "none"
                    : Double.isInfinite(b)
                        ? "all s ≤ " + Svg.num(s[ns - 1])
                        : String.format(Locale.ROOT, "s < %.3f", b)));
      }
    }
    int j1 = nearest(rho, 1.0), j15 = nr - 1, i1 = ns - 1;
    sb.append(
        String.format(
            Locale.ROOT,
            "**Reading it.** At s = 0 the state stays at 0, tanh′ = 1 and the tanh network *is* the"
                + " linear one: rate %.4f at ρ = %s, %.4f at ρ = %s (exactly ρ). It explodes like"
                + " the linear network (rate > 1) at %d of the %d grid points, %d of them with ρ ≤"
                + " 1: at ρ > 1 and a drive below a boundary s*(ρ) (interpolated in s where the"
                + " rate crosses 1), per ρ > 1: %s. Everywhere else saturation wins: the mean tanh′"
                + " = 1 − h² falls to %.2f at s = %s, ρ = %s (and %.2f at s = %s, ρ = %s), each"
                + " backward step is multiplied by it, and the gradient vanishes (rate %.4f at s ="
                + " %s, ρ = %s; %.4f at ρ = %s) even where the linear network would explode."
                + " The fit window (the second half of k, i.e. steps t = T − k in the first half"
                + " of the sequence) includes the start from h_0 = 0, before the state has grown"
                + " to its saturated level; near the boundary a trace is a mix of a linear start"
                + " and a saturated tail (see the gated plot at s = 0.2, ρ = 1.5).\n\n",
            res.rate()[0][0],
            Svg.num(rho[0]),
            res.rate()[0][j15],
            Svg.num(rho[j15]),
            explode,
            ns * nr,
            explodeRhoLe1,
            String.join("; ", bounds),
            res.slope()[i1][j15],
            Svg.num(s[i1]),
            Svg.num(rho[j15]),
            res.slope()[i1][j1],
            Svg.num(s[i1]),
            Svg.num(rho[j1]),
            res.rate()[i1][j15],
            Svg.num(s[i1]),
            Svg.num(rho[j15]),
            res.rate()[i1][j1],
            Svg.num(rho[j1])));
    // compact table: every other ρ column when the grid is wide
    int every = Math.max(1, (nr + 10) / 11);
    sb.append("Fitted rates (rows s, columns ρ");
    sb.append(
        every > 1
            ? "; every " + (every == 2 ? "second" : every + "th") + " ρ of the grid, all in the CSV"
            : "");
    sb.append("; bold: > 1):\n\n| s \\ ρ |");
    StringBuilder rule = new StringBuilder("|---|");
    for (int j = 0; j < nr; j += every) {
      sb.append(' ').append(Svg.num(rho[j])).append(" |");
      rule.append("---|");
    }
    sb.append('\n').append(rule).append('\n');
    int sEvery = Math.max(1, (ns + 10) / 11);
    for (int i = 0; i < ns; i += sEvery) {
      sb.append("| ").append(Svg.num(s[i])).append(" |");
      for (int j = 0; j < nr; j += every) {
        double r = res.rate()[i][j];
        String v = Double.isNaN(r) ? "n/a" : String.format(Locale.ROOT, "%.3f", r);
        sb.append(' ').append(r > 1 ? "**" + v + "**" : v).append(" |");
      }
      sb.append('\n');
    }
    sb.append('\n');
    return sb.toString();
  }

  private static int nearest(double[] a, double v) {
    int best = 0;
    for (int i = 1; i < a.length; i++) {
      if (Math.abs(a[i] - v) < Math.abs(a[best] - v)) {
        best = i;
      }
    }
    return best;
  }
}
