package dev.bptt.verify.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.StepLoss;
import dev.bptt.kernel.training.CrossEntropyLoss;
import dev.bptt.kernel.training.MseLoss;
import dev.bptt.kernel.training.Reduction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The argument contracts of {@link MseLoss} and {@link CrossEntropyLoss} (and of their step
 * losses), one check at a time: each bad argument is rejected with the documented exception type, a
 * message that names the argument, and nothing written to the gradient.
 */
class LossArgumentTest {
  private static final float SENTINEL = 9f;

  private static float[] sentinel(int n) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, SENTINEL);
    return a;
  }

  /** Expects type with a message starting with prefix, and every array in unchanged untouched. */
  private static void rejects(
      Class<? extends Throwable> type, String prefix, Executable call, float[]... unchanged) {
    float[][] before = new float[unchanged.length][];
    for (int i = 0; i < unchanged.length; i++) {
      before[i] = unchanged[i].clone();
    }
    Throwable t = assertThrows(type, call, "expected: " + prefix);
    assertTrue(
        t.getMessage() != null && t.getMessage().startsWith(prefix),
        "message '" + t.getMessage() + "' should start with '" + prefix + "'");
    for (int i = 0; i < unchanged.length; i++) {
      assertArrayEquals(before[i], unchanged[i], "array " + i + " was written");
    }
  }

  // ---- MseLoss.apply ----

  @Test
  void mseRejectsANegativeCount() {
    float[] y = {1, 2}, t = {0, 0}, dy = sentinel(2);
    rejects(
        IllegalArgumentException.class,
        "n must be >= 0",
        () -> MseLoss.of().apply(y, 0, t, 0, -1, dy, 0),
        dy);
    // n = 0 is a valid empty loss.
    assertEquals(0.0, MseLoss.of().apply(y, 0, t, 0, 0, dy, 0), 0.0);
    assertArrayEquals(sentinel(2), dy);
  }

  @Test
  void mseRejectsAMeanCountBelowOne() {
    float[] y = {1, 2}, t = {0, 0}, dy = sentinel(2);
    for (long bad : new long[] {0, -3}) {
      for (Reduction r : Reduction.values()) {
        rejects(
            IllegalArgumentException.class,
            "meanCount must be >= 1",
            () -> MseLoss.of().withReduction(r).apply(y, 0, t, 0, 2, dy, 0, bad),
            dy);
      }
    }
    // N = 4 for two elements: Σ(y − y*)²/4 = 5/4, ∂/∂y = 2(y − y*)/4.
    assertEquals(1.25, MseLoss.of().apply(y, 0, t, 0, 2, dy, 0, 4), 0.0);
    assertArrayEquals(new float[] {0.5f, 1f}, dy);
  }

  @Test
  void mseRejectsAPartialOverlapOfDyWithYOrTarget() {
    // dy overlaps y partially (target elsewhere).
    float[] shared = {1, 2, 3, 4}, t = {0, 0, 0};
    Throwable e =
        assertThrows(
            IllegalArgumentException.class,
            () -> MseLoss.of().apply(shared, 0, t, 0, 3, shared, 1));
    assertTrue(e.getMessage().startsWith("y [0, 3) and dy [1, 4) overlap"), e.getMessage());
    assertArrayEquals(new float[] {1, 2, 3, 4}, shared);
    // dy overlaps target partially (y elsewhere).
    float[] y = {5, 5, 5};
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> MseLoss.of().apply(y, 0, shared, 1, 3, shared, 0));
    assertTrue(e.getMessage().startsWith("target [1, 4) and dy [0, 3) overlap"), e.getMessage());
    assertArrayEquals(new float[] {1, 2, 3, 4}, shared);
    // Disjoint ranges of one array are fine: y = [1, 2], dy = [3, 4] ← 2(y − 0)/2.
    float[] one = {1, 2, 7, 7};
    assertEquals(2.5, MseLoss.of().apply(one, 0, new float[2], 0, 2, one, 2), 0.0);
    assertArrayEquals(new float[] {1, 2, 1, 2}, one);
  }

  @Test
  void mseRejectsShortTargetsAndGradientsBeforeWriting() {
    float[] y = {1, 2, 3};
    float[] dy = sentinel(3);
    rejects(
        IndexOutOfBoundsException.class,
        "target:",
        () -> MseLoss.of().apply(y, 0, new float[2], 0, 3, dy, 0),
        dy);
    float[] shortDy = sentinel(2);
    rejects(
        IndexOutOfBoundsException.class,
        "dy:",
        () -> MseLoss.of().apply(y, 0, new float[3], 0, 3, shortDy, 0),
        shortDy);
  }

  // ---- MseLoss.stepLoss ----

  @Test
  void mseStepLossRejectsBadSizes() {
    float[] targets = new float[64];
    LossSteps all = LossSteps.everyStep();
    rejects(
        NullPointerException.class,
        "losses must not be null",
        () -> MseLoss.of().stepLoss(null, 2, 2, 2, targets, 0));
    rejects(
        IllegalArgumentException.class,
        "steps (T) must be >= 1",
        () -> MseLoss.of().stepLoss(all, 0, 2, 2, targets, 0));
    rejects(
        IllegalArgumentException.class,
        "batch must be >= 1",
        () -> MseLoss.of().stepLoss(all, 2, 0, 2, targets, 0));
    rejects(
        IllegalArgumentException.class,
        "outputs must be >= 1",
        () -> MseLoss.of().stepLoss(all, 2, 2, 0, targets, 0));
    rejects(
        IndexOutOfBoundsException.class,
        "targets:",
        () -> MseLoss.of().stepLoss(all, 4, 4, 5, targets, 0)); // 80 > 64
    // B·O must fit an int: exactly Integer.MAX_VALUE does (then the targets are too short), one
    // more does not.
    rejects(
        IndexOutOfBoundsException.class,
        "targets:",
        () -> MseLoss.of().stepLoss(LossSteps.lastStep(), 1, 1, Integer.MAX_VALUE, targets, 0));
    rejects(
        IllegalArgumentException.class,
        "batch=2 times outputs=1073741824 does not fit an int block",
        () -> MseLoss.of().stepLoss(LossSteps.lastStep(), 1, 2, 1 << 30, targets, 0));
  }

  @Test
  void mseStepLossRejectsShortOutputsAndGradientsBeforeWriting() {
    int b = 2, o = 3;
    float[] targets = new float[2 * b * o];
    StepLoss sl = MseLoss.of().stepLoss(LossSteps.everyStep(), 2, b, o, targets, 0);
    float[] y = {1, 1, 1, 1, 1, 1};
    float[] dy = sentinel(b * o);
    rejects(
        IndexOutOfBoundsException.class,
        "y:",
        () -> sl.apply(1, new float[] {1, 1, 1, 1, 1}, 0, dy, 0),
        dy);
    rejects(IndexOutOfBoundsException.class, "y:", () -> sl.apply(1, y, 1, dy, 0), dy);
    float[] shortDy = sentinel(b * o - 1);
    rejects(IndexOutOfBoundsException.class, "dy:", () -> sl.apply(1, y, 0, shortDy, 0), shortDy);
    rejects(IndexOutOfBoundsException.class, "dy:", () -> sl.apply(2, y, 0, dy, 1), dy);
    // The valid call: N = T·B·O = 12, ∂/∂y = 2(1 − 0)/12.
    assertEquals(6.0 / 12, sl.apply(2, y, 0, dy, 0), 1e-15);
    for (float d : dy) {
      assertEquals((float) (2.0 / 12), d, 0f);
    }
  }

  // ---- CrossEntropyLoss.apply ----

  @Test
  void crossEntropyNeedsAClassWhenThereAreRows() {
    float[] dx = sentinel(4);
    rejects(
        IllegalArgumentException.class,
        "classes must be >= 1 when rows > 0",
        () -> CrossEntropyLoss.of().apply(2, 0, new float[0], 0, new int[] {0, 0}, 0, dx, 0),
        dx);
    // No rows and no classes: an empty loss, 0, nothing written.
    assertEquals(
        0.0, CrossEntropyLoss.of().apply(0, 0, new float[0], 0, new int[0], 0, dx, 0), 0.0);
    assertArrayEquals(sentinel(4), dx);
  }

  @Test
  void crossEntropyNamesEachBadArgument() {
    float[] x = {1, 2, 3, 4};
    float[] dx = sentinel(4);
    int[] labels = {0, 1};
    CrossEntropyLoss ce = CrossEntropyLoss.of();
    rejects(
        IllegalArgumentException.class,
        "rows must be >= 0",
        () -> ce.apply(-1, 2, x, 0, labels, 0, dx, 0),
        dx);
    rejects(
        IllegalArgumentException.class,
        "classes must be >= 0",
        () -> ce.apply(1, -1, x, 0, labels, 0, dx, 0),
        dx);
    rejects(
        NullPointerException.class,
        "labels must not be null",
        () -> ce.apply(2, 2, x, 0, null, 0, dx, 0),
        dx);
    rejects(
        IndexOutOfBoundsException.class,
        "labels: offset 0 + rows 2 does not fit length 1",
        () -> ce.apply(2, 2, x, 0, new int[] {0}, 0, dx, 0),
        dx);
    rejects(
        IndexOutOfBoundsException.class,
        "labels: offset 1 + rows 2 does not fit length 2",
        () -> ce.apply(2, 2, x, 0, labels, 1, dx, 0),
        dx);
    for (long bad : new long[] {0, -1}) {
      rejects(
          IllegalArgumentException.class,
          "meanCount must be >= 1",
          () -> ce.apply(2, 2, x, 0, labels, 0, dx, 0, bad),
          dx);
    }
  }

  @Test
  void crossEntropyRejectsShortLogitsAndGradientsBeforeWriting() {
    float[] dx = sentinel(4);
    rejects(
        IndexOutOfBoundsException.class,
        "x:",
        () -> CrossEntropyLoss.of().apply(2, 2, new float[3], 0, new int[] {0, 1}, 0, dx, 0),
        dx);
    float[] shortDx = sentinel(3);
    rejects(
        IndexOutOfBoundsException.class,
        "dx:",
        () -> CrossEntropyLoss.of().apply(2, 2, new float[4], 0, new int[] {0, 1}, 0, shortDx, 0),
        shortDx);
  }

  @Test
  void crossEntropyStepLossRefusesAStepWithoutLoss() {
    StepLoss sl = CrossEntropyLoss.of().stepLoss(LossSteps.at(2), 3, 1, 2, new int[] {0}, 0);
    float[] dy = sentinel(2);
    rejects(
        IllegalArgumentException.class,
        "step 1 carries no loss",
        () -> sl.apply(1, new float[2], 0, dy, 0),
        dy);
    assertEquals(Math.log(2), sl.apply(2, new float[2], 0, dy, 0), 1e-15);
  }

  @Test
  void crossEntropyRejectsAPartialOverlapOfDxWithX() {
    // Two rows of two classes at x[0..4), dx at x[2..6): partial overlap.
    float[] x = {0, 0, 0, 0, 7, 7, 7, 7};
    Throwable e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CrossEntropyLoss.of().apply(2, 2, x, 0, new int[] {0, 1}, 0, x, 2));
    assertTrue(e.getMessage().startsWith("x [0, 4) and dx [2, 6) overlap"), e.getMessage());
    assertArrayEquals(new float[] {0, 0, 0, 0, 7, 7, 7, 7}, x);
    // dx after x in the same array: allowed. Equal logits: p = 1/2, ℓ = ln 2 per row, N = 2.
    double v = CrossEntropyLoss.of().apply(2, 2, x, 0, new int[] {0, 1}, 0, x, 4);
    assertEquals(Math.log(2), v, 1e-15);
    assertArrayEquals(new float[] {0, 0, 0, 0, -0.25f, 0.25f, 0.25f, -0.25f}, x);
    // dx before x in the same array: allowed too.
    float[] z = {7, 7, 0, 0};
    CrossEntropyLoss.of().apply(1, 2, z, 2, new int[] {1}, 0, z, 0);
    assertArrayEquals(new float[] {0.5f, -0.5f, 0, 0}, z);
  }

  // ---- CrossEntropyLoss.stepLoss ----

  @Test
  void crossEntropyStepLossRejectsBadSizes() {
    int[] labels = new int[12];
    LossSteps all = LossSteps.everyStep();
    CrossEntropyLoss ce = CrossEntropyLoss.of();
    rejects(
        NullPointerException.class,
        "losses must not be null",
        () -> ce.stepLoss(null, 2, 2, 2, labels, 0));
    rejects(
        IllegalArgumentException.class,
        "steps (T) must be >= 1",
        () -> ce.stepLoss(all, 0, 2, 2, labels, 0));
    rejects(
        IllegalArgumentException.class,
        "batch must be >= 1",
        () -> ce.stepLoss(all, 2, 0, 2, labels, 0));
    rejects(
        IllegalArgumentException.class,
        "classes must be >= 1",
        () -> ce.stepLoss(all, 2, 2, 0, labels, 0));
    rejects(
        NullPointerException.class,
        "labels must not be null",
        () -> ce.stepLoss(all, 2, 2, 2, null, 0));
    // T·B labels are needed: 4 steps × 4 = 16 > 12 (and 2 × 6 = 12 fits exactly).
    rejects(
        IndexOutOfBoundsException.class,
        "labels: offset 0 + 4 loss steps x batch 4",
        () -> ce.stepLoss(all, 4, 4, 2, labels, 0));
    rejects(
        IndexOutOfBoundsException.class,
        "labels: offset 1 + 2 loss steps x batch 6",
        () -> ce.stepLoss(all, 2, 6, 2, labels, 1));
    ce.stepLoss(all, 2, 6, 2, labels, 0);
    // B·C must fit an int: exactly Integer.MAX_VALUE does, one more does not.
    ce.stepLoss(LossSteps.lastStep(), 1, 1, Integer.MAX_VALUE, new int[1], 0);
    rejects(
        IllegalArgumentException.class,
        "batch=2 times classes=1073741824 does not fit an int block",
        () -> ce.stepLoss(LossSteps.lastStep(), 1, 2, 1 << 30, new int[2], 0));
  }

  @Test
  void crossEntropyStepLossRejectsShortLogitsBeforeWriting() {
    int b = 2, c = 3;
    StepLoss sl =
        CrossEntropyLoss.of().stepLoss(LossSteps.everyStep(), 1, b, c, new int[] {0, 1}, 0);
    float[] dy = sentinel(b * c);
    rejects(IndexOutOfBoundsException.class, "y:", () -> sl.apply(1, new float[5], 0, dy, 0), dy);
    float[] shortDy = sentinel(b * c - 1);
    rejects(
        IndexOutOfBoundsException.class,
        "dy:",
        () -> sl.apply(1, new float[6], 0, shortDy, 0),
        shortDy);
  }

  @Test
  void crossEntropyStepLossChecksTheStepsLabelsBeforeWriting() {
    int b = 2, c = 3;
    int[] labels = {0, 2, 1, 3}; // step 1: {0, 2}, step 2: {1, 3} (3 is not a class)
    StepLoss sl = CrossEntropyLoss.of().stepLoss(LossSteps.everyStep(), 2, b, c, labels, 0);
    float[] y = new float[b * c];
    float[] dy = sentinel(b * c);
    rejects(IllegalArgumentException.class, "labels[3] = 3", () -> sl.apply(2, y, 0, dy, 0), dy);
    labels[3] = -1;
    rejects(IllegalArgumentException.class, "labels[3] = -1", () -> sl.apply(2, y, 0, dy, 0), dy);
    // Step 1 is fine: equal logits, N = 4 (2 steps × 2), ℓ = ln 3 per row.
    assertEquals(2 * Math.log(3) / 4, sl.apply(1, y, 0, dy, 0), 1e-15);
    float third = (float) ((1.0 / 3) / 4), hit = (float) ((1.0 / 3 - 1) / 4);
    assertArrayEquals(new float[] {hit, third, third, third, third, hit}, dy);
  }
}
