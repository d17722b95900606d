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
import dev.bptt.verify.Gen;
import dev.bptt.verify.Shrink;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MSE and softmax cross-entropy against double references of PyTorch's formulas and against central
 * finite differences of their own value, both reductions, direct and as a {@link StepLoss} (N =
 * loss steps × B (× O)). Bounds: the gradient entries are rounded once to float (u relative) after
 * a double computation; the central difference with step h has truncation error at most
 * h²/6·max|f'''| (0 for the quadratic MSE, ≤ 1/N·0.1 for log-sum-exp per coordinate).
 */
class LossTest {
  static final double U = 0x1p-24;

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void mseMatchesReferenceAndFiniteDifferences(long seed) {
    Shrink.check(seed, new int[] {new Gen(seed).size(300)}, d -> mse(seed, d[0]));
  }

  private static String mse(long seed, int n) {
    Gen gen = new Gen(seed);
    Reduction r = gen.random().nextBoolean() ? Reduction.MEAN : Reduction.SUM;
    MseLoss loss = MseLoss.of().withReduction(r);
    float[] y = gen.array(n, 2f), t = gen.array(n, 2f), dy = new float[n];
    double value = loss.apply(y, 0, t, 0, n, dy, 0);
    double count = r == Reduction.MEAN ? Math.max(1, n) : 1;
    double ref = 0;
    for (int i = 0; i < n; i++) {
      double d = (double) y[i] - t[i];
      ref += d * d / count;
    }
    if (!(Math.abs(value - ref) <= 4 * n * 0x1p-53 * ref + Double.MIN_NORMAL)) {
      return r + " n=" + n + ": value " + value + " vs reference " + ref;
    }
    for (int i = 0; i < n; i++) {
      double g = 2 * ((double) y[i] - t[i]) / count;
      if (!(Math.abs(dy[i] - g) <= U * Math.abs(g) + Float.MIN_VALUE)) {
        return r + " n=" + n + ": dy[" + i + "] " + dy[i] + " vs reference " + g;
      }
      // Central difference (exact for a quadratic up to the rounding of the values).
      // The steps actually taken are those between floats: (y ± h) rounded, subtracted exactly.
      float keep = y[i];
      float h = 0x1p-8f;
      float hi = keep + h, lo = keep - h;
      y[i] = hi;
      double up = loss.apply(y, 0, t, 0, n, new float[n], 0);
      y[i] = lo;
      double down = loss.apply(y, 0, t, 0, n, new float[n], 0);
      y[i] = keep;
      double fd = (up - down) / ((double) hi - lo);
      double bound = U * Math.abs(g) + 16 * n * 0x1p-53 * (Math.abs(up) + Math.abs(down)) / h;
      if (!(Math.abs(fd - dy[i]) <= bound + Float.MIN_VALUE)) {
        return r + " n=" + n + ": finite difference " + fd + " vs dy[" + i + "] " + dy[i];
      }
    }
    return null;
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void crossEntropyMatchesReferenceAndFiniteDifferences(long seed) {
    Gen gen = new Gen(seed);
    Shrink.check(
        seed,
        new int[] {gen.size(1, 20), gen.size(1, 40)},
        d -> ce(seed, Math.max(1, d[0]), Math.max(1, d[1])));
  }

  private static String ce(long seed, int rows, int classes) {
    Gen gen = new Gen(~seed);
    SplittableRandom rnd = gen.random();
    Reduction r = rnd.nextBoolean() ? Reduction.MEAN : Reduction.SUM;
    CrossEntropyLoss loss = CrossEntropyLoss.of().withReduction(r);
    float scale = rnd.nextInt(4) == 0 ? 1e3f : 3f; // large logits: log-sum-exp must stay finite
    float[] x = gen.array(rows * classes, scale), dx = new float[rows * classes];
    int[] labels = new int[rows];
    for (int i = 0; i < rows; i++) {
      labels[i] = rnd.nextInt(classes);
    }
    double value = loss.apply(rows, classes, x, 0, labels, 0, dx, 0);
    double count = r == Reduction.MEAN ? rows : 1;
    double ref = 0;
    double[] grad = new double[rows * classes];
    for (int i = 0; i < rows; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < classes; j++) {
        max = Math.max(max, x[i * classes + j]);
      }
      double z = 0;
      for (int j = 0; j < classes; j++) {
        z += Math.exp(x[i * classes + j] - max);
      }
      ref += (Math.log(z) + max - x[i * classes + labels[i]]) / count;
      for (int j = 0; j < classes; j++) {
        double p = Math.exp(x[i * classes + j] - max) / z;
        grad[i * classes + j] = (p - (j == labels[i] ? 1 : 0)) / count;
      }
    }
    String where = r + " rows=" + rows + " classes=" + classes + " scale=" + scale;
    if (!Double.isFinite(value)
        || !(Math.abs(value - ref)
            <= 64 * classes * 0x1p-53 * (Math.abs(ref) + scale * rows / count))) {
      return where + ": value " + value + " vs reference " + ref;
    }
    double h = 0x1p-10;
    for (int e = 0; e < rows * classes; e++) {
      if (!(Math.abs(dx[e] - grad[e]) <= U * Math.abs(grad[e]) + 1e-14 / count)) {
        return where + ": dx[" + e + "] " + dx[e] + " vs reference " + grad[e];
      }
      if (scale > 100) {
        continue; // float steps of h do not exist at |x| ~ 1e3 resolution; value checked above
      }
      float keep = x[e];
      float hi = (float) (keep + h), lo = (float) (keep - h);
      x[e] = hi;
      double up = loss.apply(rows, classes, x, 0, labels, 0, new float[rows * classes], 0);
      x[e] = lo;
      double down = loss.apply(rows, classes, x, 0, labels, 0, new float[rows * classes], 0);
      x[e] = keep;
      double fd = (up - down) / ((double) hi - lo);
      double bound =
          h * h / 6 * 0.1 / count
              + U * Math.abs(grad[e])
              + 64 * classes * 0x1p-53 * (Math.abs(up) + scale * rows / count) / h;
      if (!(Math.abs(fd - dx[e]) <= bound)) {
        return where
            + ": finite difference "
            + fd
            + " vs dx["
            + e
            + "] "
            + dx[e]
            + " bound "
            + bound;
      }
    }
    return null;
  }

  @Test
  void stepLossUsesTheMeanOverAllLossSteps() {
    int t = 6, b = 3, o = 4;
    LossSteps steps = LossSteps.at(5, 2);
    Gen gen = new Gen(5);
    float[] targets = gen.array(2 * b * o, 1f);
    float[] y2 = gen.array(b * o, 1f), y5 = gen.array(b * o, 1f);
    StepLoss sl = MseLoss.of().stepLoss(steps, t, b, o, targets, 0);
    float[] d2 = new float[b * o], d5 = new float[b * o];
    double total = sl.apply(2, y2, 0, d2, 0) + sl.apply(5, y5, 0, d5, 0);
    // PyTorch: MSELoss over the stacked [2, B, O] outputs.
    float[] stacked = new float[2 * b * o], dStacked = new float[2 * b * o];
    System.arraycopy(y2, 0, stacked, 0, b * o);
    System.arraycopy(y5, 0, stacked, b * o, b * o);
    double whole = MseLoss.of().apply(stacked, 0, targets, 0, 2 * b * o, dStacked, 0);
    assertEquals(whole, total, 1e-15 * whole);
    for (int i = 0; i < b * o; i++) {
      assertEquals(dStacked[i], d2[i], 0f);
      assertEquals(dStacked[b * o + i], d5[i], 0f);
    }
    assertThrows(IllegalArgumentException.class, () -> sl.apply(3, y2, 0, d2, 0));

    int c = 5;
    int[] labels = {0, 1, 2, 3, 4, 0};
    float[] x2 = gen.array(b * c, 2f), x5 = gen.array(b * c, 2f);
    StepLoss ce = CrossEntropyLoss.of().stepLoss(steps, t, b, c, labels, 0);
    float[] e2 = new float[b * c], e5 = new float[b * c];
    double ceTotal = ce.apply(2, x2, 0, e2, 0) + ce.apply(5, x5, 0, e5, 0);
    float[] xs = new float[2 * b * c], ds = new float[2 * b * c];
    System.arraycopy(x2, 0, xs, 0, b * c);
    System.arraycopy(x5, 0, xs, b * c, b * c);
    double ceWhole = CrossEntropyLoss.of().apply(2 * b, c, xs, 0, labels, 0, ds, 0);
    assertEquals(ceWhole, ceTotal, 1e-14 * ceWhole);
    for (int i = 0; i < b * c; i++) {
      assertEquals(ds[i], e2[i], 0f);
      assertEquals(ds[b * c + i], e5[i], 0f);
    }
  }

  @Test
  void badLabelsAndOverlapsWriteNothing() {
    float[] x = {1, 2, 3, 4, 5, 6};
    float[] dx = {9, 9, 9, 9, 9, 9};
    var ex =
        assertThrows(
            IllegalArgumentException.class,
            () -> CrossEntropyLoss.of().apply(2, 3, x, 0, new int[] {0, 3}, 0, dx, 0));
    assertTrue(ex.getMessage().contains("labels[1]"), ex.getMessage());
    assertArrayEquals(new float[] {9, 9, 9, 9, 9, 9}, dx);
    assertThrows(
        IllegalArgumentException.class,
        () -> CrossEntropyLoss.of().apply(2, 3, x, 0, new int[] {0, -1}, 0, dx, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> MseLoss.of().apply(x, 0, x, 0, 3, x, 1)); // dy overlaps y partially
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, x);
    assertThrows(IndexOutOfBoundsException.class, () -> MseLoss.of().apply(x, 4, x, 0, 3, dx, 0));
    assertThrows(NullPointerException.class, () -> MseLoss.of().apply(null, 0, x, 0, 3, dx, 0));
    assertArrayEquals(new float[] {9, 9, 9, 9, 9, 9}, dx);
    // In place (dy = y) is allowed.
    float[] y = {1, 2};
    MseLoss.of().apply(y, 0, new float[] {0, 0}, 0, 2, y, 0);
    assertArrayEquals(new float[] {1, 2}, y);
  }

  @Test
  void crossEntropyIsStableForHugeLogits() {
    float[] x = {1e30f, -1e30f, 0f};
    float[] dx = new float[3];
    double v = CrossEntropyLoss.of().apply(1, 3, x, 0, new int[] {0}, 0, dx, 0);
    assertEquals(0.0, v, 0.0);
    assertArrayEquals(new float[] {0, 0, 0}, dx);
    double w = CrossEntropyLoss.of().apply(1, 3, x, 0, new int[] {2}, 0, dx, 0);
    assertEquals((double) 1e30f, w, 0.0); // lse = max x = 1e30f exactly
    assertArrayEquals(new float[] {1, 0, -1}, dx);
  }
}
