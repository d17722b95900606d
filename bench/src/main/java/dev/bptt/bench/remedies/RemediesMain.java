package dev.bptt.bench.remedies;

import dev.bptt.bench.tasks.AddingProblem;
import dev.bptt.bench.tasks.CopyMemory;
import dev.bptt.bench.tasks.Task;
import dev.bptt.bench.tasks.TemporalOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The remedies experiment: task × T × remedy × seed, each remedy alone against the plain baseline
 * under the same budget, two independent single-threaded runs at a time. Writes tables, CSV, SVG
 * plots and a summary into the output folder ({@link Report}).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks.jar dev.bptt.bench.remedies.RemediesMain \
 *     [--preset smoke|default|full] [--out results/remedies] [--threads 2] [--steps N]
 *     [--seeds N] [--remedies id,id,...] [--tasks adding,order,copy] [--lengths 50,100]
 * java ... RemediesMain --preset full --merge dir,dir,... --out dir
 * </pre>
 *
 * Presets: {@code smoke} (seconds: adding, T = 50, four remedies, one seed, 300 steps); {@code
 * default} (about 8 minutes on 2 cores: adding at T = 50 and 100, the remedies that differ most, 3
 * seeds); {@code full} (hours: every task, T ∈ {50, 100, 200}, every remedy, 5 seeds). Every run is
 * seeded from (task, T, seed), so results do not depend on scheduling. {@code --merge} writes the
 * tables and summary of the runs several slices (runs of one task and T each) wrote to their
 * folders, so the full grid can run in pieces.
 */
public final class RemediesMain {
  private RemediesMain() {}

  /**
   * The remedies of the default preset, the ones that differ most: each alone against the SGD
   * baseline (the grid), then the same cures on top of Adam, the one change that makes
   * progress alone within the budget (measured in a pilot: with SGD at γ₀ every Elman remedy stays
   * at the 1/6 baseline for 10⁴ steps; SGD at 5·γ₀ diverges), and clipping on the two inits that
   * explode under SGD at γ₀. The LSTM under SGD (stuck at the baseline like it, in the runs at 8000
   * steps) is left to the full preset.
   */
  static final List<String> DEFAULT_REMEDIES =
      List.of(
          "baseline",
          "clip-strict-1",
          "init-orthogonal",
          "irnn",
          "layernorm",
          "adam",
          "init-orthogonal+clip-strict-1",
          "irnn+clip-strict-1",
          "adam+checkpointed",
          "adam+clip-strict-1",
          "adam+irnn",
          "adam+layernorm",
          "adam+gru",
          "adam+lstm");

  static final List<String> SMOKE_REMEDIES = List.of("baseline", "clip-strict-1", "adam", "lstm");

  public static void main(String[] args) throws Exception {
    String preset = "default";
    Path out = Path.of("results/remedies");
    int threads = 2;
    Integer stepsOverride = null, seedsOverride = null;
    Double lrOverride = null;
    List<String> remedyIds = null, taskNames = null;
    List<Path> merge = null;
    int[] lengths = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--preset" -> preset = args[++i];
        case "--out" -> out = Path.of(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--steps" -> stepsOverride = Integer.parseInt(args[++i]);
        case "--seeds" -> seedsOverride = Integer.parseInt(args[++i]);
        case "--lr" -> lrOverride = Double.parseDouble(args[++i]);
        case "--remedies" -> remedyIds = List.of(args[++i].split(","));
        case "--tasks" -> taskNames = List.of(args[++i].split(","));
        case "--merge" -> merge = Arrays.stream(args[++i].split(",")).map(Path::of).toList();
        case "--lengths" ->
            lengths = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Settings settings;
    List<String> defaultTasks;
    int[] defaultLengths;
    int seeds;
    List<String> defaultRemedies;
    switch (preset) {
      case "smoke" -> {
        settings = new Settings(32, 20, 300, 60, 0.1, 100, 500, 1000, 150);
        defaultTasks = List.of("adding");
        defaultLengths = new int[] {50};
        seeds = 1;
        defaultRemedies = SMOKE_REMEDIES;
      }
      case "default" -> {
        settings = new Settings(32, 20, 8000, 60, 0.1, 250, 1000, 10_000, 200);
        defaultTasks = List.of("adding");
        defaultLengths = new int[] {50, 100};
        seeds = 3;
        defaultRemedies = DEFAULT_REMEDIES;
      }
      case "full" -> {
        settings = new Settings(50, 20, 20_000, 1800, 0.1, 500, 1000, 10_000, 400);
        defaultTasks = List.of("adding", "order", "copy");
        defaultLengths = new int[] {50, 100, 200};
        seeds = 5;
        defaultRemedies = Remedy.catalog().stream().map(Remedy::id).toList();
      }
      default ->
          throw new IllegalArgumentException("--preset must be smoke, default or full: " + preset);
    }
    if (stepsOverride != null) {
      settings =
          new Settings(
              settings.hidden(),
              settings.batch(),
              stepsOverride,
              settings.wallSeconds(),
              settings.baseLr(),
              Math.max(1, Math.min(settings.evalEvery(), stepsOverride / 4)),
              settings.screenCount(),
              settings.checkCount(),
              settings.curveBuckets());
    }
    if (lrOverride != null) {
      settings =
          new Settings(
              settings.hidden(),
              settings.batch(),
              settings.steps(),
              settings.wallSeconds(),
              lrOverride,
              settings.evalEvery(),
              settings.screenCount(),
              settings.checkCount(),
              settings.curveBuckets());
    }
    if (seedsOverride != null) {
      seeds = seedsOverride;
    }
    if (merge != null) {
      merge(merge, out, preset, settings, defaultTasks, defaultRemedies);
      return;
    }
    List<Task> tasks = new ArrayList<>();
    for (String name : taskNames != null ? taskNames : defaultTasks) {
      tasks.add(task(name));
    }
    List<Remedy> remedies = new ArrayList<>();
    for (String id : remedyIds != null ? remedyIds : defaultRemedies) {
      remedies.add(Remedy.byId(id));
    }
    int[] ts = lengths != null ? lengths : defaultLengths;

    record Cell(Task task, int t, Remedy remedy, int seed) {}
    List<Cell> cells = new ArrayList<>();
    for (Task task : tasks) {
      for (int t : ts) {
        for (int seed = 0; seed < seeds; seed++) {
          for (Remedy r : remedies) {
            cells.add(new Cell(task, t, r, seed));
          }
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "remedies: preset %s, %d runs (%d tasks x %d lengths x %d remedies x %d seeds), %d threads,"
            + " budget %d steps (cap %.0f s) per run, H = %d, B = %d, SGD lr %.3g%n",
        preset,
        cells.size(),
        tasks.size(),
        ts.length,
        remedies.size(),
        seeds,
        threads,
        settings.steps(),
        settings.wallSeconds(),
        settings.hidden(),
        settings.batch(),
        settings.baseLr());
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger done = new AtomicInteger();
    List<Future<RunResult>> futures = new ArrayList<>();
    final Settings s = settings;
    for (Cell c : cells) {
      futures.add(
          pool.submit(
              () -> {
                RunResult r = RemedyRun.run(c.task(), c.t(), c.remedy(), c.seed(), s);
                int k = done.incrementAndGet();
                System.out.printf(
                    Locale.ROOT,
                    "[%d/%d %5.0fs] %-6s T=%-3d %-16s seed %d: %-9s steps %5d%s, loss %.4g,"
                        + " %s %.4g (baseline %.4g), fail %.1f %%, clips %d, skips %d,"
                        + " ratio %.2e -> %.2e, %.1f s%n",
                    k,
                    cells.size(),
                    (System.nanoTime() - start) / 1e9,
                    r.task(),
                    r.difficulty(),
                    r.remedy(),
                    r.seed(),
                    r.mode(),
                    r.stepsRun(),
                    r.success() ? " (success)" : "",
                    r.finalLoss(),
                    c.task().metricName(),
                    r.metric(),
                    r.metricBaseline(),
                    100 * r.failureRate(),
                    r.clipEvents(),
                    r.skipped(),
                    r.ratioInit(),
                    r.ratioFinal(),
                    r.wallSeconds());
                return r;
              }));
    }
    List<RunResult> results = new ArrayList<>();
    try {
      for (Future<RunResult> f : futures) {
        results.add(f.get());
      }
    } catch (ExecutionException e) {
      pool.shutdownNow();
      throw e;
    }
    pool.shutdown();
    double total = (System.nanoTime() - start) / 1e9;
    new Report(out, preset, settings, tasks, ts, remedies, seeds, threads, total).write(results);
    System.out.printf(
        Locale.ROOT, "remedies: %d runs in %.1f s, written to %s%n", results.size(), total, out);
  }

  /**
   * {@code --merge a,b,…}: the report (tables and summary, no plots) over the runs of several
   * slices' folders, read from their remedies.csv; tasks, lengths, remedies and seeds are those the
   * files hold, in the preset's order. A run that appears twice is refused.
   */
  static void merge(
      List<Path> dirs,
      Path out,
      String preset,
      Settings settings,
      List<String> taskOrder,
      List<String> remedyOrder)
      throws java.io.IOException {
    List<RunResult> results = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Path dir : dirs) {
      List<String> lines = java.nio.file.Files.readAllLines(dir.resolve("remedies.csv"));
      for (String line : lines.subList(1, lines.size())) {
        if (line.isBlank()) {
          continue;
        }
        RunResult r = RunResult.fromCsv(line);
        String key = r.task() + "," + r.difficulty() + "," + r.remedy() + "," + r.seed();
        if (!seen.add(key)) {
          throw new IllegalArgumentException(
              "run " + key + " appears twice (again in " + dir + ")");
        }
        results.add(r);
      }
    }
    List<Task> tasks = new ArrayList<>();
    for (String name : taskOrder) {
      if (results.stream().anyMatch(r -> r.task().equals(name))) {
        tasks.add(task(name));
      }
    }
    int[] lengths = results.stream().mapToInt(RunResult::difficulty).distinct().sorted().toArray();
    List<Remedy> remedies = new ArrayList<>();
    for (String id : remedyOrder) {
      if (results.stream().anyMatch(r -> r.remedy().equals(id))) {
        remedies.add(Remedy.byId(id));
      }
    }
    int seeds = results.stream().mapToInt(RunResult::seed).max().orElse(-1) + 1;
    double wall = results.stream().mapToDouble(RunResult::wallSeconds).sum();
    String from = String.join(", ", dirs.stream().map(d -> d.getFileName().toString()).toList());
    new Report(out, preset, settings, tasks, lengths, remedies, seeds, 0, wall, from)
        .write(results);
    System.out.printf(
        Locale.ROOT,
        "remedies: %d runs merged from %d slices, written to %s%n",
        results.size(),
        dirs.size(),
        out);
  }

  static Task task(String name) {
    return switch (name) {
      case "adding" -> new AddingProblem();
      case "order" -> new TemporalOrder();
      case "copy" -> new CopyMemory();
      default -> throw new IllegalArgumentException("unknown task " + name);
    };
  }
}
