package dev.bptt.bench.remedies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.training.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Combinations of remedies, the reference each is judged against, and the runner end to end. */
class RemediesTest {

  @Test
  void combinationTakesWhatEachPartChanges() {
    Remedy r = Remedy.byId("adam+lstm");
    assertEquals("lstm", r.cell());
    assertEquals("adam", r.optimizer());
    assertEquals("full", r.strategy());
    assertEquals(Trainer.Clip.NONE, r.clip());

    Remedy c = Remedy.byId("irnn+clip-strict-1");
    assertEquals("elman-relu", c.cell());
    assertEquals(Remedy.Init.IDENTITY, c.init());
    assertEquals(Trainer.Clip.GLOBAL_NORM, c.clip());
    assertEquals(ClipRule.STRICT, c.rule());
    assertEquals(1.0, c.threshold());
    assertEquals("sgd", c.optimizer());

    Remedy k = Remedy.byId("adam+checkpointed");
    assertEquals("checkpointed", k.strategy());
    assertEquals("adam", k.optimizer());
    assertEquals("elman-tanh", k.cell());
    assertEquals("combination", k.family());
    assertThrows(IllegalArgumentException.class, () -> Remedy.byId("adam+nope"));
  }

  @Test
  void laterPartWinsWhereBothChangeTheSameSetting() {
    Remedy r = Remedy.byId("clip-strict-1+clip-value-0.1");
    assertEquals(Trainer.Clip.VALUE, r.clip());
    assertEquals(0.1, r.threshold());
  }

  @Test
  void referenceIsTheCombinationWithoutItsLastPartWhenThatRan() {
    List<RunResult> ran = List.of(stub("adam"), stub("irnn"));
    assertEquals("adam", Report.reference("adam+lstm", ran));
    assertEquals("irnn", Report.reference("irnn+clip-strict-1", ran));
    assertEquals("baseline", Report.reference("init-orthogonal+clip-strict-1", ran));
    assertEquals("baseline", Report.reference("lstm", ran));
  }

  /** The smoke preset end to end: every run reported, the summary and the tables written. */
  @Test
  void smokePresetWritesTheReport(@TempDir Path out) throws Exception {
    RemediesMain.main(
        new String[] {
          "--preset", "smoke", "--out", out.toString(), "--steps", "60", "--threads", "2"
        });
    String summary = Files.readString(out.resolve("summary.md"));
    for (String id : RemediesMain.SMOKE_REMEDIES) {
      assertTrue(summary.contains("| " + id + " |"), id + " missing from the summary");
    }
    List<String> csv = Files.readAllLines(out.resolve("remedies.csv"));
    assertEquals(1 + RemediesMain.SMOKE_REMEDIES.size(), csv.size(), "header + one row per run");
    assertTrue(Files.exists(out.resolve("adding.md")));
    assertTrue(Files.exists(out.resolve("loss-adding-T50.svg")));
  }

  /**
   * Slices merge into one report: every run's CSV line comes back unchanged, each slice gets its
   * column, a remedy a slice did not run shows "–", and a run given twice is refused.
   */
  @Test
  void slicesMergeIntoOneReport(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a"), b = tmp.resolve("b"), merged = tmp.resolve("all");
    RemediesMain.main(
        new String[] {
          "--preset", "smoke", "--out", a.toString(), "--steps", "40", "--lengths", "8"
        });
    RemediesMain.main(
        new String[] {
          "--preset",
          "smoke",
          "--out",
          b.toString(),
          "--steps",
          "40",
          "--lengths",
          "12",
          "--remedies",
          "baseline,adam"
        });
    RemediesMain.main(
        new String[] {"--preset", "smoke", "--merge", a + "," + b, "--out", merged.toString()});
    List<String> in = new java.util.ArrayList<>(Files.readAllLines(a.resolve("remedies.csv")));
    in.addAll(Files.readAllLines(b.resolve("remedies.csv")).subList(1, 3));
    assertEquals(in, Files.readAllLines(merged.resolve("remedies.csv")), "the runs, unchanged");
    String summary = Files.readString(merged.resolve("summary.md"));
    assertTrue(summary.contains("| remedy | adding T=8 | adding T=12 | reference | verdict |"));
    assertTrue(summary.contains("6 runs from a, b"), summary);
    String lstm = summary.lines().filter(l -> l.startsWith("| lstm |")).findFirst().orElseThrow();
    assertTrue(lstm.matches("\\| lstm \\| \\d/1 [A-Za-z0-9 ]+ \\| – \\| .*"), lstm);
    IllegalArgumentException twice =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RemediesMain.main(
                    new String[] {
                      "--preset", "smoke", "--merge", a + "," + a, "--out", merged.toString()
                    }));
    assertTrue(twice.getMessage().contains("appears twice"), twice.getMessage());
  }

  private static RunResult stub(String remedy) {
    return new RunResult(
        "adding",
        50,
        remedy,
        0,
        1,
        -1,
        false,
        1,
        0.2,
        1.0 / 6,
        0.2,
        0.1,
        0,
        0,
        -1,
        false,
        0,
        0,
        1,
        1,
        1,
        "stuck",
        new int[] {1},
        new float[] {0.2f},
        new float[] {1},
        new int[] {0});
  }
}
