package dev.bptt.bench.report;

import dev.bptt.bench.growth.Svg;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.RunResult;

/**
 * Renders one benchmark class whose {@code @Benchmark} methods are competing implementations of the
 * same operation: one row per parameter combination with each implementation's time, the ratio
 * time(other)/time(baseline) (above 1 means the baseline is faster), the baseline's throughput and,
 * when the GC profiler ran, bytes allocated per operation.
 *
 * @param heading markdown heading text of the table
 * @param benchmark the benchmark class
 * @param impls method name → column label; the first entry is the baseline
 * @param work work per operation, for the throughput column
 * @param note a line printed under the table (empty for none)
 */
public record PeerTable(
    String heading,
    Class<?> benchmark,
    List<Map.Entry<String, String>> impls,
    Work work,
    String note) {
  /** Columns of the long-format CSV rows that {@link #render} produces. */
  public static final List<String> CSV_HEADER =
      List.of(
          "table",
          "benchmark",
          "impl",
          "params",
          "score_ns",
          "error_ns",
          "median_ns",
          "samples",
          "throughput",
          "throughput_unit",
          "time_vs_baseline",
          "alloc_bytes_per_op");

  /** Markdown of the table, its CSV rows and its plot (null when the table has none). */
  public record Rendered(String markdown, Table csv, String svg) {}

  public PeerTable {
    impls = List.copyOf(impls);
    if (impls.isEmpty()) {
      throw new IllegalArgumentException(heading + ": no implementations");
    }
  }

  /** Renders the rows found in {@code index}; a table whose class did not run renders as empty. */
  public Rendered render(ResultIndex index, boolean withAlloc) {
    String baseline = impls.getFirst().getKey();
    String baseLabel = impls.getFirst().getValue();
    // Parameter sets where none of this table's methods ran (another benchmark method of the class
    // did) would be rows of dashes.
    List<Map<String, String>> paramSets =
        index.paramSets(benchmark).stream()
            .filter(p -> impls.stream().anyMatch(e -> measured(index, e.getKey(), p).isPresent()))
            .toList();
    if (paramSets.isEmpty()) {
      return new Rendered("", Table.empty(CSV_HEADER, CSV_HEADER.size()), null);
    }
    List<String> paramNames = List.copyOf(paramSets.getFirst().keySet());

    List<String> header = new ArrayList<>(paramNames);
    impls.forEach(e -> header.add(e.getValue()));
    impls.stream().skip(1).forEach(e -> header.add(e.getValue() + "/" + baseLabel));
    header.add(baseLabel + " " + work.unit());
    if (withAlloc) {
      header.add(
          "B/op ("
              + impls.stream().map(Map.Entry::getValue).collect(Collectors.joining(", "))
              + ")");
    }

    List<List<String>> mdRows = new ArrayList<>();
    List<List<String>> csvRows = new ArrayList<>();
    for (Map<String, String> params : paramSets) {
      List<String> row = new ArrayList<>(params.values());
      Optional<Measured> base = measured(index, baseline, params);
      List<String> ratios = new ArrayList<>();
      List<String> allocs = new ArrayList<>();
      for (var impl : impls) {
        Optional<Measured> m = measured(index, impl.getKey(), params);
        row.add(m.map(x -> Fmt.time(x.medianNs(), x.errorNs())).orElse("–"));
        // medians: robust to the odd slow fork on a shared 2-core machine
        Optional<Double> ratio = m.flatMap(x -> base.map(b -> x.medianNs() / b.medianNs()));
        if (!impl.getKey().equals(baseline)) {
          ratios.add(ratio.map(Fmt::ratio).orElse("–"));
        }
        // whole bytes: a fraction of a byte per call is JMH's own per-iteration allocation, spread
        // out
        allocs.add(
            m.filter(x -> x.allocBytes().isPresent())
                .map(x -> String.format(Locale.ROOT, "%.0f", x.allocBytes().getAsDouble()))
                .orElse("–"));
        m.ifPresent(
            x ->
                csvRows.add(
                    List.of(
                        heading,
                        benchmark.getSimpleName(),
                        impl.getKey(),
                        describe(params),
                        Double.toString(x.ns()),
                        Double.toString(x.errorNs()),
                        Double.toString(x.medianNs()),
                        Long.toString(x.samples()),
                        Fmt.sig3(work.throughput(params, x.medianNs())),
                        work.unit(),
                        ratio.map(Fmt::sig3).orElse(""),
                        x.allocCsv())));
      }
      row.addAll(ratios);
      row.add(base.map(b -> Fmt.sig3(work.throughput(params, b.medianNs()))).orElse("–"));
      if (withAlloc) {
        row.add(String.join(" / ", allocs));
      }
      mdRows.add(row);
    }
    String md =
        "### "
            + heading
            + "\n\n"
            + new Table(header, mdRows, paramNames.size()).toMarkdown()
            + (note.isEmpty() ? "" : "\n" + note + "\n");
    String svg;
    try {
      svg = plot(index, paramNames, paramSets);
    } catch (RuntimeException e) { // a plot must never cost the table
      System.err.println("# Suite: no plot for " + heading + ": " + e);
      svg = null;
    }
    return new Rendered(md, new Table(CSV_HEADER, csvRows, CSV_HEADER.size()), svg);
  }

  /**
   * Throughput against size for every implementation (log₂ x, log y), when the table has one
   * numeric parameter with two or more values; else null.
   */
  private String plot(
      ResultIndex index, List<String> paramNames, List<Map<String, String>> paramSets) {
    if (paramNames.size() != 1 || paramSets.size() < 2) {
      return null;
    }
    String p = paramNames.getFirst();
    double[] x = new double[paramSets.size()];
    for (int i = 0; i < x.length; i++) {
      try {
        x[i] = Double.parseDouble(paramSets.get(i).get(p));
      } catch (NumberFormatException e) {
        return null;
      }
      if (!(x[i] > 0)) {
        return null;
      }
    }
    Svg.LogChart chart = new Svg.LogChart(heading, p, work.unit() + " (higher is better)").logX();
    int k = 0;
    for (var impl : impls) {
      double[] y = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        Map<String, String> params = paramSets.get(i);
        y[i] =
            measured(index, impl.getKey(), params)
                .map(m -> work.throughput(params, m.medianNs()))
                .orElse(Double.NaN);
      }
      chart.line(impl.getValue(), x, y, Svg.PALETTE[k++ % Svg.PALETTE.length], false);
    }
    return chart.render().toString();
  }

  private Optional<Measured> measured(
      ResultIndex index, String method, Map<String, String> params) {
    return index.find(benchmark, method, params).map(Measured::of);
  }

  private static String describe(Map<String, String> params) {
    return params.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(" "));
  }

  /**
   * A section body made of an intro paragraph and these tables, rendered in order, with their CSV
   * rows.
   */
  public static SectionReport renderAll(
      String intro, List<PeerTable> tables, List<RunResult> results) {
    return renderAll(null, intro, tables, results);
  }

  /**
   * {@link #renderAll(String, List, List)} with a plot beside each table that has one: {@code
   * <section>-<benchmark class, lower case>.svg}, linked under the table.
   */
  public static SectionReport renderAll(
      String section, String intro, List<PeerTable> tables, List<RunResult> results) {
    ResultIndex index = new ResultIndex(results);
    boolean alloc = hasAlloc(results);
    StringBuilder md = new StringBuilder(intro).append("\n\n");
    Table csv = Table.empty(CSV_HEADER, CSV_HEADER.size());
    Map<String, String> files = new java.util.LinkedHashMap<>();
    for (PeerTable table : tables) {
      Rendered r = table.render(index, alloc);
      if (!r.markdown().isEmpty()) {
        md.append(r.markdown()).append('\n');
      }
      if (section != null && r.svg() != null) {
        String file =
            section
                + "-"
                + table
                    .benchmark()
                    .getSimpleName()
                    .toLowerCase(Locale.ROOT)
                    .replace("benchmark", "")
                + ".svg";
        files.put(file, r.svg());
        md.append("![").append(table.heading()).append("](").append(file).append(")\n\n");
      }
      csv = csv.append(r.csv());
    }
    return new SectionReport(md.toString(), csv, files);
  }

  /** Whether any of the results carries the GC profiler's allocation figure. */
  public static boolean hasAlloc(List<RunResult> results) {
    return results.stream()
        .anyMatch(
            r ->
                r.getSecondaryResults().keySet().stream()
                    .anyMatch(k -> k.endsWith(Measured.ALLOC_NORM)));
  }
}
