package dev.bptt.verify.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.training.LrSchedule;
import org.junit.jupiter.api.Test;

/**
 * Schedules against the closed forms of torch.optim.lr_scheduler, on small tables computed by hand
 * (the values PyTorch's get_last_lr() shows): exact where the arithmetic is exact, else within a
 * few ulps of double.
 */
class LrScheduleTest {
  private static void table(LrSchedule s, double... expected) {
    for (int e = 0; e < expected.length; e++) {
      double got = s.lr(e);
      assertEquals(expected[e], got, 4 * Math.ulp(expected[e]), "epoch " + e);
    }
  }

  @Test
  void constant() {
    table(LrSchedule.constant(0.05), 0.05, 0.05, 0.05);
  }

  @Test
  void stepLrIsPyTorchsDocExample() {
    // StepLR(step_size=30, gamma=0.1), lr=0.05: 0.05 for e < 30, 0.005 for 30 <= e < 60, ...
    LrSchedule s = LrSchedule.step(0.05, 30, 0.1);
    for (int e = 0; e < 90; e++) {
      double want = e < 30 ? 0.05 : e < 60 ? 0.05 * 0.1 : 0.05 * 0.1 * 0.1;
      assertEquals(want, s.lr(e), 4 * Math.ulp(want), "epoch " + e);
    }
  }

  @Test
  void multiStepLrIsPyTorchsDocExample() {
    // MultiStepLR(milestones=[30, 80], gamma=0.1), lr=0.05.
    LrSchedule s = LrSchedule.multiStep(0.05, new int[] {80, 30}, 0.1);
    for (int e = 0; e < 100; e++) {
      double want = e < 30 ? 0.05 : e < 80 ? 0.005 : 0.0005;
      assertEquals(want, s.lr(e), 4 * Math.ulp(want), "epoch " + e);
    }
  }

  @Test
  void exponential() {
    table(LrSchedule.exponential(1, 0.5), 1, 0.5, 0.25, 0.125, 0.0625);
  }

  @Test
  void cosineAnnealing() {
    // T_max = 4, eta_min = 0.1, lr = 1: eta_min + 0.9·(1 + cos(πe/4))/2.
    double r = Math.sqrt(0.5);
    table(
        LrSchedule.cosine(1, 4, 0.1),
        1,
        0.1 + 0.9 * (1 + r) / 2,
        0.55,
        0.1 + 0.9 * (1 - r) / 2,
        0.1,
        0.1 + 0.9 * (1 - r) / 2,
        0.55);
  }

  @Test
  void linearWarmUpWithPyTorchsDefaults() {
    // LinearLR(start_factor=1/3, end_factor=1, total_iters=5) on lr = 0.3 (approximately the doc
    // table 0.1, 0.14, 0.18, 0.22, 0.26, 0.3, 0.3).
    LrSchedule s = LrSchedule.linear(0.3, 1.0 / 3, 1.0, 5);
    for (int e = 0; e <= 7; e++) {
      double want = 0.3 * (1.0 / 3 + (1 - 1.0 / 3) * Math.min(e, 5) / 5);
      assertEquals(want, s.lr(e), 1e-15, "epoch " + e);
    }
    assertEquals(0.1, s.lr(0), 1e-15);
    assertEquals(0.3, s.lr(5), 1e-15);
    assertEquals(0.3, s.lr(100), 1e-15);
  }

  @Test
  void sequentialWarmUpThenExponential() {
    // SequentialLR([ConstantLR-like warm-up as LinearLR(0.1, 1, 2), ExponentialLR(0.9)],
    // milestones=[2]): the second schedule restarts at its epoch 0.
    LrSchedule s =
        LrSchedule.sequential(
            new LrSchedule[] {LrSchedule.linear(1, 0.1, 1, 2), LrSchedule.exponential(1, 0.9)}, 2);
    table(s, 0.1, 0.55, 1, 0.9, 0.81, 0.9 * 0.81);
  }

  @Test
  void badArgumentsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(-1));
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.step(1, 0, 0.1));
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.step(1, 3, Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.cosine(1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.linear(1, 0, 1, 5));
    assertThrows(
        IllegalArgumentException.class, () -> LrSchedule.multiStep(1, new int[] {-1}, 0.1));
    assertThrows(
        IllegalArgumentException.class,
        () -> LrSchedule.sequential(new LrSchedule[] {LrSchedule.constant(1)}, 3));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            LrSchedule.sequential(
                new LrSchedule[] {
                  LrSchedule.constant(1), LrSchedule.constant(1), LrSchedule.constant(1)
                },
                5,
                5));
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(1).lr(-1));
  }

  @Test
  void boundaryArgumentsAreAccepted() {
    // MultiStepLR with a milestone at epoch 0: decayed from the start.
    table(LrSchedule.multiStep(1, new int[] {0, 2}, 0.5), 0.5, 0.5, 0.25, 0.25);
    // LinearLR with start_factor = 1 (its upper bound), decaying to 0.5 over 2 epochs.
    table(LrSchedule.linear(1, 1, 0.5, 2), 1, 0.75, 0.5, 0.5);
    // SequentialLR switching at epoch 1 (the smallest milestone).
    table(
        LrSchedule.sequential(
            new LrSchedule[] {LrSchedule.constant(0.1), LrSchedule.exponential(1, 0.5)}, 1),
        0.1,
        1,
        0.5,
        0.25);
  }

  @Test
  void gammaMayBeZeroOrOne() {
    table(LrSchedule.exponential(0.5, 1), 0.5, 0.5, 0.5);
    table(LrSchedule.step(0.5, 2, 0), 0.5, 0.5, 0, 0);
    table(LrSchedule.multiStep(0.5, new int[] {1}, 1), 0.5, 0.5, 0.5);
    table(LrSchedule.multiStep(0.5, new int[] {1}, 0), 0.5, 0, 0);
  }

  @Test
  void sequentialChecksTheEpochItself() {
    // The first schedule is the caller's own and accepts anything; the sequence still refuses e <
    // 0.
    LrSchedule lenient = e -> 0.5;
    LrSchedule s = LrSchedule.sequential(new LrSchedule[] {lenient, LrSchedule.constant(1)}, 2);
    assertEquals(0.5, s.lr(0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.lr(-1));
    assertEquals("epoch must be >= 0, got -1", e.getMessage());
  }

  @Test
  void linearNamesItsBadArguments() {
    for (double bad : new double[] {0, -0.5, 1.5, Double.NaN}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> LrSchedule.linear(1, bad, 1, 5));
      assertTrue(e.getMessage().startsWith("startFactor must be in (0, 1]"), e.getMessage());
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.linear(1, 0.5, 1.5, 5));
    assertEquals("endFactor must be in [0, 1], got 1.5", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> LrSchedule.linear(1, 0.5, 1, 0));
    assertEquals("totalIters must be >= 1, got 0", e.getMessage());
  }

  @Test
  void everyScheduleRefusesANegativeEpoch() {
    LrSchedule[] all = {
      LrSchedule.constant(1),
      LrSchedule.step(1, 2, 0.5),
      LrSchedule.multiStep(1, new int[] {2}, 0.5),
      LrSchedule.exponential(1, 0.5),
      LrSchedule.cosine(1, 4, 0),
      LrSchedule.linear(1, 0.5, 1, 4),
      LrSchedule.sequential(new LrSchedule[] {LrSchedule.constant(1)}),
    };
    for (LrSchedule s : all) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.lr(-1));
      assertEquals("epoch must be >= 0, got -1", e.getMessage());
    }
  }

  @Test
  void multiStepWithoutMilestonesIsConstant() {
    table(LrSchedule.multiStep(0.5, new int[0], 0.1), 0.5, 0.5, 0.5);
  }

  @Test
  void nullArraysAreNamed() {
    assertEquals(
        "milestones must not be null",
        assertThrows(NullPointerException.class, () -> LrSchedule.multiStep(1, null, 0.5))
            .getMessage());
    assertEquals(
        "schedules must not be null",
        assertThrows(NullPointerException.class, () -> LrSchedule.sequential(null)).getMessage());
    assertEquals(
        "milestones must not be null",
        assertThrows(
                NullPointerException.class,
                () ->
                    LrSchedule.sequential(new LrSchedule[] {LrSchedule.constant(1)}, (int[]) null))
            .getMessage());
  }

  @Test
  void sequentialRejectsAMissingScheduleByIndex() {
    NullPointerException e =
        assertThrows(
            NullPointerException.class,
            () ->
                LrSchedule.sequential(
                    new LrSchedule[] {LrSchedule.constant(1), null, LrSchedule.constant(1)}, 2, 4));
    assertEquals("schedules[1] must not be null", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            LrSchedule.sequential(
                new LrSchedule[] {LrSchedule.constant(1), LrSchedule.constant(1)}, 0));
  }
}
