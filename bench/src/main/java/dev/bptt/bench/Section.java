package dev.bptt.bench;

import dev.bptt.bench.report.SectionReport;
import java.util.List;
import org.openjdk.jmh.results.RunResult;

/**
 * One part of the benchmark report: which JMH runs it needs and how their results become a markdown
 * table and a CSV. The {@link Suite} finds sections with {@link java.util.ServiceLoader}: adding a
 * section is one class implementing this interface plus its name on a line of {@code
 * META-INF/services/dev.bptt.bench.Section}; the suite itself does not change.
 *
 * <p>For a section named {@code x} the suite writes {@code jmh-x.json} (JMH's own JSON), {@code
 * x.md} (run header + {@link SectionReport#markdown()}), {@code x.csv} and then rebuilds {@code
 * README.md} from every section's markdown file present in the output folder.
 */
public interface Section {
  /** File stem, lower case without spaces: {@code blas} gives {@code jmh-blas.json} etc. */
  String name();

  /** Heading of the section in the report. */
  String title();

  /** Position in the README, lower first; ties are ordered by {@link #name()}. */
  default int order() {
    return 100;
  }

  /** The JMH runs for this preset, in order. */
  List<RunSpec> runs(Preset preset);

  /**
   * Renders the results of {@link #runs} (possibly a subset, when the user narrowed the suite with
   * {@code --include}; missing combinations render as "–").
   */
  SectionReport render(List<RunResult> results);
}
