package dev.bptt.bench;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Command line of {@link Suite}. A later occurrence of an option replaces an earlier one, so
 * Maven's {@code -Dsuite.args='--out /tmp/x'} overrides the profile's {@code --out}.
 *
 * @param preset {@code --preset smoke|default|full} (default {@code default})
 * @param out {@code --out DIR} (default {@code results})
 * @param include {@code --include REGEX}: run only benchmarks whose {@code package.Class.method}
 *     also matches (find semantics, as JMH)
 * @param profGc {@code --prof-gc}: add JMH's GC profiler, report bytes allocated per call
 * @param dryRun {@code --dry-run}: print the runs, fork counts and time estimates, run nothing
 * @param help {@code --help}
 * @param indexOnly {@code --index-only}: rebuild README.md from the section files in --out, run
 *     nothing
 */
public record SuiteArgs(
    Preset preset,
    Path out,
    Optional<String> include,
    boolean profGc,
    boolean dryRun,
    boolean help,
    boolean indexOnly) {
  static final String USAGE =
      """
      usage: Suite [--preset smoke|default|full] [--out DIR] [--include REGEX] [--prof-gc] [--dry-run] [--index-only] [--help]
        --preset   smoke: 1 fork, 100 ms iterations, one size (proves it runs; numbers mean nothing)
                   default: 2 forks, 2×300 ms warm-up + 3×300 ms (the published table)
                   full: 3 forks, 3×500 ms + 5×500 ms, more sizes (a quiet machine, long)
        --out      output folder (default results): jmh-<section>.json, <section>.md/.csv, README.md
        --include  only benchmarks whose name (package.Class.method) matches REGEX as well
        --prof-gc  add the GC profiler; tables get a bytes-allocated-per-call column
        --dry-run  print the JMH runs with fork counts and time estimates, run nothing
      """;

  /**
   * Parses the arguments; throws {@link IllegalArgumentException} with the problem on bad input.
   */
  public static SuiteArgs parse(String[] args) {
    Preset preset = Preset.DEFAULT;
    Path out = Path.of("results");
    Optional<String> include = Optional.empty();
    boolean profGc = false;
    boolean dryRun = false;
    boolean help = false;
    boolean indexOnly = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--preset" -> preset = Preset.parse(value(args, i++));
        case "--out" -> out = Path.of(value(args, i++));
        case "--include" -> {
          String regex = value(args, i++);
          try {
            Pattern.compile(regex);
          } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                "--include is not a valid regular expression: " + e.getMessage());
          }
          include = Optional.of(regex);
        }
        case "--prof-gc" -> profGc = true;
        case "--dry-run" -> dryRun = true;
        case "--help", "-h" -> help = true;
        case "--index-only" -> indexOnly = true;
        case "" -> {} // an empty ${suite.args} may arrive as one empty argument
        default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
      }
    }
    return new SuiteArgs(preset, out, include, profGc, dryRun, help, indexOnly);
  }

  private static String value(String[] args, int i) {
    if (i + 1 >= args.length) {
      throw new IllegalArgumentException(args[i] + " needs a value");
    }
    return args[i + 1];
  }
}
