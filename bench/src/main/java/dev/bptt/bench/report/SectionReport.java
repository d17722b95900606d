package dev.bptt.bench.report;

/**
 * What a section renders from its results.
 *
 * @param markdown the section body (tables and notes), without the run header the suite adds
 * @param csv one row per measured benchmark/parameter combination
 */
public record SectionReport(String markdown, Table csv) {}
