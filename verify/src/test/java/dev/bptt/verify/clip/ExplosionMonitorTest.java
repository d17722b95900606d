package dev.bptt.verify.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.ExplosionMonitor;
import dev.bptt.kernel.clip.ExplosionMonitor.Status;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.NonFinitePolicy;
import dev.bptt.verify.Gen;
import dev.bptt.verify.NaiveClip;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The explosion monitor: its running statistics equal the plain mean and population variance within
 * the window and follow the EMA closed form after it; spikes, warm-up, non-finite norms and the
 * history ring behave as documented.
 */
class ExplosionMonitorTest {

  /**
   * With a window longer than the sequence the statistics are Welford's mean and population
   * variance. Each update rounds a few times at magnitude ≤ max|x| (mean) or ≤ (2·max|x|)²
   * (variance) and earlier errors are damped by (1 − 1/t) ≤ 1, so after t steps the errors are at
   * most 4t·2⁻⁵³·max|x| and 32t·2⁻⁵³·max|x|².
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void withinTheWindowStatisticsAreThePlainMeanAndVariance(long seed) {
    Gen gen = new Gen(seed);
    int t = gen.size(1, 500);
    double scale = gen.scaleExp();
    double[] x = new double[t];
    ExplosionMonitor m = new ExplosionMonitor(10, Integer.MAX_VALUE, 0, 0);
    double max = 0;
    for (int i = 0; i < t; i++) {
      x[i] = scale * gen.random().nextDouble();
      max = Math.max(max, x[i]);
      m.observe(x[i]);
    }
    double mean = 0;
    for (double v : x) {
      mean += v;
    }
    mean /= t;
    double var = 0;
    for (double v : x) {
      var += (v - mean) * (v - mean);
    }
    var /= t;
    assertEquals(mean, m.mean(), 4.0 * (t + 2) * NaiveClip.UD * max, "seed=" + seed + " t=" + t);
    assertEquals(
        var, m.variance(), 32.0 * (t + 2) * NaiveClip.UD * max * max, "seed=" + seed + " t=" + t);
    assertEquals(t, m.finiteCount());
  }

  /**
   * After the window the mean is an EMA with weight 1/w: a step from a to b decays as b + (a − b)(1
   * − 1/w)^j.
   */
  @Test
  void afterTheWindowTheMeanFollowsTheEmaClosedForm() {
    int w = 20;
    ExplosionMonitor m = new ExplosionMonitor(1e9, w, 0, 0);
    double a = 2;
    double b = 5;
    for (int i = 0; i < w; i++) {
      m.observe(a);
    }
    assertEquals(a, m.mean(), 0.0);
    assertEquals(0.0, m.variance(), 0.0);
    for (int j = 1; j <= 200; j++) {
      m.observe(b);
      double want = b + (a - b) * Math.pow(1 - 1.0 / w, j);
      assertEquals(want, m.mean(), 8.0 * j * NaiveClip.UD * b, "j=" + j);
    }
  }

  @Test
  void spikesAreFlaggedAboveKTimesTheMeanAfterWarmup() {
    ExplosionMonitor m = new ExplosionMonitor(10, 100, 5, 64);
    Gen gen = new Gen(3);
    assertSame(Status.WARMUP, m.observe(1.0));
    assertSame(Status.WARMUP, m.observe(1000.0)); // no spike test during warm-up
    for (int i = 0; i < 40; i++) {
      m.observe(0.9 + 0.2 * gen.random().nextDouble());
    }
    double threshold = m.spikeThreshold();
    assertEquals(10 * m.mean(), threshold, 0.0);
    assertSame(Status.NORMAL, m.observe(threshold));
    assertSame(Status.SPIKE, m.observe(Math.nextUp(10 * m.mean())));
    assertSame(Status.NORMAL, m.observe(m.mean()));
    assertEquals(1, m.spikeCount());
    assertSame(Status.NORMAL, m.lastStatus());
    assertEquals(2 * m.mean(), m.suggestedThreshold(2), 0.0);
  }

  @Test
  void nonFiniteNormsAreCountedAndKeptOutOfTheStatistics() {
    ExplosionMonitor m = new ExplosionMonitor(10, 100, 0, 8);
    m.observe(1.0);
    m.observe(3.0);
    double mean = m.mean();
    double var = m.variance();
    assertSame(Status.NON_FINITE, m.observe(Double.NaN));
    assertSame(Status.NON_FINITE, m.observe(Double.POSITIVE_INFINITY));
    assertEquals(mean, m.mean(), 0.0);
    assertEquals(var, m.variance(), 0.0);
    assertEquals(2, m.nonFiniteCount());
    assertEquals(4, m.steps());
    assertEquals(2, m.finiteCount());
    assertTrue(Double.isNaN(m.history(2)));
    assertEquals(Double.POSITIVE_INFINITY, m.history(3), 0.0);
  }

  @Test
  void observesTheResultOfAClip() {
    ExplosionMonitor m = new ExplosionMonitor();
    float[] g = {3f, 4f};
    ClipResult r = GradientClipper.of(ClipRule.STRICT).clipGlobalNorm(g, 1.0);
    assertSame(Status.WARMUP, m.observe(r));
    assertEquals(5.0, m.history(0), 0.0);
    float[] bad = {1f, Float.NaN};
    ClipResult rb =
        GradientClipper.of(ClipRule.STRICT)
            .withNonFinitePolicy(NonFinitePolicy.SKIP)
            .clipGlobalNorm(dev.bptt.kernel.clip.TensorView.of(bad), 1.0, new ClipResult());
    assertSame(Status.NON_FINITE, m.observe(rb));
    assertEquals(1, m.nonFiniteCount());
  }

  @Test
  void historyIsARingOfTheLastNorms() {
    ExplosionMonitor m = new ExplosionMonitor(10, 100, 0, 8);
    assertEquals(0, m.historySize());
    for (int i = 0; i < 20; i++) {
      m.observe(i);
    }
    assertEquals(8, m.historySize());
    assertEquals(8, m.historyCapacity());
    assertEquals(12, m.historyFirstStep());
    for (int i = 0; i < 8; i++) {
      assertEquals(12 + i, m.history(i), 0.0);
    }
    double[] all = new double[10];
    assertEquals(8, m.copyHistory(all, 1));
    assertEquals(12, all[1], 0.0);
    assertEquals(19, all[8], 0.0);
    double[] shortDst = new double[3];
    assertEquals(3, m.copyHistory(shortDst, 0));
    assertEquals(17, shortDst[0], 0.0); // the newest are kept
    assertEquals(19, shortDst[2], 0.0);
    m.reset();
    assertEquals(0, m.historySize());
    assertEquals(0, m.steps());
    assertEquals(0.0, m.mean(), 0.0);
    assertTrue(Double.isNaN(m.suggestedThreshold(1)));
    ExplosionMonitor none = new ExplosionMonitor(10, 100, 0, 0);
    none.observe(1);
    assertEquals(0, none.historySize());
    assertEquals(1, none.historyFirstStep());
  }
}
