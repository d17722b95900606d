package dev.bptt.bench.growth;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Runs the alignment experiment (d2l §9.7 exercise 1(b)) and the gradient-growth grid, writing
 * alignment.csv/png/-summary.md, growth.csv, growth-&lt;family&gt;-&lt;act&gt;.png and
 * growth-summary.md into the output folder. Exits with status 1 if a smoke check fails.
 *
 * <pre>
 * java -cp benchmarks.jar dev.bptt.bench.growth.GrowthMain &lt;outDir&gt; [--seed N] [--provider rnn|driven|linear]
 * </pre>
 *
 * The default trace provider is {@link ElmanTraceProvider}: the Elman RNN's own BPTT trace. {@code
 * driven} runs {@link DrivenRecurrenceTraceProvider} (the same recurrence written out with BLAS
 * calls, a cross-check) and {@code linear} runs {@link LinearTraceProvider} (identity only).
 */
public final class GrowthMain {
  private GrowthMain() {}

  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println("usage: GrowthMain <outDir> [--seed N] [--provider rnn|driven|linear]");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    long seed = 20261126L;
    String provider = "rnn";
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--provider" -> provider = args[++i];
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
    List<String> failures = run(out, seed, p, name);
    System.exit(failures.isEmpty() ? 0 : 1);
  }

  /**
   * Runs both experiments with {@code provider} and writes every output into {@code out}.
   *
   * @return the smoke checks that failed (empty when all passed)
   */
  public static List<String> run(Path out, long seed, TraceProvider provider, String providerName) {
    System.setProperty("java.awt.headless", "true");
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
    GrowthExperiment.write(res, out);
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
    res.failures().forEach(s -> System.out.println("CHECK FAILED: " + s));
    System.out.printf(
        Locale.ROOT, "wrote %s in %.1f s%n", out.toAbsolutePath(), (System.nanoTime() - t0) / 1e9);
    return res.failures();
  }
}
