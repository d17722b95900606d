package dev.bptt.bench.report;

import dev.bptt.bench.Preset;
import java.util.ArrayList;
import java.util.List;

/** The block at the top of every section's markdown: where, when, how and on what it ran. */
public final class RunHeader {
  private RunHeader() {}

  /**
   * @param env machine and fork-side view
   * @param preset the preset (name, and its caveat if any)
   * @param runs one line per JMH run: benchmarks, parameters, timing
   * @param profiled whether the GC profiler was on
   */
  public static String markdown(
      Environment env, Preset preset, List<String> runs, boolean profiled) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("date (UTC)", env.start().toString()));
    rows.add(List.of("source", env.revision()));
    rows.add(
        List.of(
            "machine",
            env.cpu()
                + ", "
                + env.cores()
                + " logical cores, "
                + env.simd()
                + "; "
                + env.forkValue("os.name")
                + " "
                + env.forkValue("os.version")
                + " "
                + env.forkValue("os.arch")));
    rows.add(
        List.of(
            "JDK",
            env.forkValue("java.version")
                + " ("
                + env.forkValue("java.vm.name")
                + " "
                + env.forkValue("java.vm.version")
                + ", "
                + env.forkValue("java.vendor")
                + ")"));
    rows.add(List.of("fork JVM flags", "`" + env.forkValue("jvm.args") + "`"));
    rows.add(
        List.of(
            "bptt-kernel `Blas.implementation()`",
            "`" + env.forkValue("blas.implementation") + "`"));
    rows.add(
        List.of(
            "netlib peers",
            "pure Java `"
                + env.forkValue("netlib.java")
                + "`; native `"
                + env.forkValue("netlib.native")
                + "` (OPENBLAS_NUM_THREADS="
                + env.forkValue("openblas.threads")
                + ")"));
    rows.add(
        List.of(
            "preset",
            preset.label()
                + (profiled ? " + GC profiler" : "")
                + (preset.caveat().isEmpty() ? "" : " — **" + preset.caveat() + "**")));
    for (int i = 0; i < runs.size(); i++) {
      rows.add(List.of(i == 0 ? "JMH runs" : "", runs.get(i)));
    }
    rows.add(List.of("command", "`" + env.commandLine() + "`"));
    return new Table(List.of("", ""), rows, 2).toMarkdown();
  }
}
