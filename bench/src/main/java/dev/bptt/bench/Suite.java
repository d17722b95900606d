package dev.bptt.bench;

import dev.bptt.bench.report.Environment;
import dev.bptt.bench.report.ReportWriter;
import dev.bptt.bench.report.ResultIndex;
import dev.bptt.bench.report.RunHeader;
import dev.bptt.bench.report.SectionReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every {@link Section} (found with {@link ServiceLoader}) through the JMH Runner API with
 * fail-on-error, writes each section's JMH JSON, markdown and CSV, then rebuilds README.md. See
 * {@link SuiteArgs#USAGE} for the options. Exit status: 0 done, 1 a benchmark or the report failed,
 * 2 bad arguments or nothing matched {@code --include}.
 */
public final class Suite {
  /**
   * JVM start, JMH set-up and the setup checks of one fork, as measured on the 2-core development
   * machine (≈ 0.6 s); only used for the time estimate printed before each run.
   */
  static final long FORK_START_MILLIS = 600;

  private Suite() {}

  public static void main(String[] args) {
    int rc;
    try {
      rc = run(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.print(SuiteArgs.USAGE);
      rc = 2;
    } catch (Exception e) {
      System.err.println("error: benchmark suite failed: " + e);
      e.printStackTrace();
      rc = 1;
    }
    System.exit(rc);
  }

  static int run(String[] args) throws Exception {
    SuiteArgs a = SuiteArgs.parse(args);
    if (a.help()) {
      System.out.print(SuiteArgs.USAGE);
      return 0;
    }
    List<Section> sections = sections();
    if (a.indexOnly()) {
      System.out.println(
          "# Suite: wrote "
              + ReportWriter.writeIndex(
                  a.out(),
                  sections.stream()
                      .map(s -> new ReportWriter.Entry(s.name(), s.title()))
                      .toList()));
      return 0;
    }
    Environment env = Environment.probe(args);
    System.out.println(
        "# Suite: preset "
            + a.preset().label()
            + ", out "
            + a.out().toAbsolutePath()
            + ", kernels "
            + env.forkValue("blas.implementation")
            + ", netlib "
            + env.forkValue("netlib.java")
            + ", native BLAS "
            + env.forkValue("netlib.native")
            + " (OPENBLAS_NUM_THREADS="
            + env.forkValue("openblas.threads")
            + ")");
    if (!"none".equals(env.forkValue("netlib.native"))
        && !"1".equals(env.forkValue("openblas.threads"))) {
      System.out.println(
          "# Suite: WARNING: the native BLAS is not pinned to one thread (set"
              + " OPENBLAS_NUM_THREADS=1, as the bench profile does): its column is not a"
              + " single-thread peer");
    }

    int ran = 0;
    for (Section s : sections) {
      ran += runSection(s, a, env) ? 1 : 0;
    }
    if (ran == 0) {
      throw new IllegalArgumentException(
          "--include '" + a.include().orElse("") + "' matches no benchmark of any section");
    }
    if (!a.dryRun()) {
      Path readme =
          ReportWriter.writeIndex(
              a.out(),
              sections.stream().map(s -> new ReportWriter.Entry(s.name(), s.title())).toList());
      System.out.println("# Suite: wrote " + readme);
    }
    return 0;
  }

  /**
   * Runs the section's JMH runs that match {@code --include} and writes its files.
   *
   * @return false when nothing of the section matched
   */
  private static boolean runSection(Section s, SuiteArgs a, Environment env) throws Exception {
    List<RunResult> results = new ArrayList<>();
    List<String> runLines = new ArrayList<>();
    for (RunSpec spec : s.runs(a.preset())) {
      // JMH ORs its include patterns; two lookaheads AND the user's pattern with the section's
      String include =
          a.include()
              .map(u -> "^(?=.*(?:" + u + "))(?=.*(?:" + spec.include() + "))")
              .orElse(spec.include());
      SortedSet<BenchmarkListEntry> matched =
          BenchmarkList.defaultList()
              .find(
                  OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT),
                  List.of(include),
                  List.of());
      if (matched.isEmpty()) {
        continue;
      }
      String classes = String.join(", ", simpleClassNames(matched));
      System.out.printf(
          Locale.ROOT,
          "# Suite: section %s: %s (%s), %s: %d forks, about %.1f min%n",
          s.name(),
          classes,
          spec.describeParams(),
          spec.timing().describe(),
          forks(matched, spec),
          minutes(matched, spec));
      if (!a.dryRun()) {
        results.addAll(new Runner(options(include, spec, a.profGc()).build()).run());
      }
      runLines.add(classes + "; " + spec.describeParams() + "; " + spec.timing().describe());
    }
    if (runLines.isEmpty()) {
      System.out.println("# Suite: section " + s.name() + ": nothing matches --include, skipped");
      return false;
    }
    if (!a.dryRun()) {
      // a section that runs rounds of forks gets one result per benchmark and parameters
      List<RunResult> merged = ResultIndex.merge(results);
      SectionReport report = s.render(merged);
      ReportWriter.writeSection(
          a.out(),
          new ReportWriter.Entry(s.name(), s.title()),
          RunHeader.markdown(env, a.preset(), runLines, a.profGc()),
          report,
          merged);
      System.out.println(
          "# Suite: wrote "
              + a.out().resolve(s.name() + ".md")
              + ", .csv and jmh-"
              + s.name()
              + ".json");
    }
    return true;
  }

  /** The registered sections, by {@link Section#order()} then name. */
  static List<Section> sections() {
    List<Section> list = new ArrayList<>();
    ServiceLoader.load(Section.class).forEach(list::add);
    if (list.isEmpty()) {
      throw new IllegalStateException(
          "no " + Section.class.getName() + " registered in META-INF/services");
    }
    list.sort(Comparator.comparingInt(Section::order).thenComparing(Section::name));
    return list;
  }

  private static ChainedOptionsBuilder options(String include, RunSpec spec, boolean profGc) {
    Timing t = spec.timing();
    ChainedOptionsBuilder o =
        new OptionsBuilder()
            .include(include)
            .shouldFailOnError(true)
            .forks(t.forks())
            .warmupIterations(t.warmupIterations())
            .warmupTime(TimeValue.milliseconds(t.warmupMillis()))
            .measurementIterations(t.measurementIterations())
            .measurementTime(TimeValue.milliseconds(t.measurementMillis()))
            .timeUnit(TimeUnit.NANOSECONDS);
    spec.params().forEach((k, v) -> o.param(k, v.toArray(String[]::new)));
    if (profGc) {
      o.addProfiler(GCProfiler.class);
    }
    return o;
  }

  /** Forks the run will start: one set per benchmark method and parameter combination. */
  private static long forks(SortedSet<BenchmarkListEntry> matched, RunSpec spec) {
    long combos = 0;
    for (BenchmarkListEntry e : matched) {
      long c = 1;
      Map<String, String[]> declared = e.getParams().orElse(Map.of());
      for (Map.Entry<String, String[]> p : declared.entrySet()) {
        List<String> override = spec.params().get(p.getKey());
        c *= override != null ? override.size() : p.getValue().length;
      }
      combos += c;
    }
    return combos * spec.timing().forks();
  }

  /**
   * Estimated wall time: iterations plus about {@link #FORK_START_MILLIS} of JVM start-up per fork.
   */
  private static double minutes(SortedSet<BenchmarkListEntry> matched, RunSpec spec) {
    long forks = forks(matched, spec);
    long perFork = spec.timing().millisPerCombination() / spec.timing().forks() + FORK_START_MILLIS;
    return forks * perFork / 60_000.0;
  }

  private static List<String> simpleClassNames(SortedSet<BenchmarkListEntry> entries) {
    TreeSet<String> names = new TreeSet<>();
    for (BenchmarkListEntry e : entries) {
      String q = e.getUserClassQName();
      names.add(q.substring(q.lastIndexOf('.') + 1));
    }
    return List.copyOf(names);
  }
}
