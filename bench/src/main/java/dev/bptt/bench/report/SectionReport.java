package dev.bptt.bench.report;

import java.util.Map;

/**
 * What a section renders from its results.
 *
 * @param markdown the section body (tables and notes), without the run header the suite adds
 * @param csv one row per measured benchmark/parameter combination
 * @param files more files to write beside the section's (file name → content, e.g. SVG plots the
 *     markdown links to)
 */
public record SectionReport(String markdown, Table csv, Map<String, String> files) {
  public SectionReport {
    files = Map.copyOf(files);
  }

  /** A report without extra files. */
  public SectionReport(String markdown, Table csv) {
    this(markdown, csv, Map.of());
  }
}
