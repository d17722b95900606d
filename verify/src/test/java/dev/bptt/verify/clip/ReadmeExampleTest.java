package dev.bptt.verify.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.ExplosionMonitor;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.NonFinitePolicy;
import dev.bptt.kernel.clip.NormType;
import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.verify.NaiveClip;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The README's "Gradient clipping" example, compiled and run as written. */
class ReadmeExampleTest {

  @Test
  void readmeExampleRuns() {
    // README-EXAMPLE-BEGIN clip
    // Parameters and gradients in two flat arrays with the same layout of named views.
    int h = 8;
    int d = 3;
    float[] params = new float[h * d + h];
    float[] grads = new float[params.length];
    TensorGroup g =
        TensorGroup.of(
            TensorView.matrix("W_xh", grads, 0, h, d), TensorView.vector("b_h", grads, h * d, h));

    GradientClipper clip =
        GradientClipper.of(ClipRule.STRICT) // d2l / Pascanu: scale only when ‖g‖ > θ
            .withNonFinitePolicy(NonFinitePolicy.SKIP); // on NaN/inf: leave g, skip the step
    ClipResult result = new ClipResult(); // reused: no allocation per step
    ExplosionMonitor monitor = new ExplosionMonitor(); // spike = norm > 10 × running mean

    SplittableRandom rnd = new SplittableRandom(42);
    for (int step = 0; step < 100; step++) {
      for (int i = 0; i < grads.length; i++) { // stand-in for a backward pass
        grads[i] = (float) rnd.nextGaussian() * (step == 60 ? 100f : 1f);
      }
      clip.clipGlobalNorm(g, 1.0, result); // in place: ‖g‖₂ ≤ 1
      if (monitor.observe(result) == ExplosionMonitor.Status.SPIKE) {
        System.out.printf(
            "step %d: gradient norm %.1f is a spike (mean %.2f)%n",
            step, result.totalNorm(), monitor.mean());
      }
      if (result.skipStep()) {
        continue;
      }
      for (int i = 0; i < params.length; i++) {
        params[i] -= 0.1f * grads[i]; // SGD
      }
    }
    // Adaptive clipping (AGC) of the same gradients against the parameters, λ = 0.01:
    clip.clipAdaptive(g, g.on(params), 0.01, result);
    // README-EXAMPLE-END clip

    assertEquals(100, monitor.steps());
    assertEquals(1, monitor.spikeCount());
    assertTrue(NaiveClip.norm(NormType.L2, NaiveClip.values(g)) <= 1.0 + 1e-6);
  }
}
