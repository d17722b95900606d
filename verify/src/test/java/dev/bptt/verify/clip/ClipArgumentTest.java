package dev.bptt.verify.clip;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.ExplosionMonitor;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.verify.Gen;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad arguments are rejected with an exception whose message names the argument, before any write:
 * the gradient and weight arrays are bitwise unchanged afterwards.
 */
class ClipArgumentTest {
  private final Gen gen = new Gen(7);
  private final ClipCase grads = ClipCase.matrices(gen, 3, 6, 9, 5f);
  private final ClipCase weights = grads.sameShapes(gen, 1f);
  private final GradientClipper clipper = GradientClipper.of(ClipRule.STRICT);
  private final ClipResult out = new ClipResult();

  private <T extends Throwable> void rejects(Class<T> type, String mention, Executable call) {
    T e = assertThrows(type, call);
    assertTrue(
        e.getMessage() != null && e.getMessage().contains(mention),
        "message should name '" + mention + "': " + e.getMessage());
    assertTrue(grads.unchanged(), "gradient written before the rejection");
    assertTrue(weights.unchanged(), "weights written before the rejection");
  }

  @Test
  void globalNormRejectsBadArguments() {
    rejects(
        NullPointerException.class,
        "grads",
        () -> clipper.clipGlobalNorm((TensorGroup) null, 1, out));
    rejects(NullPointerException.class, "grads", () -> clipper.clipGlobalNorm((float[]) null, 1));
    rejects(NullPointerException.class, "out", () -> clipper.clipGlobalNorm(grads.set, 1, null));
    rejects(
        IllegalArgumentException.class,
        "maxNorm",
        () -> clipper.clipGlobalNorm(grads.set, Double.NaN, out));
    rejects(
        IllegalArgumentException.class,
        "maxNorm",
        () -> clipper.clipGlobalNorm(grads.set, -1e-9, out));
    rejects(
        IllegalArgumentException.class,
        "maxNorm",
        () -> clipper.clipGlobalNorm(grads.set, Double.NEGATIVE_INFINITY, out));
  }

  @Test
  void perViewRejectsBadThresholdsBeforeAnyView() {
    rejects(
        NullPointerException.class,
        "maxNorms",
        () -> clipper.clipPerView(grads.set, (double[]) null, out));
    rejects(
        IllegalArgumentException.class,
        "maxNorms",
        () -> clipper.clipPerView(grads.set, new double[] {1, 1}, out));
    // The bad threshold is the last one: the first views must not have been clipped already.
    rejects(
        IllegalArgumentException.class,
        "maxNorms[2]",
        () -> clipper.clipPerView(grads.set, new double[] {1e-3, 1e-3, Double.NaN}, out));
    rejects(
        IllegalArgumentException.class, "maxNorm", () -> clipper.clipPerView(grads.set, -2.0, out));
  }

  @Test
  void valueClipRejectsBadBounds() {
    rejects(
        IllegalArgumentException.class,
        "clipValue",
        () -> clipper.clipValue(grads.set, Float.NaN, out));
    rejects(
        IllegalArgumentException.class,
        "clipValue",
        () -> clipper.clipValue(grads.set, -0.5f, out));
    rejects(NullPointerException.class, "grads", () -> clipper.clipValue(null, 0.5f, out));
  }

  @Test
  void adaptiveRejectsMismatchedOrOverlappingWeights() {
    rejects(
        NullPointerException.class,
        "weights",
        () -> clipper.clipAdaptive(grads.set, null, 0.01, out));
    rejects(
        IllegalArgumentException.class,
        "lambda",
        () -> clipper.clipAdaptive(grads.set, weights.set, Double.NaN, out));
    rejects(
        IllegalArgumentException.class,
        "lambda",
        () -> clipper.clipAdaptive(grads.set, weights.set, -0.01, out));
    rejects(
        IllegalArgumentException.class,
        "eps",
        () -> clipper.clipAdaptive(grads.set, weights.set, 0.01, Double.POSITIVE_INFINITY, out));
    rejects(
        IllegalArgumentException.class,
        "eps",
        () -> clipper.clipAdaptive(grads.set, weights.set, 0.01, -1e-3, out));
    TensorGroup fewer = TensorGroup.of(weights.set.view(0), weights.set.view(1));
    rejects(
        IllegalArgumentException.class,
        "views",
        () -> clipper.clipAdaptive(grads.set, fewer, 0.01, out));
    float[] other = new float[1000];
    TensorView g0 = grads.set.view(0);
    TensorGroup wrongShape =
        TensorGroup.of(
            TensorView.matrix("w0", other, 0, g0.rows() + 1, g0.cols()),
            weights.set.view(1),
            weights.set.view(2));
    rejects(
        IllegalArgumentException.class,
        "w0",
        () -> clipper.clipAdaptive(grads.set, wrongShape, 0.01, out));
    // Weights that share entries with the gradient (same array, intersecting ranges).
    float[] buf = {1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f};
    float[] keep = buf.clone();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                clipper.clipAdaptive(
                    TensorView.vector("g", buf, 0, 4),
                    TensorView.vector("w", buf, 2, 4),
                    1e-6,
                    out));
    assertTrue(
        e.getMessage().contains("'g'")
            && e.getMessage().contains("'w'")
            && e.getMessage().contains("share"),
        e.getMessage());
    assertTrue(
        java.util.Arrays.equals(keep, buf), "gradient written before the overlap was rejected");
  }

  @Test
  void clipperConfigurationRejectsBadValues() {
    rejects(NullPointerException.class, "rule", () -> GradientClipper.of(null));
    rejects(NullPointerException.class, "normType", () -> clipper.withNormType(null));
    rejects(NullPointerException.class, "policy", () -> clipper.withNonFinitePolicy(null));
    for (float s : new float[] {0f, -1f, Float.NaN, Float.POSITIVE_INFINITY, 0x1p127f, 0x1p-127f}) {
      rejects(IllegalArgumentException.class, "lossScale", () -> clipper.withLossScale(s));
    }
  }

  @Test
  void viewsAndGroupsRejectBadShapes() {
    float[] a = new float[10];
    rejects(NullPointerException.class, "array", () -> TensorView.vector("x", null, 0, 1));
    rejects(NullPointerException.class, "name", () -> TensorView.vector(null, a, 0, 1));
    rejects(IndexOutOfBoundsException.class, "'x'", () -> TensorView.vector("x", a, -1, 1));
    rejects(IndexOutOfBoundsException.class, "'x'", () -> TensorView.vector("x", a, 5, 6));
    rejects(
        IndexOutOfBoundsException.class,
        "'m'",
        () -> TensorView.matrix("m", a, 0, 1 << 16, 1 << 16));
    rejects(IllegalArgumentException.class, "rows", () -> TensorView.matrix("m", a, 0, -1, 2));
    rejects(IllegalArgumentException.class, "cols", () -> TensorView.matrix("m", a, 0, 2, -1));
    rejects(
        IllegalArgumentException.class,
        "'p' [0, 6) and 'q' [5, 7)",
        () -> TensorGroup.of(TensorView.vector("p", a, 0, 6), TensorView.vector("q", a, 5, 2)));
    rejects(NullPointerException.class, "views[1]", () -> TensorGroup.of(TensorView.of(a), null));
  }

  @Test
  void monitorRejectsBadConfiguration() {
    rejects(IllegalArgumentException.class, "spikeFactor", () -> new ExplosionMonitor(0, 10, 1, 8));
    rejects(
        IllegalArgumentException.class,
        "spikeFactor",
        () -> new ExplosionMonitor(Double.NaN, 10, 1, 8));
    rejects(IllegalArgumentException.class, "window", () -> new ExplosionMonitor(5, 0, 1, 8));
    rejects(IllegalArgumentException.class, "warmup", () -> new ExplosionMonitor(5, 10, -1, 8));
    rejects(
        IllegalArgumentException.class,
        "historyCapacity",
        () -> new ExplosionMonitor(5, 10, 1, -8));
    rejects(IllegalArgumentException.class, "norm", () -> new ExplosionMonitor().observe(-1.0));
    rejects(
        IllegalArgumentException.class,
        "multiple",
        () -> new ExplosionMonitor().suggestedThreshold(0));
  }
}
