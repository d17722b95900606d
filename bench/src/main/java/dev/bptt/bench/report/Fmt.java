package dev.bptt.bench.report;

import java.util.Locale;

/** Number formatting for the report: three significant digits, unit chosen by magnitude. */
public final class Fmt {
  private Fmt() {}

  /**
   * Three significant digits, plain notation, e.g. {@code 0.0123}, {@code 4.56}, {@code 789},
   * {@code 12300}.
   */
  public static String sig3(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return String.valueOf(v);
    }
    if (v == 0) {
      return "0";
    }
    double a = Math.abs(v);
    int decimals = Math.max(0, 2 - (int) Math.floor(Math.log10(a)));
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  /**
   * A time given in nanoseconds, with its error when finite: {@code "812 ± 9 ns"}, {@code "12.3 ±
   * 0.4 µs"}, {@code "1.02 ms"} (JMH gives no error for a single iteration).
   */
  public static String time(double ns, double errorNs) {
    String unit;
    double scale;
    double a = Math.abs(ns);
    if (a < 1e3) {
      unit = "ns";
      scale = 1;
    } else if (a < 1e6) {
      unit = "µs";
      scale = 1e3;
    } else if (a < 1e9) {
      unit = "ms";
      scale = 1e6;
    } else {
      unit = "s";
      scale = 1e9;
    }
    String s = sig3(ns / scale);
    if (Double.isFinite(errorNs)) {
      s += " ± " + sig3(errorNs / scale);
    }
    return s + " " + unit;
  }

  /** A speed ratio, e.g. {@code "3.42×"}. */
  public static String ratio(double r) {
    return sig3(r) + "×";
  }

  /** A fraction as a percentage with three significant digits, e.g. {@code "4.56 %"}. */
  public static String percent(double fraction) {
    return sig3(100 * fraction) + " %";
  }
}
