package dev.bptt.verify.strategy;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.bptt.TruncationSchedule;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.StepLoss;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * After its workspace exists and the JIT has compiled the kernels, a run allocates nothing, for
 * every strategy: runs go in blocks of 50 until a whole block allocates 0 bytes on this thread (at
 * most 400 blocks, or more until 60 s have passed: on a loaded machine C2's compile queue can lag
 * behind these tiny runs). "After warm-up" matters: interpreted and C1 code box the Vector API's
 * vectors and the argument checks' lazy messages, which only C2's escape analysis removes; a
 * per-call allocation that escapes (a buffer, a result object) would never reach 0.
 */
class BpttAllocationTest {
  private static final int BLOCK = 50;
  private static final int MAX_BLOCKS = 400;
  private static final long MAX_NANOS = 60_000_000_000L;

  private static BpttStrategy[] strategies() {
    return new BpttStrategy[] {
      BpttStrategy.full(),
      BpttStrategy.truncated(5),
      BpttStrategy.streaming(4, 9),
      BpttStrategy.randomized(TruncationSchedule.polynomialTail(6, 4), new SplittableRandom(1)),
      BpttStrategy.checkpointed(),
      BpttStrategy.checkpointedWithBudget(14)
    };
  }

  @Test
  void runsAllocateNothingAfterWarmUp() {
    RnnCase c = new RnnCase(5, 3, 6, 2, 24, 2, Activation.TANH, RnnCase.Losses.RANDOM, true);
    for (BpttStrategy s : strategies()) {
      // One caller-owned batch reused by every run, as a training loop would.
      SequenceBatch seq =
          c.seq()
              .initialStateGradient(s instanceof BpttStrategy.Streaming ? null : new float[2 * 6]);
      assertNoAllocation(c, s, seq);
    }
  }

  /**
   * The same with a StepLoss callback writing the upstream (the batch's own buffer, made on the
   * first run).
   */
  @Test
  void runsWithAStepLossAllocateNothingAfterWarmUp() {
    RnnCase c = new RnnCase(6, 3, 6, 2, 24, 2, Activation.TANH, RnnCase.Losses.RANDOM, true);
    float[] target = c.dOut;
    int row = 2 * 2;
    StepLoss loss =
        (step, y, yOff, dy, dyOff) -> {
          double v = 0;
          for (int i = 0; i < row; i++) {
            float e = y[yOff + i] - target[(step - 1) * row + i];
            dy[dyOff + i] = e;
            v += e * e;
          }
          return v;
        };
    for (BpttStrategy s : strategies()) {
      SequenceBatch seq =
          new SequenceBatch(c.rnn, c.shape)
              .input(c.x)
              .initialState(c.h0)
              .losses(c.losses)
              .loss(loss)
              .initialStateGradient(s instanceof BpttStrategy.Streaming ? null : new float[2 * 6]);
      assertNoAllocation(c, s, seq);
    }
  }

  private static void assertNoAllocation(RnnCase c, BpttStrategy s, SequenceBatch seq) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(
        threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
    float[] grads = new float[c.layout.size()];
    long tid = Thread.currentThread().threadId();
    BpttWorkspace ws = c.workspace(s);
    long last = -1;
    int blocks = 0;
    long start = System.nanoTime();
    while (last != 0 && (blocks < MAX_BLOCKS || System.nanoTime() - start < MAX_NANOS)) {
      long before = threads.getThreadAllocatedBytes(tid);
      for (int i = 0; i < BLOCK; i++) {
        java.util.Arrays.fill(grads, 0f);
        c.runner.run(s, c.params, grads, seq, ws);
      }
      last = threads.getThreadAllocatedBytes(tid) - before;
      blocks++;
    }
    assertTrue(
        last == 0,
        s + ": " + BLOCK + " runs still allocate " + last + " bytes after " + blocks + " blocks");
  }
}
