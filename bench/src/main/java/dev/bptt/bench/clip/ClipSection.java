package dev.bptt.bench.clip;

import static dev.bptt.bench.report.Work.param;

import dev.bptt.bench.Preset;
import dev.bptt.bench.RunSpec;
import dev.bptt.bench.Section;
import dev.bptt.bench.Timing;
import dev.bptt.bench.report.PeerTable;
import dev.bptt.bench.report.SectionReport;
import dev.bptt.bench.report.Work;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;

/**
 * In-place gradient clipping (global norm, per view, value, AGC) on 4 KiB … 64 MiB buffers, beside
 * a naive scalar version and beside {@code System.arraycopy} of the same buffer (1 read + 1 write,
 * the memory-traffic yardstick) measured in the same run.
 */
public final class ClipSection implements Section {
  private static final List<Map.Entry<String, String>> PEERS =
      List.of(
          Map.entry("ours", "ours"),
          Map.entry("naive", "naive"),
          Map.entry("arraycopy", "arraycopy"));

  private static final List<PeerTable> TABLES =
      List.of(
          new PeerTable(
              "global-norm clip (L2, PyTorch rule, loss scale folded in)",
              GlobalNormClipBenchmark.class,
              PEERS,
              Work.bytes(p -> 12 * param(p, "size")),
              "size = floats. ours = 1 norm pass (read) + 1 scale pass (read + write) = 12 B/float;"
                  + " arraycopy reads and writes once (8 B/float). Target: ours ≤ 1.6× arraycopy at"
                  + " 16 M floats (64 MiB), i.e. arraycopy/ours ≥ 0.625."),
          new PeerTable(
              "per-view norm clip (Keras clipnorm)",
              PerViewClipBenchmark.class,
              PEERS,
              Work.bytes(p -> 12 * param(p, "size")),
              ""),
          new PeerTable(
              "value clip (clamp to [−c, c])",
              ValueClipBenchmark.class,
              PEERS,
              Work.bytes(p -> 12 * param(p, "size")),
              "ours = finiteness scan (read) + clamp pass (read + write)."),
          new PeerTable(
              "adaptive clip (AGC, unit-wise rows)",
              AdaptiveClipBenchmark.class,
              PEERS,
              Work.bytes(p -> 16 * param(p, "size")),
              "G read twice and written once, W read once: 16 B/float."));

  @Override
  public String name() {
    return "clip";
  }

  @Override
  public String title() {
    return "Gradient clipping in place vs naive loops and System.arraycopy";
  }

  @Override
  public int order() {
    return 30;
  }

  @Override
  public List<RunSpec> runs(Preset preset) {
    Timing t = preset.timing();
    String global = Pattern.quote(GlobalNormClipBenchmark.class.getName() + ".");
    String others =
        "^(?:"
            + Pattern.quote(PerViewClipBenchmark.class.getName() + ".")
            + "|"
            + Pattern.quote(ValueClipBenchmark.class.getName() + ".")
            + "|"
            + Pattern.quote(AdaptiveClipBenchmark.class.getName() + ".")
            + ")";
    return switch (preset) {
      case SMOKE -> List.of(new RunSpec(global, Map.of("size", RunSpec.values(1024)), t));
      // 4 KiB, 256 KiB, 4 MiB and 64 MiB buffers (as floats), every operation.
      case DEFAULT ->
          List.of(
              new RunSpec(global, Map.of("size", RunSpec.values(65536, 1048576, 16777216)), t),
              // the secondary clips at one cache-resident size (four sizes in full)
              new RunSpec(others, Map.of("size", RunSpec.values(65536)), t));
      case FULL ->
          List.of(
              new RunSpec(
                  global, Map.of("size", RunSpec.values(1024, 65536, 1048576, 16777216)), t),
              new RunSpec(
                  others, Map.of("size", RunSpec.values(1024, 65536, 1048576, 16777216)), t));
    };
  }

  @Override
  public SectionReport render(List<RunResult> results) {
    return PeerTable.renderAll(
        name(),
        "Median time per call over all measured iterations ± the half-width of JMH's 99.9%"
            + " confidence interval of the mean; `x/ours` > 1 means ours is that many times faster."
            + " Every call clips (the threshold alternates so the scale pass always runs; nothing"
            + " is copied in the timed region). GB/s counts the bytes ours must move.",
        TABLES,
        results);
  }
}
