package dev.bptt.verify.strategy;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.bptt.TruncationSchedule;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * After its workspace exists and the JIT has compiled the kernels, a run allocates nothing, for
 * every strategy: runs go in blocks of 50 until a whole block allocates 0 bytes on this thread
 * (at most 400 blocks). "After warm-up" matters: interpreted and C1 code box the Vector API's
 * vectors and the argument checks' lazy messages, which only C2's escape analysis removes; a
 * per-call allocation that escapes (a buffer, a result object) would never reach 0.
 */
class BpttAllocationTest {
  private static final int BLOCK = 50;
  private static final int MAX_BLOCKS = 400;

  @Test
  void runsAllocateNothingAfterWarmUp() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
    RnnCase c = new RnnCase(5, 3, 6, 2, 24, 2, Activation.TANH, RnnCase.Losses.RANDOM, true);
    BpttStrategy[] strategies = {BpttStrategy.full(), BpttStrategy.truncated(5), BpttStrategy.streaming(4, 9, null),
        BpttStrategy.randomized(TruncationSchedule.polynomialTail(6, 4), new SplittableRandom(1)),
        BpttStrategy.checkpointed(), BpttStrategy.checkpointedWithBudget(14)};
    float[] grads = new float[c.layout.size()], dh0 = new float[2 * 6];
    long tid = Thread.currentThread().threadId();
    for (BpttStrategy s : strategies) {
      BpttWorkspace ws = new BpttWorkspace(c.layout, 24, 2, s);
      float[] dh = s instanceof BpttStrategy.Streaming ? null : dh0;
      long last = -1;
      int blocks = 0;
      while (last != 0 && blocks < MAX_BLOCKS) {
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < BLOCK; i++) {
          java.util.Arrays.fill(grads, 0f);
          c.runner.run(s, ws, c.params, grads, c.x, 0, c.h0, 0, null, c.dOut, 0, c.lossAt, dh, 0);
        }
        last = threads.getThreadAllocatedBytes(tid) - before;
        blocks++;
      }
      assertTrue(last == 0, s + ": " + BLOCK + " runs still allocate " + last + " bytes after " + blocks + " blocks");
    }
  }
}
