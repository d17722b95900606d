package dev.bptt.bench.growth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs the alignment experiment (d2l §9.7 exercise 1(b)), the gradient-growth grid, the gated-cell
 * comparison ({@link GatedGrowth}) and the tanh drive × ρ phase diagram ({@link DrivePhase}),
 * writing alignment.csv/png/-summary.md, growth.csv, growth-&lt;family&gt;-&lt;act&gt;.png,
 * growth-summary.md, gated.csv, gated-rates.csv, gated-s&lt;s&gt;-rho&lt;ρ&gt;.svg,
 * drive-phase.csv/svg and gated-summary.md into the output folder. Exits with status 1 if a smoke
 * check fails.
 *
 * <pre>
 * java -cp benchmarks.jar dev.bptt.bench.growth.GrowthMain &lt;outDir&gt; [--seed N] [--provider rnn|driven|linear] [--preset smoke|default|full]
 * </pre>
 *
 * The preset sizes the gated and phase grids only (default: 5 radii and an 11 × 21 phase grid, a
 * few seconds; full: 9 radii and 41 × 41; smoke: a 3 × 5 phase grid).
 *
 * <p>The default trace provider is {@link ElmanTraceProvider}: the Elman RNN's own BPTT trace.
 * {@code driven} runs {@link DrivenRecurrenceTraceProvider} (the same recurrence written out with
 * BLAS calls, a cross-check) and {@code linear} runs {@link LinearTraceProvider} (identity only).
 */
public final class GrowthMain {
  private GrowthMain() {}

  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println(
          "usage: GrowthMain <outDir> [--seed N] [--provider rnn|driven|linear]"
              + " [--preset smoke|default|full]");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    long seed = 20261126L;
    String provider = "rnn";
    String preset = "default";
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--provider" -> provider = args[++i];
        case "--preset" -> preset = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    TraceProvider p =
        switch (provider) {
          case "rnn" -> new ElmanTraceProvider(seed, 0.5);
          case "driven" -> new DrivenRecurrenceTraceProvider(seed, 0.5);
          case "linear" -> new LinearTraceProvider(seed);
          default ->
              throw new IllegalArgumentException(
                  "--provider must be rnn, driven or linear, got " + provider);
        };
    String name =
        switch (provider) {
          case "rnn" ->
              "ElmanRnn BPTT trace (D = H, W_xh = 0.5 I, b = 0, x_t ~ N(0, 1), loss at t = T only)";
          case "driven" ->
              "DrivenRecurrenceTraceProvider (h_t = phi(W h_{t-1} + x_t), x_t ~ N(0, 0.5^2))";
          default -> "LinearTraceProvider (d_{t-1} = W^T d_t)";
        };
    if (!List.of("smoke", "default", "full").contains(preset)) {
      throw new IllegalArgumentException("--preset must be smoke, default or full, got " + preset);
    }
    List<String> failures = run(out, seed, p, name, preset);
    System.exit(failures.isEmpty() ? 0 : 1);
  }

  /**
   * Runs both experiments with {@code provider} and writes every output into {@code out}.
   *
   * @return the smoke checks that failed (empty when all passed)
   */
  public static List<String> run(Path out, long seed, TraceProvider provider, String providerName) {
    return run(out, seed, provider, providerName, "default");
  }

  /**
   * Runs every experiment with {@code provider} and the preset's gated and phase grids, writing
   * every output into {@code out}.
   *
   * @return the smoke checks that failed (empty when all passed)
   */
  public static List<String> run(
      Path out, long seed, TraceProvider provider, String providerName, String preset) {
    System.setProperty("java.awt.headless", "true");
    RunInfo info = RunInfo.probe(preset);
    long t0 = System.nanoTime();
    List<Alignment.Curve> curves = Alignment.run(Alignment.Config.standard(seed));
    Alignment.write(curves, out);
    for (Alignment.Curve c : curves) {
      int last = c.tan().length - 1;
      System.out.printf(
          Locale.ROOT,
          "alignment r=%.2f: fitted rate %.6f over k=%d..%d (theory %.2f), tan at k=0 %.3g, at k=%d"
              + " %.3g (bound %.3g), smallest %.2g, 1-|cos| at k=%d: %.3g%n",
          c.gap(),
          c.fittedRate(),
          c.fitFrom(),
          c.fitTo(),
          c.gap(),
          c.tan()[0],
          last,
          c.tan()[last],
          c.bound()[last],
          c.minTan(),
          last,
          1 - c.absCos()[last]);
    }
    GrowthExperiment.Result res =
        GrowthExperiment.run(GrowthExperiment.Config.standard(seed), provider, providerName);
    GrowthExperiment.write(res, out, info.markdown());
    for (GrowthExperiment.Row r : res.rows()) {
      System.out.printf(
          Locale.ROOT,
          "%-10s %-8s rho=%.2f sigma_max=%.4f fitted=%.6f theory=%.6f err=%+.2e bound %s%n",
          r.family().name(),
          r.act(),
          r.rho(),
          r.sigmaBound(),
          r.fitted(),
          r.theory(),
          r.error(),
          r.firstViolation() < 0 ? "held" : "FAILED at k=" + r.firstViolation());
    }
    res.skipped().forEach(s -> System.out.println("skipped: " + s));
    List<String> failures = new ArrayList<>(res.failures());
    failures.addAll(runGated(out, seed, preset, info));
    failures.forEach(s -> System.out.println("CHECK FAILED: " + s));
    System.out.printf(
        Locale.ROOT, "wrote %s in %.1f s%n", out.toAbsolutePath(), (System.nanoTime() - t0) / 1e9);
    return failures;
  }

  /** The gated-cell comparison and the phase diagram; writes gated-summary.md. */
  private static List<String> runGated(Path out, long seed, String preset, RunInfo info) {
    long t0 = System.nanoTime();
    GatedGrowth.Config gc =
        preset.equals("full") ? GatedGrowth.Config.full(seed) : GatedGrowth.Config.standard(seed);
    GatedGrowth.Result gated = GatedGrowth.run(gc);
    List<String> plots = GatedGrowth.write(gated, out);
    double gatedSeconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "gated cells: %.1f s%n", gatedSeconds);
    long t1 = System.nanoTime();
    DrivePhase.Config pc =
        switch (preset) {
          case "full" -> DrivePhase.Config.full(seed);
          case "smoke" ->
              new DrivePhase.Config(
                  seed, 128, 200, 0.5, DrivePhase.grid(0, 1, 3), DrivePhase.grid(0.5, 1.5, 5));
          default -> DrivePhase.Config.standard(seed);
        };
    DrivePhase.Result phase = DrivePhase.run(pc);
    DrivePhase.write(phase, out);
    double phaseSeconds = (System.nanoTime() - t1) / 1e9;
    System.out.printf(Locale.ROOT, "drive phase diagram: %.1f s%n", phaseSeconds);
    StringBuilder md =
        new StringBuilder("# Gradients through gated cells and under input drive\n\n");
    md.append(info.markdown());
    md.append(
        String.format(
            Locale.ROOT,
            "Run time: gated cells %.1f s, phase diagram %.1f s. Deterministic given the seed.\n\n",
            gatedSeconds,
            phaseSeconds));
    md.append(GatedGrowth.markdown(gated, plots));
    md.append(DrivePhase.markdown(phase));
    md.append("Smoke checks: ").append(gated.failures().isEmpty() ? "all passed.\n" : "FAILED:\n");
    for (String s : gated.failures()) {
      md.append("- ").append(s).append('\n');
    }
    try {
      Files.createDirectories(out);
      Files.writeString(out.resolve("gated-summary.md"), md.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write gated-summary.md", e);
    }
    return gated.failures();
  }
}
