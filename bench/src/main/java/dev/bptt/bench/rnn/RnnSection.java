package dev.bptt.bench.rnn;

import dev.bptt.bench.Preset;
import dev.bptt.bench.RunSpec;
import dev.bptt.bench.Section;
import dev.bptt.bench.Timing;
import dev.bptt.bench.report.Fmt;
import dev.bptt.bench.report.Measured;
import dev.bptt.bench.report.PeerTable;
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
 * Elman RNN (tanh, T = 256, D = 64) per sequence: forward and forward+backward with our kernels,
 * beside the 2·T-gemv floor and the hand-written per-element baseline measured in the same run, and
 * the share of the forward time spent copying the inputs into the workspace.
 */
public final class RnnSection implements Section {
  private static final List<String> HEADER =
      List.of(
          "H",
          "B",
          "forward",
          "fwd+bwd",
          "steps/s (fwd+bwd)",
          "GFLOP/s (fwd+bwd)",
          "2T-gemv floor",
          "fwd+bwd / floor",
          "naive fwd+bwd",
          "naive / ours",
          "B/op (fwd+bwd)");
  private static final List<String> COPY_HEADER =
      List.of("H", "B", "input floats (T·B·D)", "forward", "input copy", "copy / forward");

  @Override
  public String name() {
    return "rnn";
  }

  @Override
  public String title() {
    return "Elman RNN: fused forward and BPTT backward per sequence";
  }

  @Override
  public int order() {
    return 20;
  }

  @Override
  public List<RunSpec> runs(Preset preset) {
    Timing t = preset == Preset.SMOKE ? preset.timing() : preset.timing().withWarmup(4, 500);
    String ours = Pattern.quote(RnnBenchmark.class.getName() + ".");
    String floor = Pattern.quote(RnnBaselineBenchmark.class.getName() + ".floor2TGemv");
    String naive = Pattern.quote(RnnBaselineBenchmark.class.getName() + ".naiveForwardBackward");
    String copyFwd = Pattern.quote(InputCopyBenchmark.class.getName() + ".forward");
    String copy = Pattern.quote(InputCopyBenchmark.class.getName() + ".inputCopy");
    // The bare arraycopy runs no Vector API code (nothing for C2 to finish): the preset's timing.
    // It does not depend on H, so it runs at one H per B.
    Timing copyT = preset.timing();
    // The naive baseline takes 0.1–1 s per sequence at H ≥ 256: one-second iterations keep
    // several operations in each, and the 2-iteration minimum gives JMH an error estimate.
    Timing slow =
        new Timing(
            t.forks(),
            1,
            Math.max(1000, t.warmupMillis()),
            Math.max(2, t.measurementIterations()),
            Math.max(1000, t.measurementMillis()));
    return switch (preset) {
      case SMOKE ->
          List.of(
              new RunSpec(
                  ours, Map.of("hidden", RunSpec.values(64), "batch", RunSpec.values(1)), t),
              new RunSpec(floor, Map.of("hidden", RunSpec.values(64)), t),
              new RunSpec(naive, Map.of("hidden", RunSpec.values(64)), t),
              new RunSpec(
                  copyFwd, Map.of("hidden", RunSpec.values(64), "batch", RunSpec.values(1)), t),
              new RunSpec(
                  copy, Map.of("hidden", RunSpec.values(64), "batch", RunSpec.values(1)), copyT));
      case DEFAULT ->
          List.of(
              // B = 1: 1–20 ms per sequence; on a loaded 2-core host C2 needs ~4 s to finish the
              // per-step kernels (JFR: boxed-vector allocation samples in gemv, tanh and the
              // weight-gradient sums until then), so eight warm-up iterations.
              new RunSpec(
                  ours,
                  Map.of("hidden", RunSpec.values(128, 256, 512), "batch", RunSpec.values(1)),
                  t.withWarmup(8, 500)),
              // H = 1024 at B = 1 (no target; ~1 min with the warm-up C2 needs there) is in the
              // full
              // preset and in the threads section's one-sequence row.
              new RunSpec(
                  ours, Map.of("hidden", RunSpec.values(128, 256), "batch", RunSpec.values(32)), t),
              new RunSpec(floor, Map.of("hidden", RunSpec.values(128, 256, 512)), t),
              // the input copy's share (a few per cent, see the full preset) is left out here
              new RunSpec(naive, Map.of("hidden", RunSpec.values(256, 512)), slow));
      case FULL ->
          List.of(
              new RunSpec(
                  ours,
                  Map.of(
                      "hidden", RunSpec.values(64, 128, 256, 512), "batch", RunSpec.values(1, 32)),
                  t),
              new RunSpec(
                  ours,
                  Map.of("hidden", RunSpec.values(1024), "batch", RunSpec.values(1, 32)),
                  t.withIterationMillis(2000)),
              new RunSpec(floor, Map.of("hidden", RunSpec.values(64, 128, 256, 512, 1024)), t),
              new RunSpec(
                  naive,
                  Map.of("hidden", RunSpec.values(64, 128, 256, 512, 1024)),
                  slow.withIterationMillis(3000)),
              new RunSpec(
                  copyFwd,
                  Map.of(
                      "hidden", RunSpec.values(64, 128, 256, 512), "batch", RunSpec.values(1, 32)),
                  t),
              new RunSpec(
                  copy,
                  Map.of("hidden", RunSpec.values(64), "batch", RunSpec.values(1, 32)),
                  copyT));
    };
  }

  @Override
  public SectionReport render(List<RunResult> results) {
    ResultIndex index = new ResultIndex(results);
    boolean alloc = PeerTable.hasAlloc(results);
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, String> p : index.paramSets(RnnBenchmark.class)) {
      int h = Integer.parseInt(p.get("hidden"));
      int b = Integer.parseInt(p.get("batch"));
      Optional<Measured> fwd = index.find(RnnBenchmark.class, "forward", p).map(Measured::of);
      Optional<Measured> fb =
          index.find(RnnBenchmark.class, "forwardBackward", p).map(Measured::of);
      Map<String, String> hp = Map.of("hidden", p.get("hidden"));
      Optional<Measured> floor =
          b == 1
              ? index.find(RnnBaselineBenchmark.class, "floor2TGemv", hp).map(Measured::of)
              : Optional.empty();
      Optional<Measured> naive =
          b == 1
              ? index.find(RnnBaselineBenchmark.class, "naiveForwardBackward", hp).map(Measured::of)
              : Optional.empty();
      double flops = 6.0 * RnnBenchmark.T * b * h * (RnnBenchmark.D + h);
      List<String> row = new ArrayList<>();
      row.add(Integer.toString(h));
      row.add(Integer.toString(b));
      row.add(fwd.map(m -> Fmt.time(m.medianNs(), m.errorNs())).orElse("–"));
      row.add(fb.map(m -> Fmt.time(m.medianNs(), m.errorNs())).orElse("–"));
      row.add(fb.map(m -> Fmt.sig3(RnnBenchmark.T * b * 1e9 / m.medianNs())).orElse("–"));
      row.add(fb.map(m -> Fmt.sig3(flops / m.medianNs())).orElse("–"));
      row.add(floor.map(m -> Fmt.time(m.medianNs(), m.errorNs())).orElse("–"));
      row.add(
          fb.isPresent() && floor.isPresent()
              ? Fmt.ratio(fb.get().medianNs() / floor.get().medianNs())
              : "–");
      row.add(naive.map(m -> Fmt.time(m.medianNs(), m.errorNs())).orElse("–"));
      row.add(
          fb.isPresent() && naive.isPresent()
              ? Fmt.ratio(naive.get().medianNs() / fb.get().medianNs())
              : "–");
      row.add(alloc ? fb.flatMap(Measured::allocText).orElse("–") : "not measured");
      rows.add(row);
    }
    Table table = new Table(HEADER, rows, 2);
    String md =
        "Per sequence of T = "
            + RnnBenchmark.T
            + " steps, D = "
            + RnnBenchmark.D
            + ", tanh, loss at every step. Times are medians over all measured iterations ± the"
            + " half-width of JMH's 99.9% confidence interval of the mean; ratios use medians."
            + " GFLOP/s counts 6·T·B·H·(D+H) per forward+backward (forward 2·T·B·H·(D+H), backward"
            + " twice that). The floor is T gemv + T gemvᵀ of the H×H recurrent matrix, the"
            + " sequential work no BPTT can avoid at B = 1; naive is per-element float loops (B = 1"
            + " only).\n\n"
            + table.toMarkdown()
            + copyShare(index);
    return new SectionReport(md, table);
  }

  /**
   * The input copy's share of the forward pass ({@link InputCopyBenchmark}): forward time, copy
   * time and copy / forward (medians) per (H, B) of the forward runs; the copy, which does not
   * depend on H, from any run at the same B. Empty when the forward part did not run.
   */
  private static String copyShare(ResultIndex index) {
    List<Map<String, String>> sets = index.paramSets(InputCopyBenchmark.class);
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, String> p : sets) {
      Optional<Measured> fwd = index.find(InputCopyBenchmark.class, "forward", p).map(Measured::of);
      if (fwd.isEmpty()) {
        continue;
      }
      int h = Integer.parseInt(p.get("hidden"));
      int b = Integer.parseInt(p.get("batch"));
      Optional<Measured> copy =
          index.find(InputCopyBenchmark.class, "inputCopy", p).map(Measured::of);
      for (int i = 0; i < sets.size() && copy.isEmpty(); i++) {
        if (sets.get(i).get("batch").equals(p.get("batch"))) {
          copy = index.find(InputCopyBenchmark.class, "inputCopy", sets.get(i)).map(Measured::of);
        }
      }
      Optional<Measured> c = copy;
      rows.add(
          List.of(
              Integer.toString(h),
              Integer.toString(b),
              Integer.toString(InputCopyBenchmark.T * b * InputCopyBenchmark.D),
              Fmt.time(fwd.get().medianNs(), fwd.get().errorNs()),
              c.map(m -> Fmt.time(m.medianNs(), m.errorNs())).orElse("–"),
              c.map(m -> Fmt.percent(m.medianNs() / fwd.get().medianNs())).orElse("–")));
    }
    if (rows.isEmpty()) {
      return "";
    }
    return "\n"
        + "**Input copy.** The forward pass copies the T·B·D inputs into its workspace, so"
        + " that refilling the caller's input array between forward and backward cannot"
        + " change the gradient. `forward` is the whole forward pass (copy included,"
        + " measured again here beside the copy), `input copy` a bare `System.arraycopy` of"
        + " the same floats into an array of the workspace copy's size (it does not depend"
        + " on H); `copy / forward` uses medians. Times as above.\n\n"
        + new Table(COPY_HEADER, rows, 2).toMarkdown();
  }
}
