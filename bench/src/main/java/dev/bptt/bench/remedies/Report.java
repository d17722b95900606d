package dev.bptt.bench.remedies;

import dev.bptt.bench.tasks.Task;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the remedies experiment's results: remedies.csv (one row per run), one table per task
 * (&lt;task&gt;.md), summary.md (which remedy cures which failure, the published findings beside
 * ours, what was not run), loss-curve plots per task and T, and gradient-norm histories with clip
 * events per task, T and remedy (SVG, seed 0).
 */
final class Report {
  private final Path out;
  private final String preset;
  private final Settings settings;
  private final List<Task> tasks;
  private final int[] lengths;
  private final List<Remedy> remedies;
  private final int seeds;
  private final int threads;
  private final double totalSeconds;

  /** Where the runs came from when they were merged from slices' remedies.csv, else null. */
  private final String mergedFrom;

  Report(
      Path out,
      String preset,
      Settings settings,
      List<Task> tasks,
      int[] lengths,
      List<Remedy> remedies,
      int seeds,
      int threads,
      double totalSeconds) {
    this(out, preset, settings, tasks, lengths, remedies, seeds, threads, totalSeconds, null);
  }

  /**
   * A report of runs merged from slices (their remedies.csv files, named in {@code mergedFrom}):
   * tables and summary over all of them; no plots, as the CSV holds no curves (each slice's folder
   * keeps its own), and totalSeconds the sum of the runs' wall times.
   */
  Report(
      Path out,
      String preset,
      Settings settings,
      List<Task> tasks,
      int[] lengths,
      List<Remedy> remedies,
      int seeds,
      int threads,
      double totalSeconds,
      String mergedFrom) {
    this.mergedFrom = mergedFrom;
    this.out = out;
    this.preset = preset;
    this.settings = settings;
    this.tasks = tasks;
    this.lengths = lengths;
    this.remedies = remedies;
    this.seeds = seeds;
    this.threads = threads;
    this.totalSeconds = totalSeconds;
  }

  void write(List<RunResult> results) {
    try {
      Files.createDirectories(out);
      writeCsv(results);
      for (Task task : tasks) {
        writeTaskTable(task, results);
      }
      if (mergedFrom == null) {
        writePlots(results);
      }
      writeSummary(results);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<RunResult> cell(List<RunResult> all, String task, int t, String remedy) {
    List<RunResult> out = new ArrayList<>();
    for (RunResult r : all) {
      if (r.task().equals(task) && r.difficulty() == t && r.remedy().equals(remedy)) {
        out.add(r);
      }
    }
    return out;
  }

  private void writeCsv(List<RunResult> results) throws IOException {
    StringBuilder sb =
        new StringBuilder(
            "task,T,remedy,seed,mode,success,steps_run,steps_to_success,final_loss,metric,"
                + "metric_baseline,failure_rate,wall_s,clip_events,skipped,first_nonfinite,"
                + "diverged,loss_spikes,grad_spikes,max_grad_norm,ratio_init,ratio_final\n");
    for (RunResult r : results) {
      sb.append(
          String.join(
              ",",
              r.task(),
              String.valueOf(r.difficulty()),
              r.remedy(),
              String.valueOf(r.seed()),
              r.mode(),
              String.valueOf(r.success()),
              String.valueOf(r.stepsRun()),
              String.valueOf(r.stepsToSuccess()),
              g(r.finalLoss()),
              g(r.metric()),
              g(r.metricBaseline()),
              g(r.failureRate()),
              f(r.wallSeconds(), 2),
              String.valueOf(r.clipEvents()),
              String.valueOf(r.skipped()),
              String.valueOf(r.firstNonFinite()),
              String.valueOf(r.diverged()),
              String.valueOf(r.lossSpikes()),
              String.valueOf(r.gradSpikes()),
              g(r.maxNorm()),
              g(r.ratioInit()),
              g(r.ratioFinal())));
      sb.append('\n');
    }
    Files.writeString(out.resolve("remedies.csv"), sb, StandardCharsets.UTF_8);
  }

  private void writeTaskTable(Task task, List<RunResult> results) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("# Remedies on the ").append(task.name()).append(" task\n\n");
    sb.append(header(results.size()));
    sb.append(
        "\nPer remedy and T, over "
            + seeds
            + " seeds: success (runs meeting the published criterion within the budget), median"
            + " steps to success (successful runs only), median final training loss (mean of the"
            + " last 10 % of steps), median "
            + task.metricName()
            + " on fresh sequences beside its baseline, median failure rate, failure modes (S"
            + " solved, E explosion, V vanishing, St stuck at the baseline, P partial), median"
            + " clip events and median wall time per run.\n");
    for (int t : lengths) {
      final int tt = t;
      if (results.stream().noneMatch(r -> r.task().equals(task.name()) && r.difficulty() == tt)) {
        continue; // a slice not merged (yet)
      }
      sb.append("\n## T = ").append(t).append("\n\n");
      sb.append(
          "| remedy | family | success | median steps to success | final loss | "
              + task.metricName()
              + " (baseline "
              + g(task.metricBaseline(t))
              + ") | failure rate | modes | clips | steps run | wall s |\n");
      sb.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
      for (Remedy rem : remedies) {
        List<RunResult> c = cell(results, task.name(), t, rem.id());
        if (c.isEmpty()) {
          continue;
        }
        int ok = (int) c.stream().filter(RunResult::success).count();
        double[] toSuccess =
            c.stream().filter(RunResult::success).mapToDouble(RunResult::stepsToSuccess).toArray();
        sb.append("| ")
            .append(rem.id())
            .append(" | ")
            .append(rem.family())
            .append(" | ")
            .append(ok)
            .append('/')
            .append(c.size())
            .append(" | ")
            .append(toSuccess.length == 0 ? "–" : String.valueOf(Math.round(median(toSuccess))))
            .append(" | ")
            .append(g(median(c.stream().mapToDouble(RunResult::finalLoss).toArray())))
            .append(" | ")
            .append(g(median(c.stream().mapToDouble(RunResult::metric).toArray())))
            .append(" | ")
            .append(f(100 * median(c.stream().mapToDouble(RunResult::failureRate).toArray()), 1))
            .append(" % | ")
            .append(modes(c))
            .append(" | ")
            .append(Math.round(median(c.stream().mapToDouble(RunResult::clipEvents).toArray())))
            .append(" | ")
            .append(Math.round(median(c.stream().mapToDouble(RunResult::stepsRun).toArray())))
            .append(" | ")
            .append(f(median(c.stream().mapToDouble(RunResult::wallSeconds).toArray()), 1))
            .append(" |\n");
      }
    }
    Files.writeString(out.resolve(task.name() + ".md"), sb, StandardCharsets.UTF_8);
  }

  private static String modes(List<RunResult> c) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (String k : List.of("solved", "explosion", "vanishing", "stuck", "partial")) {
      m.put(k, 0);
    }
    for (RunResult r : c) {
      m.merge(r.mode(), 1, Integer::sum);
    }
    String[] abbrev = {"S", "E", "V", "St", "P"};
    StringBuilder sb = new StringBuilder();
    int i = 0;
    for (int v : m.values()) {
      if (v > 0) {
        sb.append(sb.isEmpty() ? "" : " ").append(abbrev[i]).append(v);
      }
      i++;
    }
    return sb.toString();
  }

  private void writePlots(List<RunResult> results) {
    for (Task task : tasks) {
      for (int t : lengths) {
        SvgChart loss =
            new SvgChart(
                task.name() + ", T = " + t + ": training loss (seed 0, bucket means)",
                "step",
                "training loss");
        loss.reference(task.trainingBaseline(t), "memoryless baseline");
        for (Remedy rem : remedies) {
          for (RunResult r : cell(results, task.name(), t, rem.id())) {
            if (r.seed() != 0) {
              continue;
            }
            loss.add(rem.id(), r.stepAxis(), r.lossCurve(), rem.id().equals("baseline"));
            new SvgChart(
                    task.name()
                        + ", T = "
                        + t
                        + ", "
                        + rem.id()
                        + ": pre-clip gradient norm (bucket max) and loss",
                    "step",
                    "norm / loss")
                .add("grad norm", r.stepAxis(), r.normCurve(), false)
                .add("loss", r.stepAxis(), r.lossCurve(), true)
                .events(r.stepAxis(), r.clipCurve())
                .write(out.resolve("norm-" + task.name() + "-T" + t + "-" + rem.id() + ".svg"));
          }
        }
        loss.write(out.resolve("loss-" + task.name() + "-T" + t + ".svg"));
      }
    }
  }

  private void writeSummary(List<RunResult> results) throws IOException {
    StringBuilder sb = new StringBuilder("# Remedies for exploding and vanishing gradients\n\n");
    sb.append(header(results.size()));
    sb.append(
        "\n## Which remedy cures which failure\n\n"
            + "Failure modes of a run: **explosion** (a non-finite loss or gradient, or a training"
            + " loss above "
            + f(RemedyRun.SPIKE_FACTOR, 0)
            + "× the memoryless baseline after the loss had once reached it), **vanishing** (final"
            + " training loss ≥ 0.9× the baseline and ‖∂L/∂h_1‖/‖∂L/∂h_L‖ < 1e-6 in a full-BPTT"
            + " trace at the end), **stuck** (at the baseline with a larger ratio), **partial**"
            + " (below the baseline, not solved), **solved** (the published success criterion met"
            + " within the budget). Each cell: successes/runs and the modes (S, E, V, St, P)."
            + " Verdict against the reference of the same cell: the SGD baseline for a single"
            + " remedy; for a combination `a+b` the run without its last part (`a`), so `adam+lstm`"
            + " is judged against `adam` and `irnn+clip-strict-1` against `irnn`. *cures"
            + " explosion* where the reference exploded and the remedy never did; *cures vanishing*"
            + " where the reference vanished and the remedy neither vanished as often nor exploded;"
            + " *solves* where it succeeded more often; *worse* where it succeeded less often or"
            + " exploded more. With 3 seeds a verdict from one run in three is a hint, not a"
            + " finding.\n\n");
    List<String> cols = new ArrayList<>();
    sb.append("| remedy |");
    for (Task task : tasks) {
      for (int t : lengths) {
        cols.add(task.name() + " T=" + t);
        sb.append(' ').append(task.name()).append(" T=").append(t).append(" |");
      }
    }
    sb.append(" reference | verdict |\n|---|");
    sb.append("---|".repeat(cols.size())).append("---|---|\n");
    for (Remedy rem : remedies) {
      sb.append("| ").append(rem.id()).append(" |");
      List<String> verdicts = new ArrayList<>();
      for (Task task : tasks) {
        for (int t : lengths) {
          List<RunResult> c = cell(results, task.name(), t, rem.id());
          List<RunResult> b = cell(results, task.name(), t, reference(rem.id(), results));
          long ok = c.stream().filter(RunResult::success).count();
          if (c.isEmpty()) {
            sb.append(" – |"); // not run (a slice not merged yet)
            continue;
          }
          sb.append(' ').append(ok).append('/').append(c.size()).append(' ').append(modes(c));
          sb.append(" |");
          if (rem.id().equals("baseline") || b.isEmpty()) {
            continue;
          }
          long bOk = b.stream().filter(RunResult::success).count();
          long bE = b.stream().filter(r -> r.mode().equals("explosion")).count();
          long rE = c.stream().filter(r -> r.mode().equals("explosion")).count();
          long bV = b.stream().filter(r -> r.mode().equals("vanishing")).count();
          long rV = c.stream().filter(r -> r.mode().equals("vanishing")).count();
          String where = " (" + task.name() + " T=" + t + ")";
          if (bE > 0 && rE == 0) {
            verdicts.add("cures explosion" + where);
          }
          if (bV > 0 && rV < bV && rE == 0) {
            verdicts.add("cures vanishing" + where);
          }
          if (ok > bOk) {
            verdicts.add("solves" + where);
          }
          if (ok < bOk || rE > bE) {
            verdicts.add("worse" + where);
          }
        }
      }
      sb.append(' ')
          .append(rem.id().equals("baseline") ? "–" : reference(rem.id(), results))
          .append(" |");
      sb.append(' ')
          .append(
              rem.id().equals("baseline")
                  ? "(reference)"
                  : verdicts.isEmpty() ? "no change" : String.join("; ", verdicts))
          .append(" |\n");
    }
    sb.append(checkpointCheck(results));
    sb.append(published(results));
    sb.append("\n## Not run\n\n");
    for (String s : Remedy.notRun()) {
      sb.append("- ").append(s).append('\n');
    }
    sb.append("\n## Remedies and settings\n\n| remedy | family | what changes |\n|---|---|---|\n");
    for (Remedy rem : remedies) {
      sb.append("| ")
          .append(rem.id())
          .append(" | ")
          .append(rem.family())
          .append(" | ")
          .append(rem.description())
          .append(" |\n");
    }
    sb.append(
        "\nFiles: remedies.csv (every run), <task>.md (tables per T), loss-<task>-T<T>.svg"
            + " (training loss of seed 0 per remedy), norm-<task>-T<T>-<remedy>.svg (pre-clip"
            + " gradient norm with clip events, seed 0).\n");
    Files.writeString(out.resolve("summary.md"), sb, StandardCharsets.UTF_8);
  }

  /**
   * The run a remedy is judged against: for a combination {@code a+b} the combination without its
   * last part when that ran, else the baseline.
   */
  static String reference(String id, List<RunResult> results) {
    int plus = id.lastIndexOf('+');
    if (plus > 0) {
      String prefix = id.substring(0, plus);
      if (results.stream().anyMatch(r -> r.remedy().equals(prefix))) {
        return prefix;
      }
    }
    return "baseline";
  }

  /**
   * Checkpointed BPTT must change memory, not learning: its runs equal their full-BPTT reference's
   * (the plotted histories; for merged runs, which have no curves, every printed field).
   */
  private String checkpointCheck(List<RunResult> results) {
    int same = 0, compared = 0;
    for (RunResult c : results) {
      if (!(c.remedy().equals("checkpointed") || c.remedy().endsWith("+checkpointed"))) {
        continue;
      }
      String ref = reference(c.remedy(), results);
      for (RunResult b : results) {
        if (b.remedy().equals(ref)
            && b.task().equals(c.task())
            && b.difficulty() == c.difficulty()
            && b.seed() == c.seed()) {
          compared++;
          boolean equal =
              mergedFrom == null
                  ? Arrays.equals(b.lossCurve(), c.lossCurve())
                      && Arrays.equals(b.normCurve(), c.normCurve())
                  : samePrintedFields(b, c);
          if (equal && b.stepsRun() == c.stepsRun()) {
            same++;
          }
        }
      }
    }
    if (compared == 0) {
      return "";
    }
    return "\n**Checkpointing changes memory, not learning:** "
        + same
        + " of "
        + compared
        + (mergedFrom == null
            ? " checkpointed runs have loss and gradient-norm histories (the plotted buckets) and"
            : " checkpointed runs have every field of remedies.csv but the wall time (final loss,"
                + " metric, failure rate, clip and spike counts, largest norm, gradient ratios;"
                + " each slice's own summary compares the plotted histories) and")
        + " step counts equal to those of their reference run of the same seed, the same remedy"
        + " with full BPTT (the gradient is bitwise full BPTT's).\n";
  }

  private static boolean samePrintedFields(RunResult a, RunResult b) {
    return a.mode().equals(b.mode())
        && a.success() == b.success()
        && a.stepsToSuccess() == b.stepsToSuccess()
        && g(a.finalLoss()).equals(g(b.finalLoss()))
        && g(a.metric()).equals(g(b.metric()))
        && g(a.failureRate()).equals(g(b.failureRate()))
        && a.clipEvents() == b.clipEvents()
        && a.skipped() == b.skipped()
        && a.firstNonFinite() == b.firstNonFinite()
        && a.lossSpikes() == b.lossSpikes()
        && a.gradSpikes() == b.gradSpikes()
        && g(a.maxNorm()).equals(g(b.maxNorm()))
        && g(a.ratioInit()).equals(g(b.ratioInit()))
        && g(a.ratioFinal()).equals(g(b.ratioFinal()));
  }

  private String published(List<RunResult> results) {
    StringBuilder sb = new StringBuilder("\n## Beside the published findings\n\n");
    for (Task task : tasks) {
      for (int t : lengths) {
        if (cell(results, task.name(), t, "baseline").isEmpty()) {
          continue;
        }
        String base = rate(results, task.name(), t, "baseline");
        String clip = rate(results, task.name(), t, "clip-strict-1");
        String irnn = rate(results, task.name(), t, "irnn");
        sb.append("- ")
            .append(task.name())
            .append(", T = ")
            .append(t)
            .append(": plain SGD ")
            .append(base)
            .append(", SGD + clipping at 1 ")
            .append(clip)
            .append(", IRNN ")
            .append(irnn)
            .append(", IRNN + clipping ")
            .append(rate(results, task.name(), t, "irnn+clip-strict-1"))
            .append("; with Adam: Elman ")
            .append(rate(results, task.name(), t, "adam"))
            .append(", IRNN ")
            .append(rate(results, task.name(), t, "adam+irnn"))
            .append(", LSTM ")
            .append(rate(results, task.name(), t, "adam+lstm"))
            .append(", GRU ")
            .append(rate(results, task.name(), t, "adam+gru"))
            .append(".\n");
      }
    }
    sb.append(
        "\nPascanu et al. (2013) report that clipping (θ = 1) lets SGD solve the adding and"
            + " temporal-order problems at lengths where plain SGD fails (50 hidden units, lr"
            + " 0.01, batch 20, up to 5 M updates). Le et al. (2015) solve the adding problem"
            + " with the IRNN up to T = 300 (with clipping, over a million iterations)."
            + " Arjovsky et al. (2016) train the LSTM on the adding problem at T = 100–750 with"
            + " RMSprop (lr 1e-3) and clipping at 1, 128 hidden units. This"
            + " experiment's budget is "
            + settings.steps()
            + " steps per run, orders of magnitude smaller: a remedy that does not succeed here"
            + " may still succeed with the published budgets; compare the final losses and"
            + " failure modes rather than only the success counts.\n");
    return sb.toString();
  }

  private String rate(List<RunResult> all, String task, int t, String remedy) {
    List<RunResult> c = cell(all, task, t, remedy);
    if (c.isEmpty()) {
      return "not run";
    }
    long ok = c.stream().filter(RunResult::success).count();
    return ok + "/" + c.size() + " solved (" + modes(c) + ")";
  }

  private String header(int runs) {
    String date = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    String what =
        mergedFrom == null
            ? String.format(
                Locale.ROOT,
                "Run %s, preset **%s**, %s %s, %d CPUs, Java %s; %d runs on %d threads in %.1f s.",
                date,
                preset,
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                runs,
                threads,
                totalSeconds)
            : String.format(
                Locale.ROOT,
                "Merged %s, preset **%s**: %d runs from %s (each slice's machine, date and wall"
                    + " time are in its own summary; the runs' wall times sum to %.0f s).",
                date,
                preset,
                runs,
                mergedFrom,
                totalSeconds);
    return what
        + String.format(
            Locale.ROOT,
            "%n%nPer run: H = %d, batch %d, budget %d steps (wall cap %.0f s), baseline SGD lr %s,"
                + " success checked every %d steps (screen %d fresh sequences, then %d), seeds"
                + " %d.%n",
            settings.hidden(),
            settings.batch(),
            settings.steps(),
            settings.wallSeconds(),
            g(settings.baseLr()),
            settings.evalEvery(),
            settings.screenCount(),
            settings.checkCount(),
            seeds);
  }

  static double median(double[] v) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  static String g(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4g", v) : String.valueOf(v);
  }

  static String f(double v, int digits) {
    return String.format(Locale.ROOT, "%." + digits + "f", v);
  }
}
