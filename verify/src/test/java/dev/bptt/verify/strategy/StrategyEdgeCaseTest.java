package dev.bptt.verify.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.bptt.TruncationSchedule;
import dev.bptt.kernel.rnn.BatchThreads;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.SequenceShape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Values of the strategy and workspace classes that no other test compares, found as surviving
 * mutants of the pit profile (results/mutation/README.md): the stored-state count of every
 * strategy, the checkpoint budget's refusal message (the least budget and its segment, the first
 * one on a tie), the schedule's rejection of infinite parameters, and the accessors of the
 * workspace and the runner.
 */
class StrategyEdgeCaseTest {

  @Test
  void storedStatesOfEveryStrategy() {
    assertEquals(10, BpttStrategy.full().storedStates(9));
    assertEquals(10, BpttStrategy.truncated(3).storedStates(9));
    assertEquals(10, BpttStrategy.truncated(30).storedStates(9));
    assertEquals(
        10,
        BpttStrategy.randomized(TruncationSchedule.constant(0.5), new SplittableRandom(1))
            .storedStates(9));
    assertEquals(5, BpttStrategy.streaming(2, 4).storedStates(9));
    assertEquals(4, BpttStrategy.streaming(2, 4).storedStates(3));
    assertEquals(4, BpttStrategy.chunked(3).storedStates(9));
  }

  /** The refusal names the least budget that would work and its (first) segment length. */
  @Test
  void budgetTooSmallNamesTheLeastBudget() {
    for (int steps : new int[] {3, 6, 100, 1000}) {
      long least = steps + 1L;
      int at = steps;
      for (int s = 1; s < steps; s++) {
        int states = BpttStrategy.Checkpointed.storedStates(steps, s);
        if (states < least) {
          least = states;
          at = s;
        }
      }
      BpttStrategy.Checkpointed tight = BpttStrategy.checkpointedWithBudget(2);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> tight.segmentLength(steps));
      assertTrue(
          e.getMessage().contains("at least " + least + " states (segment " + at + ")"),
          "T=" + steps + ": " + e.getMessage());
      // The least budget itself is accepted, with a segment length that fits it.
      int seg = BpttStrategy.checkpointedWithBudget((int) least).segmentLength(steps);
      assertTrue(
          BpttStrategy.Checkpointed.storedStates(steps, seg) <= least, "T=" + steps + " s=" + seg);
    }
    IllegalArgumentException t =
        assertThrows(
            IllegalArgumentException.class,
            () -> BpttStrategy.checkpointedWithBudget(2).segmentLength(0));
    assertTrue(t.getMessage().startsWith("steps (T)"), t.getMessage());
  }

  @Test
  void polynomialTailRejectsInfiniteParameters() {
    IllegalArgumentException l =
        assertThrows(
            IllegalArgumentException.class,
            () -> TruncationSchedule.polynomialTail(Double.POSITIVE_INFINITY, 4));
    assertTrue(l.getMessage().contains("L0"), l.getMessage());
    IllegalArgumentException a =
        assertThrows(
            IllegalArgumentException.class,
            () -> TruncationSchedule.polynomialTail(10, Double.POSITIVE_INFINITY));
    assertTrue(a.getMessage().contains("alpha"), a.getMessage());
  }

  @Test
  void workspaceAndRunnerAccessors() {
    ElmanRnn rnn = new ElmanRnn(new RnnLayout(3, 4, 2), Activation.TANH);
    SequenceShape shape = SequenceShape.steps(5).batch(2);
    BpttStrategy s = BpttStrategy.truncated(2);
    BpttWorkspace ws = new BpttWorkspace(rnn, shape, s);
    assertSame(rnn, ws.network());
    assertSame(s, ws.sizedFor());
    assertNull(ws.threads());
    assertEquals(6, ws.storedStates());
    assertTrue(ws.floats() >= 6L * 2 * 4, "floats " + ws.floats());
    assertSame(rnn, new BpttRunner(rnn).network());
    try (BatchThreads team = BatchThreads.start(2)) {
      assertSame(team, new BpttWorkspace(rnn, shape, s, team).threads());
    }
  }
}
