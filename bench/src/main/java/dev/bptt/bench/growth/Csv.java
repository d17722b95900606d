package dev.bptt.bench.growth;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A small CSV writer: one header line, then rows of numbers (10 significant digits, so files stay
 * readable and diffable) and strings (quoted when they hold a comma, quote or newline).
 */
public final class Csv implements AutoCloseable {
  private final BufferedWriter out;
  private final int columns;

  private Csv(BufferedWriter out, int columns) {
    this.out = out;
    this.columns = columns;
  }

  /** Creates (or replaces) {@code file}, making parent folders, and writes the header. */
  public static Csv open(Path file, String... header) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Csv csv = new Csv(Files.newBufferedWriter(file, StandardCharsets.UTF_8), header.length);
      csv.row((Object[]) header);
      return csv;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Writes one row; it must have as many values as the header. */
  public void row(Object... values) {
    if (values.length != columns) {
      throw new IllegalArgumentException(
          "row has " + values.length + " values, header has " + columns);
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(format(values[i]));
    }
    try {
      out.write(sb.toString());
      out.newLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String format(Object v) {
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (!Double.isFinite(d)) {
        return Double.toString(d);
      }
      return d == Math.rint(d) && Math.abs(d) < 1e15
          ? Long.toString((long) d)
          : stripZeros(String.format(Locale.ROOT, "%.10g", d).trim());
    }
    String s = String.valueOf(v);
    if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
      return '"' + s.replace("\"", "\"\"") + '"';
    }
    return s;
  }

  /** "0.5000000000" → "0.5", "1.200000000e-05" → "1.2e-05". */
  static String stripZeros(String s) {
    int e = s.indexOf('e');
    String mant = e < 0 ? s : s.substring(0, e), exp = e < 0 ? "" : s.substring(e);
    if (mant.contains(".")) {
      mant = mant.replaceAll("0+$", "");
      if (mant.endsWith(".")) {
        mant = mant.substring(0, mant.length() - 1);
      }
    }
    return mant + exp;
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
