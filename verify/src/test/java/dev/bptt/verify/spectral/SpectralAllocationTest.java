package dev.bptt.verify.spectral;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bptt.kernel.spectral.Spectral;
import dev.bptt.kernel.spectral.SpectralInit;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The power iterations allocate nothing per step: once the JIT has compiled the kernels, a round of
 * calls allocates at most one {@code SpectralEstimate} record per call (≤ 64 bytes: a 12-byte
 * header, five doubles, an int and a boolean, 8-byte aligned), although every call runs 40 power
 * steps (so even 2 bytes per step would exceed it). The counter is this thread's, exact.
 */
class SpectralAllocationTest {
  private static final com.sun.management.ThreadMXBean THREADS = threads();
  private static final int MAX_ROUNDS = 300, CALLS = 50, STEPS = 40;
  private static final long RECORD_BYTES = 64;

  private static com.sun.management.ThreadMXBean threads() {
    return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
            && t.isThreadAllocatedMemorySupported()
        ? t
        : null;
  }

  @Test
  void steadyStateAllocatesAtMostTheResultRecord() {
    assumeTrue(THREADS != null, "per-thread allocation counter not available on this JVM");
    THREADS.setThreadAllocatedMemoryEnabled(true);
    int n = 48;
    float[] w = new float[n * n], s = new float[n * n];
    SpectralInit.gaussianRescaled(new SplittableRandom(5), 1.0, n, w, 0, n);
    SpectralInit.symmetric(
        new SplittableRandom(6), Spectra.gapSpectrum(new SplittableRandom(7), n, 1, 0.9), s, 0, n);
    float[] v = new float[n];
    float[] work =
        new float
            [Math.max(Spectral.spectralRadiusWorkLength(n), Spectral.sigmaMaxWorkLength(n, n))];
    Runnable call =
        () -> {
          Spectral.randomStart(3, n, v, 0);
          Spectral.spectralRadius(n, w, 0, n, v, 0, work, 0, STEPS, 0);
          Spectral.sigmaMax(n, n, w, 0, n, v, 0, work, 0, STEPS, 0);
          Spectral.symmetricDominant(n, s, 0, n, v, 0, work, 0, STEPS, 0);
        };
    // randomStart makes one SplittableRandom (≤ 64 bytes: header + two longs) per call as well.
    long allowed = CALLS * 4 * RECORD_BYTES;
    long[] perRound = new long[MAX_ROUNDS];
    THREADS.getCurrentThreadAllocatedBytes();
    for (int round = 0; round < MAX_ROUNDS; round++) {
      long before = THREADS.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < CALLS; i++) {
        call.run();
      }
      perRound[round] = THREADS.getCurrentThreadAllocatedBytes() - before;
      if (perRound[round] <= allowed) {
        return;
      }
    }
    fail(
        "every round of "
            + CALLS
            + " calls allocated more than "
            + allowed
            + " bytes: "
            + Arrays.toString(perRound));
  }
}
