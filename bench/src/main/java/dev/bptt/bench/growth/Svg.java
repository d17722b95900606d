package dev.bptt.bench.growth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Dependency-free SVG charts for the growth report: a line chart with a logarithmic y axis (label
 * per whole decade, at a stride that keeps about ten labels) and a heat map with one contour line
 * (marching squares). Text is plain SVG {@code <text>}, so the files stay small, diffable and
 * readable in a browser or on GitHub.
 */
public final class Svg {
  /** Tableau 10, as {@link Plots#PALETTE}. */
  public static final String[] PALETTE = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf"
  };

  private Svg() {}

  /** A line chart with log y axis; points ≤ 0, non-finite or outside the y window are gaps. */
  public static final class LogChart {
    private record Series(String name, double[] x, double[] y, String color, boolean dashed) {}

    private final String title, xLabel, yLabel;
    private final List<Series> series = new ArrayList<>();
    private double yLo = 0, yHi = Double.POSITIVE_INFINITY;
    private boolean logX;

    public LogChart(String title, String xLabel, String yLabel) {
      this.title = title;
      this.xLabel = xLabel;
      this.yLabel = yLabel;
    }

    /** A log₂ x axis (sizes that double), ticks at the data's x values; x must then be positive. */
    public LogChart logX() {
      logX = true;
      return this;
    }

    /** Points outside [lo, hi] are dropped (gaps). */
    LogChart yWindow(double lo, double hi) {
      yLo = lo;
      yHi = hi;
      return this;
    }

    public LogChart line(String name, double[] x, double[] y, String color, boolean dashed) {
      series.add(new Series(name, x, y, color, dashed));
      return this;
    }

    private boolean shown(double y) {
      return y > 0 && Double.isFinite(y) && y >= yLo && y <= yHi;
    }

    void save(Path file) {
      write(file, render());
    }

    /** The chart as an SVG document. */
    public StringBuilder render() {
      int w = 960, h = 580, left = 78, right = 250, top = 46, bottom = 58;
      int pw = w - left - right, ph = h - top - bottom;
      double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY;
      double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
      java.util.function.DoubleUnaryOperator xv = v -> logX ? Math.log(v) / Math.log(2) : v;
      java.util.TreeSet<Double> xTicks = new java.util.TreeSet<>();
      for (Series s : series) {
        for (int i = 0; i < s.x().length; i++) {
          xMin = Math.min(xMin, xv.applyAsDouble(s.x()[i]));
          xMax = Math.max(xMax, xv.applyAsDouble(s.x()[i]));
          xTicks.add(s.x()[i]);
          if (shown(s.y()[i])) {
            lo = Math.min(lo, Math.log10(s.y()[i]));
            hi = Math.max(hi, Math.log10(s.y()[i]));
          }
        }
      }
      if (!(lo <= hi)) {
        lo = -1;
        hi = 1;
      }
      double dLo = Math.floor(lo), dHi = Math.ceil(hi);
      if (dHi - dLo < 2) {
        dLo -= 1;
        dHi += 1;
      }
      int yStep = niceStep(dHi - dLo, 10);
      dLo = yStep * Math.floor(dLo / yStep);
      dHi = yStep * Math.ceil(dHi / yStep);
      double x0 = xMin, x1 = xMax > xMin ? xMax : xMin + 1;
      final double fLo = dLo, fHi = dHi;
      java.util.function.DoubleUnaryOperator px = v -> left + (v - x0) / (x1 - x0) * pw;
      java.util.function.DoubleUnaryOperator py = v -> top + (fHi - v) / (fHi - fLo) * ph;
      StringBuilder sb = header(w, h);
      sb.append(
          String.format(
              Locale.ROOT,
              "<clipPath id=\"plot\"><rect x=\"%d\" y=\"%d\" width=\"%d\""
                  + " height=\"%d\"/></clipPath>%n",
              left,
              top,
              pw,
              ph));
      text(sb, w / 2.0, 26, title, 15, "middle", "bold");
      // grid and ticks
      for (double d = dLo; d <= dHi + 1e-9; d += yStep) {
        double y = py.applyAsDouble(d);
        seg(sb, left, y, left + pw, y, "#dddddd", 1, false);
        text(sb, left - 6, y + 4, "1e" + (long) d, 11, "end", "normal");
      }
      if (logX) {
        for (double v : xTicks) {
          double x = px.applyAsDouble(xv.applyAsDouble(v));
          seg(sb, x, top, x, top + ph, "#eeeeee", 1, false);
          text(sb, x, top + ph + 16, num(v), 11, "middle", "normal");
        }
      } else {
        double xStep = niceStep(x1 - x0, 8);
        for (double v = Math.ceil(x0 / xStep) * xStep; v <= x1 + 1e-9; v += xStep) {
          double x = px.applyAsDouble(v);
          seg(sb, x, top, x, top + ph, "#eeeeee", 1, false);
          text(sb, x, top + ph + 16, num(v), 11, "middle", "normal");
        }
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                  + " stroke=\"#444\"/>%n",
              left,
              top,
              pw,
              ph));
      text(
          sb,
          left + pw / 2.0,
          h - 14,
          xLabel + (logX ? " (log scale)" : ""),
          12,
          "middle",
          "normal");
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"16\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\""
                  + " transform=\"rotate(-90 16 %.1f)\">%s</text>%n",
              top + ph / 2.0,
              top + ph / 2.0,
              esc(yLabel + " (log scale)")));
      // curves, split at gaps
      sb.append("<g clip-path=\"url(#plot)\" fill=\"none\">\n");
      for (Series s : series) {
        StringBuilder pts = new StringBuilder();
        for (int i = 0; i <= s.x().length; i++) {
          if (i < s.x().length && shown(s.y()[i])) {
            pts.append(
                String.format(
                    Locale.ROOT,
                    "%.1f,%.1f ",
                    px.applyAsDouble(xv.applyAsDouble(s.x()[i])),
                    py.applyAsDouble(Math.log10(s.y()[i]))));
          } else if (!pts.isEmpty()) {
            sb.append(
                String.format(
                    Locale.ROOT,
                    "<polyline points=\"%s\" stroke=\"%s\" stroke-width=\"1.8\"%s/>%n",
                    pts.toString().trim(),
                    s.color(),
                    s.dashed() ? " stroke-dasharray=\"7 4\"" : ""));
            pts.setLength(0);
          }
        }
      }
      sb.append("</g>\n");
      // legend
      double ly = top + 10;
      for (Series s : series) {
        seg(sb, left + pw + 14, ly, left + pw + 44, ly, s.color(), 2, s.dashed());
        text(sb, left + pw + 50, ly + 4, s.name(), 11, "start", "normal");
        ly += 18;
      }
      return sb.append("</svg>\n");
    }
  }

  /**
   * A heat map of z[j][i] over the grid (xs[i], ys[j]) coloured by log(z) on a diverging scale
   * (blue below 1, white at 1, red above, saturating at the data's largest |log z|), with the
   * contour z = 1 drawn by marching squares between the grid points, a colour bar, and grey cells
   * where z is not a positive number.
   */
  static void heatMap(
      Path file,
      String title,
      String xLabel,
      String yLabel,
      String barLabel,
      double[] xs,
      double[] ys,
      double[][] z) {
    int w = 900, h = 600, left = 78, right = 150, top = 46, bottom = 60;
    int pw = w - left - right, ph = h - top - bottom;
    int nx = xs.length, ny = ys.length;
    double[][] lz = new double[ny][nx];
    double span = 0;
    for (int j = 0; j < ny; j++) {
      for (int i = 0; i < nx; i++) {
        lz[j][i] = z[j][i] > 0 && Double.isFinite(z[j][i]) ? Math.log(z[j][i]) : Double.NaN;
        if (!Double.isNaN(lz[j][i])) {
          span = Math.max(span, Math.abs(lz[j][i]));
        }
      }
    }
    final double sp = span > 0 ? span : 1;
    // cell edges halfway between grid points
    double[] ex = edges(xs), ey = edges(ys);
    double ax0 = ex[0], ax1 = ex[nx], ay0 = ey[0], ay1 = ey[ny];
    java.util.function.DoubleUnaryOperator px = v -> left + (v - ax0) / (ax1 - ax0) * pw;
    java.util.function.DoubleUnaryOperator py = v -> top + (ay1 - v) / (ay1 - ay0) * ph;
    StringBuilder sb = header(w, h);
    text(sb, w / 2.0, 26, title, 15, "middle", "bold");
    sb.append("<g shape-rendering=\"crispEdges\">\n");
    for (int j = 0; j < ny; j++) {
      for (int i = 0; i < nx; i++) {
        double xa = px.applyAsDouble(ex[i]), xb = px.applyAsDouble(ex[i + 1]);
        double ya = py.applyAsDouble(ey[j + 1]), yb = py.applyAsDouble(ey[j]);
        sb.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"><title>%s"
                    + " = %s, %s = %s: %s</title></rect>%n",
                xa,
                ya,
                xb - xa + 0.3,
                yb - ya + 0.3,
                Double.isNaN(lz[j][i]) ? "#bbbbbb" : diverging(lz[j][i] / sp),
                esc(xLabel),
                num(xs[i]),
                esc(yLabel),
                num(ys[j]),
                Double.isNaN(lz[j][i])
                    ? "n/a"
                    : String.format(Locale.ROOT, "%.4f", Math.exp(lz[j][i]))));
      }
    }
    sb.append("</g>\n");
    // contour log z = 0
    sb.append("<g stroke=\"black\" stroke-width=\"2.2\" fill=\"none\" stroke-linecap=\"round\">\n");
    for (double[] seg : contour(xs, ys, lz)) {
      seg(
          sb,
          px.applyAsDouble(seg[0]),
          py.applyAsDouble(seg[1]),
          px.applyAsDouble(seg[2]),
          py.applyAsDouble(seg[3]),
          "black",
          2.2,
          false);
    }
    sb.append("</g>\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n",
            left,
            top,
            pw,
            ph));
    int xEvery = Math.max(1, (nx + 10) / 11), yEvery = Math.max(1, (ny + 10) / 11);
    for (int i = 0; i < nx; i += xEvery) {
      double x = px.applyAsDouble(xs[i]);
      seg(sb, x, top + ph, x, top + ph + 4, "#444", 1, false);
      text(sb, x, top + ph + 17, num(xs[i]), 11, "middle", "normal");
    }
    for (int j = 0; j < ny; j += yEvery) {
      double y = py.applyAsDouble(ys[j]);
      seg(sb, left - 4, y, left, y, "#444", 1, false);
      text(sb, left - 7, y + 4, num(ys[j]), 11, "end", "normal");
    }
    text(sb, left + pw / 2.0, h - 16, xLabel, 12, "middle", "normal");
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"18\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\""
                + " transform=\"rotate(-90 18 %.1f)\">%s</text>%n",
            top + ph / 2.0,
            top + ph / 2.0,
            esc(yLabel)));
    // colour bar: log z from −sp to sp
    int bx = left + pw + 34, bw = 22;
    int steps = 60;
    for (int k = 0; k < steps; k++) {
      double v = sp - (k + 0.5) * 2 * sp / steps;
      sb.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%.2f\" width=\"%d\" height=\"%.2f\" fill=\"%s\"/>%n",
              bx,
              top + k * (double) ph / steps,
              bw,
              ph / (double) steps + 0.4,
              diverging(v / sp)));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n",
            bx,
            top,
            bw,
            ph));
    for (double r : barTicks(Math.exp(-sp), Math.exp(sp))) {
      double y = top + (sp - Math.log(r)) / (2 * sp) * ph;
      seg(sb, bx + bw, y, bx + bw + 4, y, "#444", 1, false);
      text(sb, bx + bw + 7, y + 4, num(r), 11, "start", "normal");
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>%n",
            bx + bw / 2,
            top - 8,
            esc(barLabel)));
    write(file, sb.append("</svg>\n"));
  }

  /** Segments (x0, y0, x1, y1) of the level-0 contour of v[j][i] over (xs[i], ys[j]). */
  static List<double[]> contour(double[] xs, double[] ys, double[][] v) {
    List<double[]> out = new ArrayList<>();
    for (int j = 0; j + 1 < ys.length; j++) {
      for (int i = 0; i + 1 < xs.length; i++) {
        // corners counter-clockwise: (i,j), (i+1,j), (i+1,j+1), (i,j+1)
        double[] cx = {xs[i], xs[i + 1], xs[i + 1], xs[i]};
        double[] cy = {ys[j], ys[j], ys[j + 1], ys[j + 1]};
        double[] cv = {v[j][i], v[j][i + 1], v[j + 1][i + 1], v[j + 1][i]};
        boolean nan = false;
        for (double c : cv) {
          nan |= Double.isNaN(c);
        }
        if (nan) {
          continue;
        }
        // edge e joins corner e and e+1; crossing point or null
        double[][] cross = new double[4][];
        int n = 0;
        for (int e = 0; e < 4; e++) {
          int a = e, b = (e + 1) % 4;
          if ((cv[a] >= 0) != (cv[b] >= 0)) {
            double t = cv[a] / (cv[a] - cv[b]);
            cross[e] = new double[] {cx[a] + t * (cx[b] - cx[a]), cy[a] + t * (cy[b] - cy[a])};
            n++;
          }
        }
        if (n == 2) {
          double[] p = null;
          for (double[] c : cross) {
            if (c != null) {
              if (p == null) {
                p = c;
              } else {
                out.add(new double[] {p[0], p[1], c[0], c[1]});
              }
            }
          }
        } else if (n == 4) {
          // saddle: cut off each corner whose side differs from the centre's
          boolean centre = (cv[0] + cv[1] + cv[2] + cv[3]) / 4 >= 0;
          for (int a = 0; a < 4; a++) {
            if ((cv[a] >= 0) != centre) {
              double[] p = cross[(a + 3) % 4], q = cross[a];
              out.add(new double[] {p[0], p[1], q[0], q[1]});
            }
          }
        }
      }
    }
    return out;
  }

  private static double[] edges(double[] c) {
    int n = c.length;
    double[] e = new double[n + 1];
    if (n == 1) {
      e[0] = c[0] - 0.5;
      e[1] = c[0] + 0.5;
      return e;
    }
    for (int i = 1; i < n; i++) {
      e[i] = (c[i - 1] + c[i]) / 2;
    }
    e[0] = c[0] - (e[1] - c[0]);
    e[n] = c[n - 1] + (c[n - 1] - e[n - 1]);
    return e;
  }

  /** Rates to label on a colour bar spanning [lo, hi] (lo &lt; 1 &lt; hi). */
  private static List<Double> barTicks(double lo, double hi) {
    double[] candidates = {
      0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 2, 3, 5, 10,
      20, 50, 100
    };
    List<Double> all = new ArrayList<>();
    for (double c : candidates) {
      if (c >= lo * 0.999 && c <= hi * 1.001) {
        all.add(c);
      }
    }
    // keep at most ~9, always 1
    int every = Math.max(1, (all.size() + 8) / 9);
    List<Double> kept = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      if (i % every == 0 || all.get(i) == 1) {
        kept.add(all.get(i));
      }
    }
    return kept;
  }

  /** u in [−1, 1] → blue (−1) … white (0) … red (1). */
  static String diverging(double u) {
    u = Math.max(-1, Math.min(1, u));
    int[] neg = {0x2f, 0x5d, 0xa8}, pos = {0xc0, 0x2b, 0x26};
    int[] end = u < 0 ? neg : pos;
    double a = Math.pow(Math.abs(u), 0.55);
    int r = (int) Math.round(255 + a * (end[0] - 255));
    int g = (int) Math.round(255 + a * (end[1] - 255));
    int b = (int) Math.round(255 + a * (end[2] - 255));
    return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
  }

  /** 1, 2, 5 × 10ⁿ step with at most about {@code target} steps over span (≥ 1 for decades). */
  private static int niceStep(double span, int target) {
    double raw = span / target;
    double p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
    double s = raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
    return (int) Math.max(1, Math.round(s));
  }

  private static StringBuilder header(int w, int h) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d"
                + " %d\" font-family=\"Helvetica, Arial, sans-serif\">%n",
            w,
            h,
            w,
            h));
    sb.append(
        String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", w, h));
    return sb;
  }

  private static void seg(
      StringBuilder sb,
      double x0,
      double y0,
      double x1,
      double y1,
      String color,
      double width,
      boolean dashed) {
    sb.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                + " stroke-width=\"%.1f\"%s/>%n",
            x0,
            y0,
            x1,
            y1,
            color,
            width,
            dashed ? " stroke-dasharray=\"7 4\"" : ""));
  }

  private static void text(
      StringBuilder sb, double x, double y, String s, int size, String anchor, String weight) {
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\""
                + " font-weight=\"%s\">%s</text>%n",
            x,
            y,
            size,
            anchor,
            weight,
            esc(s)));
  }

  /** Shortest plain rendering of a tick value: 0.5, 1, 1.25, 200. */
  static String num(double v) {
    return Csv.stripZeros(String.format(Locale.ROOT, "%.6f", v));
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static void write(Path file, StringBuilder sb) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, sb, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
