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
