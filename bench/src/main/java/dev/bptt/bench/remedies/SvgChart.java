package dev.bptt.bench.remedies;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A hand-written SVG line chart with a linear x axis and a log₁₀ y axis, several series, an
 * optional horizontal reference line and optional event ticks along the bottom (clip events).
 * Non-finite and non-positive points break a line.
 */
final class SvgChart {
  static final String[] PALETTE = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd"
  };

  private record Series(String name, int[] x, float[] y, String color, boolean dashed) {}

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final List<Series> series = new ArrayList<>();
  private final List<int[]> ticks = new ArrayList<>();
  private double reference = Double.NaN;
  private String referenceLabel = "";

  SvgChart(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  SvgChart add(String name, int[] x, float[] y, boolean dashed) {
    series.add(new Series(name, x, y, PALETTE[series.size() % PALETTE.length], dashed));
    return this;
  }

  /** Ticks at the x positions whose count is &gt; 0. */
  SvgChart events(int[] x, int[] count) {
    for (int i = 0; i < x.length; i++) {
      if (count[i] > 0) {
        ticks.add(new int[] {x[i], count[i]});
      }
    }
    return this;
  }

  SvgChart reference(double y, String label) {
    this.reference = y;
    this.referenceLabel = label;
    return this;
  }

  void write(Path file) {
    int w = 760, h = 420, left = 70, right = 200, top = 36, bottom = 50;
    double xMax = 1, yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x.length; i++) {
        xMax = Math.max(xMax, s.x[i]);
        if (s.y[i] > 0 && Float.isFinite(s.y[i])) {
          yMin = Math.min(yMin, s.y[i]);
          yMax = Math.max(yMax, s.y[i]);
        }
      }
    }
    if (reference > 0) {
      yMin = Math.min(yMin, reference);
      yMax = Math.max(yMax, reference);
    }
    if (!(yMin < Double.POSITIVE_INFINITY)) {
      yMin = 1e-3;
      yMax = 1;
    }
    double lo = Math.floor(Math.log10(yMin)), hi = Math.ceil(Math.log10(yMax));
    if (hi <= lo) {
      hi = lo + 1;
    }
    int pw = w - left - right, ph = h - top - bottom;
    double xm = xMax;
    double l0 = lo, l1 = hi;
    java.util.function.DoubleUnaryOperator px = x -> left + pw * x / xm;
    java.util.function.DoubleUnaryOperator py =
        y -> top + ph * (1 - (Math.log10(y) - l0) / (l1 - l0));
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"11\">\n"
                + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            w,
            h));
    text(sb, left, 20, esc(title), "start", 13);
    sb.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>\n",
            left,
            top,
            pw,
            ph));
    int step = (int) Math.max(1, Math.ceil((hi - lo) / 8));
    for (double e = lo; e <= hi; e += step) {
      double y = py.applyAsDouble(Math.pow(10, e));
      line(sb, left, y, left + pw, y, "#ddd", false);
      text(sb, left - 4, y + 4, "1e" + (int) e, "end", 10);
    }
    for (int k = 0; k <= 5; k++) {
      double xv = xMax * k / 5;
      double x = px.applyAsDouble(xv);
      line(sb, x, top, x, top + ph, "#eee", false);
      text(sb, x, top + ph + 14, String.valueOf(Math.round(xv)), "middle", 10);
    }
    text(sb, left + pw / 2.0, h - 10, esc(xLabel), "middle", 11);
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\""
                + " text-anchor=\"middle\">%s</text>\n",
            top + ph / 2,
            top + ph / 2,
            esc(yLabel)));
    if (reference > 0) {
      double y = py.applyAsDouble(reference);
      line(sb, left, y, left + pw, y, "#000", true);
      text(sb, left + pw - 4, y - 4, esc(referenceLabel), "end", 10);
    }
    for (int[] t : ticks) {
      double x = px.applyAsDouble(t[0]);
      line(sb, x, top + ph - 8, x, top + ph, "#d62728", false);
    }
    if (!ticks.isEmpty()) {
      text(sb, left + 4, top + ph - 10, "red ticks: clip events", "start", 10);
    }
    int ly = top + 4;
    for (Series s : series) {
      StringBuilder d = new StringBuilder();
      boolean pen = false;
      for (int i = 0; i < s.x.length; i++) {
        float v = s.y[i];
        if (!(v > 0) || !Float.isFinite(v)) {
          pen = false;
          continue;
        }
        double vy = Math.max(Math.min(v, Math.pow(10, hi)), Math.pow(10, lo));
        d.append(pen ? " L" : " M")
            .append(num(px.applyAsDouble(s.x[i])))
            .append(' ')
            .append(num(py.applyAsDouble(vy)));
        pen = true;
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.3\"%s/>\n",
              d.toString().trim(),
              s.color,
              s.dashed ? " stroke-dasharray=\"4 3\"" : ""));
      line(sb, left + pw + 10, ly + 4, left + pw + 30, ly + 4, s.color, s.dashed);
      text(sb, left + pw + 34, ly + 8, esc(s.name), "start", 10);
      ly += 14;
    }
    sb.append("</svg>\n");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, sb, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void line(
      StringBuilder sb, double x1, double y1, double x2, double y2, String c, boolean dashed) {
    sb.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"%s\"%s/>\n",
            num(x1),
            num(y1),
            num(x2),
            num(y2),
            c,
            dashed ? " stroke-dasharray=\"5 4\"" : ""));
  }

  private static void text(
      StringBuilder sb, double x, double y, String s, String anchor, int size) {
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%s\" y=\"%s\" text-anchor=\"%s\" font-size=\"%d\">%s</text>\n",
            num(x),
            num(y),
            anchor,
            size,
            s));
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
