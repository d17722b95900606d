package dev.bptt.bench.strategy;

import dev.bptt.bench.Preset;
import dev.bptt.bench.RunSpec;
import dev.bptt.bench.Section;
import dev.bptt.bench.Timing;
import dev.bptt.bench.report.AuxSums;
import dev.bptt.bench.report.Fmt;
import dev.bptt.bench.report.Measured;
import dev.bptt.bench.report.ResultIndex;
import dev.bptt.bench.report.SectionReport;
import dev.bptt.bench.report.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;

/**
 * BPTT strategies per sequence (H = 256, B = 1, D = 64, tanh, loss at every step): time and hidden
 * states held, each beside full BPTT at the same T measured in the same run.
 */
public final class StrategySection implements Section {
  private static final List<String> HEADER =
      List.of(
          "T",
          "strategy",
          "time",
          "time / full",
          "states held",
          "states / full",
          "workspace floats",
          "B/op");

  @Override
  public String name() {
    return "strategy";
  }

  @Override
  public String title() {
    return "BPTT strategies: full, checkpointed, truncated, streaming TBPTT, ARTBP";
  }

  @Override
  public int order() {
    return 25;
  }

  @Override
  public List<RunSpec> runs(Preset preset) {
    Timing t = preset == Preset.SMOKE ? preset.timing() : preset.timing().withWarmup(4, 500);
    String ckpt = Pattern.quote(CheckpointBenchmark.class.getName() + ".");
    String ckptApart = ckpt + "(full|checkpointed|forward)$";
    // One call of the rotated benchmark runs all three passes (~90 ms at T = 4096): iterations of a
    // second hold enough calls.
    Timing rotated = new Timing(3, t.warmupIterations(), Math.max(1000, t.warmupMillis()), 5, 1000);
    String ckptRotated = ckpt + "rotated$";
    String trunc = Pattern.quote(TruncationBenchmark.class.getName() + ".");
    String artbp = Pattern.quote(ArtbpBenchmark.class.getName() + ".");
    // Per-loss truncation advances up to τ chains per step: at T = 4096, τ = 64 a call takes ~1 s.
    Timing slow = t.withIterationMillis(Math.max(1000, t.measurementMillis()));
    return switch (preset) {
      case SMOKE ->
          List.of(
              new RunSpec(ckpt, Map.of("steps", RunSpec.values(256)), t),
              new RunSpec(
                  trunc, Map.of("steps", RunSpec.values(256), "tau", RunSpec.values(16)), t),
              new RunSpec(artbp, Map.of("steps", RunSpec.values(256)), t));
      case DEFAULT ->
          List.of(
              new RunSpec(ckptApart, Map.of("steps", RunSpec.values(256, 1024, 4096)), t),
              // The overhead target subtracts checkpointed − full and divides by a third time: from
              // medians of separate runs it moved by ±0.3 between whole-bench runs (1.57 / 0.99 /
              // 0.92× in one, 1.29 / 1.16 / 1.18× in the next), so from passes run side by side.
              new RunSpec(ckptRotated, Map.of("steps", RunSpec.values(256, 1024, 4096)), rotated),
              new RunSpec(
                  trunc, Map.of("steps", RunSpec.values(1024), "tau", RunSpec.values(64)), t),
              new RunSpec(artbp, Map.of("steps", RunSpec.values(1024)), t));
      case FULL ->
          List.of(
              new RunSpec(ckptApart, Map.of("steps", RunSpec.values(256, 1024, 4096)), t),
              new RunSpec(ckptRotated, Map.of("steps", RunSpec.values(256, 1024, 4096)), rotated),
              new RunSpec(
                  trunc,
                  Map.of("steps", RunSpec.values(256, 1024, 4096), "tau", RunSpec.values(16, 64)),
                  slow),
              new RunSpec(artbp, Map.of("steps", RunSpec.values(256, 1024, 4096)), t));
    };
  }

  @Override
  public SectionReport render(List<RunResult> results) {
    ResultIndex index = new ResultIndex(results);
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, String> p : index.paramSets(CheckpointBenchmark.class)) {
      int steps = Integer.parseInt(p.get("steps"));
      Optional<Measured> full = index.find(CheckpointBenchmark.class, "full", p).map(Measured::of);
      int fullStates = CheckpointBenchmark.storedStates("full", steps);
      long fullFloats =
          StrategyProblem.workspaceFloats(CheckpointBenchmark.strategy("full"), steps);
      rows.add(row(steps, "full", full, full, fullStates, fullStates, fullFloats));
      rows.add(
          row(
              steps,
              "checkpointed (s = ⌈√T⌉)",
              index.find(CheckpointBenchmark.class, "checkpointed", p).map(Measured::of),
              full,
              CheckpointBenchmark.storedStates("checkpointed", steps),
              fullStates,
              StrategyProblem.workspaceFloats(
                  CheckpointBenchmark.strategy("checkpointed"), steps)));
      for (Map<String, String> q : index.paramSets(TruncationBenchmark.class)) {
        if (!q.get("steps").equals(p.get("steps"))) {
          continue;
        }
        int tau = Integer.parseInt(q.get("tau"));
        for (String method : List.of("truncated", "streaming")) {
          String label =
              method.equals("truncated")
                  ? "truncated, τ = " + tau + " from each loss"
                  : "streaming TBPTT(k1 = k2 = " + tau + ")";
          rows.add(
              row(
                  steps,
                  label,
                  index.find(TruncationBenchmark.class, method, q).map(Measured::of),
                  full,
                  TruncationBenchmark.storedStates(method, tau, steps),
                  fullStates,
                  StrategyProblem.workspaceFloats(
                      TruncationBenchmark.strategy(method, tau), steps)));
        }
      }
      for (Map<String, String> q : index.paramSets(ArtbpBenchmark.class)) {
        if (!q.get("steps").equals(p.get("steps"))) {
          continue;
        }
        rows.add(
            row(
                steps,
                "ARTBP, poly tail L₀ = " + q.get("meanLength") + ", α = " + q.get("alpha"),
                index.find(ArtbpBenchmark.class, "randomized", q).map(Measured::of),
                full,
                ArtbpBenchmark.storedStates(steps),
                fullStates,
                StrategyProblem.workspaceFloats(
                    ArtbpBenchmark.strategy(
                        Double.parseDouble(q.get("meanLength")),
                        Double.parseDouble(q.get("alpha")),
                        1),
                    steps)));
      }
    }
    Table table = new Table(HEADER, rows, 2);
    String overhead = overheadTable(index);
    String md =
        "Forward + backward per sequence, H = "
            + StrategyProblem.H
            + ", D = "
            + StrategyProblem.D
            + ", B = 1, tanh, loss at every step. Median time over all measured iterations ± the"
            + " half-width of JMH's 99.9% confidence interval of the mean; `time / full` uses"
            + " medians from the same run. States held counts hidden states of H floats the"
            + " workspace keeps (full: T + 1); workspace floats counts every buffer; B/op is the GC"
            + " profiler's bytes allocated per call (its own per-iteration bookkeeping, a few KB,"
            + " spread over the calls; megabytes mean code that ran before C2 compiled it).\n"
            + "Targets: checkpointed ≤ 1.4× full time with ≤ 2√T + 1 states.\n\n"
            + table.toMarkdown()
            + overhead;
    return new SectionReport(md, table);
  }

  /**
   * Checkpointing's overhead against what it must redo: (checkpointed − full) over the forward time
   * of the recomputed steps (forward-only time × recomputed / T), all three from the same calls of
   * {@link CheckpointBenchmark#rotated} (from the separate benchmarks' medians where it did not
   * run); target ≤ 1.05 (the performance issue).
   */
  private static String overheadTable(ResultIndex index) {
    List<List<String>> rows = new ArrayList<>();
    boolean anyRotated = false;
    for (Map<String, String> p : index.paramSets(CheckpointBenchmark.class)) {
      int steps = Integer.parseInt(p.get("steps"));
      long recomputed =
          StrategyProblem.recomputedSteps(CheckpointBenchmark.strategy("checkpointed"), steps);
      Optional<RunResult> rot = index.find(CheckpointBenchmark.class, "rotated", p);
      double fullNs, ckptNs, fwdNs;
      String fullCell, ckptCell, fwdCell, perFork;
      if (rot.isPresent()) {
        anyRotated = true;
        Rotated r = Rotated.of(rot.get(), (double) recomputed / steps);
        fullNs = r.full / r.calls;
        ckptNs = r.checkpointed / r.calls;
        fwdNs = r.forward / r.calls;
        fullCell = Fmt.time(fullNs, Double.NaN);
        ckptCell = Fmt.time(ckptNs, Double.NaN);
        fwdCell = Fmt.time(fwdNs, Double.NaN);
        List<String> forks = new ArrayList<>();
        r.forkRatios.forEach(x -> forks.add(Fmt.ratio(x)));
        perFork = String.join(" / ", forks);
      } else {
        Optional<Measured> full =
            index.find(CheckpointBenchmark.class, "full", p).map(Measured::of);
        Optional<Measured> ckpt =
            index.find(CheckpointBenchmark.class, "checkpointed", p).map(Measured::of);
        Optional<Measured> fwd =
            index.find(CheckpointBenchmark.class, "forward", p).map(Measured::of);
        if (full.isEmpty() || ckpt.isEmpty() || fwd.isEmpty()) {
          continue;
        }
        fullNs = full.get().medianNs();
        ckptNs = ckpt.get().medianNs();
        fwdNs = fwd.get().medianNs();
        fullCell = Fmt.time(fullNs, full.get().errorNs());
        ckptCell = Fmt.time(ckptNs, ckpt.get().errorNs());
        fwdCell = Fmt.time(fwdNs, fwd.get().errorNs());
        perFork = "–";
      }
      double extra = ckptNs - fullNs;
      double redo = fwdNs * recomputed / steps;
      double ratio = extra / redo;
      rows.add(
          List.of(
              Integer.toString(steps),
              fullCell,
              ckptCell,
              fwdCell,
              Long.toString(recomputed),
              Fmt.time(extra, Double.NaN),
              Fmt.time(redo, Double.NaN),
              Fmt.ratio(ratio),
              perFork,
              ratio <= 1.05 ? "✓" : "✗"));
    }
    if (rows.isEmpty()) {
      return "";
    }
    return "\n**Checkpointing's overhead against the work it redoes** (same run): the forward"
        + " pass alone over T steps, the steps the checkpointed run recomputes, and (checkpointed −"
        + " full) / (forward × recomputed / T); target ≤ 1.05×."
        + (anyRotated
            ? " The three times are means over the calls of `CheckpointBenchmark.rotated`, which"
                + " runs one pass of each per call, their order rotating (side by side, so the"
                + " VM's drift moves all three alike); `per fork` is the ratio of each fork's"
                + " sums."
            : " The three times are medians of separate runs.")
        + "\n\n"
        + new Table(
                List.of(
                    "T",
                    "full",
                    "checkpointed",
                    "forward only",
                    "recomputed steps",
                    "checkpointed − full",
                    "forward of those steps",
                    "overhead ratio",
                    "per fork",
                    "≤ 1.05×"),
                rows,
                1)
            .toMarkdown();
  }

  /**
   * The aux counters of {@link CheckpointBenchmark#rotated}, summed over all iterations: the three
   * sides' wall times and the calls, and per fork the overhead ratio of its own sums.
   */
  private record Rotated(
      double full, double checkpointed, double forward, long calls, List<Double> forkRatios) {
    static Rotated of(RunResult r, double recomputedShare) {
      AuxSums s = AuxSums.of(r, "fullNs", "checkpointedNs", "forwardNs", "calls");
      double[] t = s.total();
      List<Double> forks =
          s.forks().stream().map(f -> (f[1] - f[0]) / (f[2] * recomputedShare)).toList();
      return new Rotated(t[0], t[1], t[2], (long) t[3], forks);
    }
  }

  private static List<String> row(
      int steps,
      String label,
      Optional<Measured> m,
      Optional<Measured> full,
      int states,
      int fullStates,
      long floats) {
    return List.of(
        Integer.toString(steps),
        label,
        m.map(x -> Fmt.time(x.medianNs(), x.errorNs())).orElse("–"),
        m.isPresent() && full.isPresent()
            ? Fmt.ratio(m.get().medianNs() / full.get().medianNs())
            : "–",
        Integer.toString(states),
        Fmt.ratio((double) states / fullStates),
        Long.toString(floats),
        m.flatMap(Measured::allocText).orElse("–"));
  }
}
