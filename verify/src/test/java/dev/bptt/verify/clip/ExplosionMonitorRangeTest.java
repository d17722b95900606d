package dev.bptt.verify.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.clip.ExplosionMonitor;
import org.junit.jupiter.api.Test;

/**
 * The monitor's statistics over the whole double range: one huge finite norm (10³⁰⁰) never makes
 * them NaN, σ stays finite, and once the norms are back to normal the statistics recover like after
 * any spike (an exponential average forgets it at (1 − 1/w) per step).
 */
class ExplosionMonitorRangeTest {

  @Test
  void hugeFiniteNormFirst() {
    ExplosionMonitor m = new ExplosionMonitor(10, 10, 0, 16);
    m.observe(1e300);
    assertEquals(0.0, m.variance(), 0.0, "one observation has no spread");
    assertEquals(1e300, m.mean(), 0.0);
    for (int i = 0; i < 20_000; i++) {
      m.observe(1.0);
      assertFalse(Double.isNaN(m.variance()), "variance NaN after " + i + " normal steps");
      assertTrue(Double.isFinite(m.standardDeviation()), "σ not finite after " + i);
    }
    // 20 000 steps at α = 1/10 forget 10³⁰⁰ by 0.9^20000 (mean) and 0.9^10000 (σ): both ≈ 1 and 0.
    assertEquals(1.0, m.mean(), 1e-12);
    assertTrue(m.variance() < 1e-12, "variance " + m.variance());
  }

  @Test
  void hugeFiniteNormAmongNormalOnes() {
    ExplosionMonitor m = new ExplosionMonitor(10, 100, 5, 16);
    for (int i = 0; i < 50; i++) {
      m.observe(1.0 + i % 3);
    }
    assertEquals(ExplosionMonitor.Status.SPIKE, m.observe(Double.MAX_VALUE / 4));
    assertTrue(Double.isFinite(m.standardDeviation()), "σ " + m.standardDeviation());
    assertFalse(Double.isNaN(m.variance()));
    assertEquals(ExplosionMonitor.Status.NORMAL, m.observe(2.0), "a normal norm after the spike");
    assertTrue(Double.isFinite(m.mean()));
  }
}
