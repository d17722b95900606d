package dev.bptt.verify.clip;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.ExplosionMonitor;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.NormType;
import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.verify.Gen;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Clipping allocates nothing per call once the reused {@link ClipResult} has grown and the JIT has
 * compiled the kernels: the JVM's per-thread allocation counter does not move over a round of calls
 * of every mode (the counter is exact for this thread; other threads do not count).
 */
class ClipAllocationTest {
  private static final com.sun.management.ThreadMXBean THREADS = threads();

  /** Rounds of 200 steps allowed for warm-up: 60,000 steps, far past C2's compile thresholds. */
  private static final int MAX_ROUNDS = 300;

  private static com.sun.management.ThreadMXBean threads() {
    return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
            && t.isThreadAllocatedMemorySupported()
        ? t
        : null;
  }

  @Test
  void steadyStateClipsAndObservationsAllocateNothing() {
    assumeTrue(THREADS != null, "per-thread allocation counter not available on this JVM");
    THREADS.setThreadAllocatedMemoryEnabled(true);
    Gen gen = new Gen(11);
    float[] flat = gen.array(4000, 3f);
    float[] weights = gen.array(4000, 1f);
    TensorGroup grads =
        TensorGroup.of(
            TensorView.matrix("W", flat, 0, 50, 60), TensorView.vector("b", flat, 3000, 1000));
    TensorGroup w = grads.on(weights);
    ClipResult out = new ClipResult();
    ExplosionMonitor monitor = new ExplosionMonitor();
    GradientClipper strict = GradientClipper.of(ClipRule.STRICT).withLossScale(0.25f);
    GradientClipper l1 = GradientClipper.of(ClipRule.PYTORCH).withNormType(NormType.L1);
    Runnable step =
        () -> {
          strict.clipGlobalNorm(grads, 1.0, out);
          monitor.observe(out);
          l1.clipPerView(grads, 2.0, out);
          strict.clipValue(grads, 0.5f, out);
          strict.clipAdaptive(grads, w, 0.01, out);
        };
    // Before C2 compiles the kernels, the interpreter and C1 box every Vector API value, so the
    // claim is for the steady state: run rounds of 200 steps until one allocates nothing.
    long[] perRound = new long[MAX_ROUNDS];
    THREADS.getCurrentThreadAllocatedBytes(); // the first read may allocate itself
    for (int round = 0; round < MAX_ROUNDS; round++) {
      long before = THREADS.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 200; i++) {
        step.run();
      }
      perRound[round] = THREADS.getCurrentThreadAllocatedBytes() - before;
      if (perRound[round] == 0) {
        return;
      }
    }
    fail("every round of 200 clip steps allocated; bytes per round: " + Arrays.toString(perRound));
  }
}
