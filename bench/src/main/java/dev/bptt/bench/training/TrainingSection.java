package dev.bptt.bench.training;

import dev.bptt.bench.Preset;
import dev.bptt.bench.RunSpec;
import dev.bptt.bench.Section;
import dev.bptt.bench.Timing;
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
 * The training layer: a fused Adam step against {@code System.arraycopy} bandwidth (target ≥ 70 %
 * at 16 M parameters), and a full training step per cell against its forward + backward pass.
 */
public final class TrainingSection implements Section {
  /** Bytes an Adam step moves per parameter: reads θ, g, m, v, writes θ, m, v. */
  static final int ADAM_BYTES = 28;

  /** Bytes the arraycopy baseline moves per parameter: three buffers read and written. */
  static final int COPY_BYTES = 24;

  private static final List<String> FALSE = List.of("false");
  private static final List<String> TRUE = List.of("true");

  @Override
  public String name() {
    return "training";
  }

  @Override
  public String title() {
    return "Training layer: optimizer step bandwidth, full training step per cell";
  }

  @Override
  public int order() {
    return 28;
  }

  @Override
  public List<RunSpec> runs(Preset preset) {
    Timing t = preset.timing();
    // A training step is 5–40 ms: 500 ms iterations hold 12–100 calls. C2 needs ~250 calls of
    // the GRU/LSTM step before its vector code stops running in tier 3 (which boxes vectors:
    // measured 62 KB per call until then, 0 B after, on a busy machine), so five 1 s warm-up
    // iterations.
    Timing step = preset == Preset.SMOKE ? t : t.withIterationMillis(500).withWarmup(5, 1000);
    String adam = Pattern.quote(AdamStepBenchmark.class.getName() + ".");
    String train = Pattern.quote(TrainingStepBenchmark.class.getName() + ".");
    String stepAndPass = train + "(trainingStep|forwardBackward)$";
    String checked = train + "forwardBackwardChecked$";
    String stepOnly = train + "trainingStep$";
    return switch (preset) {
      case SMOKE ->
          List.of(
              new RunSpec(adam, Map.of("size", RunSpec.values(1 << 20)), t),
              new RunSpec(train, Map.of("cell", List.of("ELMAN"), "layerNorm", FALSE), step));
      case DEFAULT ->
          List.of(
              new RunSpec(adam, Map.of("size", RunSpec.values(1 << 20, 1 << 24)), t),
              new RunSpec(
                  stepAndPass,
                  Map.of("cell", List.of("ELMAN", "GRU", "LSTM"), "layerNorm", FALSE),
                  step),
              // the non-finite check's cost and layer normalization's, on one cell (every cell
              // and both in the full preset)
              new RunSpec(checked, Map.of("cell", List.of("LSTM"), "layerNorm", FALSE), step),
              // with layer normalization C2 took longer still: 62 KB per call (boxed vectors) for
              // most of 5 s of warm-up + 3 iterations in a committed run, so 12 s of warm-up
              new RunSpec(
                  stepOnly,
                  Map.of("cell", List.of("LSTM"), "layerNorm", TRUE),
                  step.withWarmup(12, 1000)));
      case FULL ->
          List.of(
              new RunSpec(adam, Map.of("size", RunSpec.values(1 << 20, 1 << 24)), t),
              new RunSpec(
                  train, Map.of("cell", List.of("ELMAN", "GRU", "LSTM"), "layerNorm", FALSE), step),
              new RunSpec(
                  train, Map.of("cell", List.of("ELMAN", "GRU", "LSTM"), "layerNorm", TRUE), step));
    };
  }

  @Override
  public SectionReport render(List<RunResult> results) {
    ResultIndex index = new ResultIndex(results);
    List<List<String>> adamRows = new ArrayList<>();
    for (Map<String, String> p : index.paramSets(AdamStepBenchmark.class)) {
      long n = Long.parseLong(p.get("size"));
      Optional<Measured> a = index.find(AdamStepBenchmark.class, "adamStep", p).map(Measured::of);
      Optional<Measured> c =
          index.find(AdamStepBenchmark.class, "arraycopyThreeBuffers", p).map(Measured::of);
      double adamGbs = a.map(m -> ADAM_BYTES * n / m.medianNs()).orElse(Double.NaN);
      double copyGbs = c.map(m -> COPY_BYTES * n / m.medianNs()).orElse(Double.NaN);
      double ratio = adamGbs / copyGbs;
      adamRows.add(
          List.of(
              Long.toString(n),
              a.map(m -> Fmt.time(m.medianNs(), m.errorNs())).orElse("–"),
              Fmt.sig3(adamGbs),
              c.map(m -> Fmt.time(m.medianNs(), m.errorNs())).orElse("–"),
              Fmt.sig3(copyGbs),
              Fmt.percent(ratio),
              n >= 1 << 24 ? (ratio >= 0.7 ? "✓" : "✗") : "",
              a.flatMap(Measured::allocText).orElse("–")));
    }
    Table adamTable =
        new Table(
            List.of(
                "parameters",
                "Adam step",
                "Adam GB/s (28 B/param)",
                "3 × arraycopy",
                "arraycopy GB/s (24 B/param)",
                "Adam / arraycopy bandwidth",
                "≥ 70 % at 16 M",
                "B/op"),
            adamRows,
            1);
    List<List<String>> stepRows = new ArrayList<>();
    for (Map<String, String> p : index.paramSets(TrainingStepBenchmark.class)) {
      Optional<Measured> s =
          index.find(TrainingStepBenchmark.class, "trainingStep", p).map(Measured::of);
      Optional<Measured> f =
          index.find(TrainingStepBenchmark.class, "forwardBackward", p).map(Measured::of);
      Optional<Measured> k =
          index.find(TrainingStepBenchmark.class, "forwardBackwardChecked", p).map(Measured::of);
      stepRows.add(
          List.of(
              p.get("cell") + ("true".equals(p.get("layerNorm")) ? " + layer norm" : ""),
              s.map(m -> Fmt.time(m.medianNs(), m.errorNs())).orElse("–"),
              f.map(m -> Fmt.time(m.medianNs(), m.errorNs())).orElse("–"),
              s.isPresent() && f.isPresent()
                  ? Fmt.percent(s.get().medianNs() / f.get().medianNs() - 1)
                  : "–",
              k.map(m -> Fmt.time(m.medianNs(), m.errorNs())).orElse("–"),
              k.isPresent() && f.isPresent()
                  ? Fmt.percent(k.get().medianNs() / f.get().medianNs() - 1)
                  : "–",
              s.map(m -> Fmt.sig3(TrainingStepBenchmark.B * 1e9 / m.medianNs())).orElse("–"),
              s.flatMap(Measured::allocText).orElse("–")));
    }
    Table stepTable =
        new Table(
            List.of(
                "cell",
                "training step",
                "forward + backward alone",
                "step overhead (loss, norm, clip, Adam)",
                "forward + backward, non-finite check (THROW)",
                "check overhead",
                "sequences / s",
                "B/op (step)"),
            stepRows,
            1);
    String md =
        "**Adam step bandwidth.** One fused `Adam.step` over n parameters moves 28 bytes per"
            + " parameter (reads θ, g, m, v; writes θ, m, v); the baseline copies three buffers of"
            + " n floats with `System.arraycopy` (24 bytes per parameter), the closest copy shape."
            + " GB/s = bytes / median time (10⁹ bytes). Target: Adam ≥ 70 % of the copy's"
            + " bandwidth at 16 M.\n\n"
            + adamTable.toMarkdown()
            + "\n**A full training step** on the adding problem, T = "
            + TrainingStepBenchmark.T
            + ", H = "
            + TrainingStepBenchmark.H
            + ", B = "
            + TrainingStepBenchmark.B
            + ", one layer + linear readout, squared error at the last step: forward, loss,"
            + " full BPTT, ‖g‖₂, global-norm clip (θ = 1), Adam (`Trainer.step`), against the"
            + " forward + backward pass alone on the same batch in the same run, and that pass"
            + " with the opt-in non-finite check on (`BpttRunner.withNonFiniteCheck(THROW)`:"
            + " states, loss and gradient scanned, gradient snapshot); the LSTM also with layer"
            + " normalization of the recurrent pre-activation (`withLayerNorm()`). B/op is JMH's"
            + " allocation per call (its own bookkeeping is a few hundred bytes per iteration,"
            + " spread over the calls).\n\n"
            + stepTable.toMarkdown();
    List<List<String>> csv = new ArrayList<>();
    for (RunResult r : results) {
      Measured m = Measured.of(r);
      String bench = r.getParams().getBenchmark();
      csv.add(
          List.of(
              bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1),
              ResultIndex.params(r.getParams()).toString(),
              Double.toString(m.medianNs()),
              Double.toString(m.errorNs()),
              m.allocCsv()));
    }
    return new SectionReport(
        md,
        new Table(
            List.of("benchmark", "params", "median_ns", "error_ns", "alloc_B_per_op"), csv, 2));
  }
}
