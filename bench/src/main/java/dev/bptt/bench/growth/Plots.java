package dev.bptt.bench.growth;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Line charts with a logarithmic y axis, drawn with XChart and saved as PNG: one series per curve,
 * measured curves solid, theory curves dashed in the same colour. Points that a log axis cannot
 * show (≤ 0, NaN, ±∞) and points outside an optional y window are dropped.
 *
 * <p>The y axis is logarithmic either way; how it is drawn depends on the span of the data. Up to
 * 14 decades it is XChart's log axis (a label per decade). Beyond that, XChart would label every
 * decade (unreadable for the 60 decades of a growth plot), so the chart plots log₁₀(y) on a linear
 * axis whose ticks are labelled 1e&lt;n&gt;, at "nice" integer steps.
 */
public final class Plots {
  /** Colours for up to ten curves, distinguishable and printable (Tableau 10). */
  public static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd),
    new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22),
        new Color(0x17becf)
  };

  /** Spans (in decades) above this are drawn as log₁₀ on a linear axis. */
  static final double MAX_NATIVE_DECADES = 14;

  private static final BasicStroke SOLID = new BasicStroke(1.8f);
  private static final BasicStroke DASHED =
      new BasicStroke(
          1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {7f, 5f}, 0f);

  private record Series(
      String name, double[] x, double[] y, Color color, boolean dashed, boolean inLegend) {}

  private final String title, xLabel, yLabel;
  private final List<Series> series = new ArrayList<>();
  private double yMin = 0, yMax = Double.POSITIVE_INFINITY;

  private Plots(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  /** A 1000×640 chart with a log y axis and the legend outside on the right. */
  public static Plots logY(String title, String xLabel, String yLabel) {
    return new Plots(title, xLabel, yLabel);
  }

  /** Drops points outside [lo, hi] (inclusive) from series added after this call. */
  public Plots yWindow(double lo, double hi) {
    this.yMin = lo;
    this.yMax = hi;
    return this;
  }

  /**
   * Adds a curve. Names must be unique within the chart; {@code inLegend = false} hides it from the
   * legend (theory curves, whose meaning one legend entry explains).
   *
   * @return this (unchanged if no point survives the filters)
   */
  public Plots line(
      String name, double[] x, double[] y, Color color, boolean dashed, boolean inLegend) {
    double[][] kept = keep(x, y);
    if (kept[0].length > 0) {
      series.add(new Series(name, kept[0], kept[1], color, dashed, inLegend));
    }
    return this;
  }

  /**
   * A legend entry that explains a line style (e.g. "dashed: theory"), drawn as one invisible
   * point.
   */
  public Plots legendEntry(String name, double x, double y, Color color, boolean dashed) {
    return line(name, new double[] {x}, new double[] {y}, color, dashed, true);
  }

  /**
   * Every {@code stride}-th point of (x, y) and the last one. For theory curves that are straight
   * on the log axis: fewer, longer segments let the dash pattern show (XChart restarts it on every
   * segment, so a dense dashed curve looks solid).
   */
  public static double[][] every(double[] x, double[] y, int stride) {
    int n = (x.length + stride - 1) / stride + 1;
    double[] sx = new double[n], sy = new double[n];
    int m = 0;
    for (int i = 0; i < x.length; i += stride) {
      sx[m] = x[i];
      sy[m++] = y[i];
    }
    if ((x.length - 1) % stride != 0) {
      sx[m] = x[x.length - 1];
      sy[m++] = y[x.length - 1];
    }
    return new double[][] {Arrays.copyOf(sx, m), Arrays.copyOf(sy, m)};
  }

  private double[][] keep(double[] x, double[] y) {
    double[] kx = new double[x.length], ky = new double[y.length];
    int n = 0;
    for (int i = 0; i < x.length; i++) {
      if (y[i] > 0
          && y[i] >= yMin
          && y[i] <= yMax
          && Double.isFinite(y[i])
          && Double.isFinite(x[i])) {
        kx[n] = x[i];
        ky[n] = y[i];
        n++;
      }
    }
    return new double[][] {Arrays.copyOf(kx, n), Arrays.copyOf(ky, n)};
  }

  /**
   * Builds the chart and writes it as a PNG (the file name should end in .png), making parent
   * folders.
   */
  public void savePng(Path file) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      BitmapEncoder.saveBitmap(build(), file.toString(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  XYChart build() {
    double lo = Double.POSITIVE_INFINITY, hi = 0, xLo = Double.POSITIVE_INFINITY;
    for (Series s : series) {
      for (double v : s.y()) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      for (double v : s.x()) {
        xLo = Math.min(xLo, v);
      }
    }
    boolean native10 = series.isEmpty() || Math.log10(hi) - Math.log10(lo) <= MAX_NATIVE_DECADES;
    XYChart c =
        new XYChartBuilder()
            .width(1000)
            .height(640)
            .title(title)
            .xAxisTitle(xLabel)
            .yAxisTitle(native10 ? yLabel : yLabel + " (log scale)")
            .build();
    XYStyler s = c.getStyler();
    s.setLegendPosition(Styler.LegendPosition.OutsideE);
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setPlotGridLinesColor(new Color(0xdddddd));
    s.setLegendBorderColor(Color.LIGHT_GRAY);
    s.setMarkerSize(0);
    s.setXAxisDecimalPattern("0");
    if (native10) {
      s.setYAxisLogarithmic(true);
      s.setYAxisLogarithmicDecadeOnly(true);
      s.setYAxisDecimalPattern("0.#E0");
    } else {
      // Whole decades at both ends so the linear axis's "nice" ticks are integers.
      double step = Math.log10(hi) - Math.log10(lo) > 40 ? 10 : 5;
      s.setYAxisMin(step * Math.floor(Math.log10(lo) / step));
      s.setYAxisMax(step * Math.ceil(Math.log10(hi) / step));
      s.setYAxisDecimalPattern("'1e'0;'1e-'0");
    }
    for (Series d : series) {
      double[] y = native10 ? d.y() : Arrays.stream(d.y()).map(Math::log10).toArray();
      XYSeries xs = c.addSeries(d.name(), d.x(), y);
      xs.setMarker(SeriesMarkers.NONE);
      xs.setLineColor(d.color());
      xs.setLineStyle(d.dashed() ? DASHED : SOLID);
      xs.setShowInLegend(d.inLegend());
    }
    if (!series.isEmpty()) {
      // XChart labels an x axis whose values are all equally spaced with every N-th value (odd
      // steps such as 0, 41, 82); one hidden off-grid point makes it use round numbers instead.
      double y0 = native10 ? lo : Math.log10(lo);
      XYSeries pad = c.addSeries(" ", new double[] {xLo + 0.5}, new double[] {y0});
      pad.setMarker(SeriesMarkers.NONE);
      pad.setShowInLegend(false);
    }
    return c;
  }
}
