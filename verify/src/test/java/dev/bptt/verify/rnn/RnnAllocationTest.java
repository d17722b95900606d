package dev.bptt.verify.rnn;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.RnnStreamState;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Once the workspace, the sequence holder and the stream state exist and the JIT has compiled the
 * kernels, {@link ElmanRnn#forward}, {@link ElmanRnn#backward} (with traces and ∂L/∂h_0, a compact
 * last-step loss and a loss callback) and {@link ElmanRnn#advance} allocate nothing: calls go in
 * blocks of 50 until a whole block allocates 0 bytes on this thread (at most 400 blocks;
 * interpreted and C1 code box vectors that only C2's escape analysis removes, while a per-call
 * allocation that escapes would never reach 0).
 */
class RnnAllocationTest {
  private static final int BLOCK = 50;
  private static final int MAX_BLOCKS = 400;

  @Test
  void forwardBackwardAndStreamingAllocateNothingAfterWarmUp() {
    int d = 3, h = 7, o = 2, steps = 20, batch = 3;
    RnnLayout layout = new RnnLayout(d, h, o);
    ElmanRnn rnn = new ElmanRnn(layout, Activation.TANH);
    SequenceShape shape = SequenceShape.steps(steps).batch(batch);
    SplittableRandom r = new SplittableRandom(11);
    float[] params = new float[layout.size()];
    for (int i = 0; i < params.length; i++) {
      params[i] = (float) r.nextDouble(-0.4, 0.4);
    }
    float[] x = new float[steps * batch * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble(-1, 1);
    }
    float[] grads = new float[layout.size()];
    float[] dh0 = new float[batch * h];
    float[] traceDh = new float[steps];
    float[] traceDelta = new float[steps];
    SequenceBatch seq =
        new SequenceBatch(rnn, shape)
            .input(x)
            .losses(LossSteps.lastStep())
            .loss(
                (t, y, yOff, dy, dyOff) -> {
                  for (int k = 0; k < batch * o; k++) {
                    dy[dyOff + k] = y[yOff + k];
                  }
                  return 1.0;
                })
            .initialStateGradient(dh0)
            .traceDh(traceDh)
            .traceDelta(traceDelta);
    RnnWorkspace ws = new RnnWorkspace(rnn, shape);
    RnnStreamState stream = new RnnStreamState(rnn, batch);
    assertNoAllocation(
        "forward + backward",
        () -> {
          rnn.forward(params, seq, ws);
          rnn.backward(params, grads, seq, ws);
        });
    assertNoAllocation(
        "advance",
        () -> {
          stream.reset();
          rnn.advance(params, x, 0, steps, stream);
        });
  }

  private static void assertNoAllocation(String what, Runnable call) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(
        threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
    long tid = Thread.currentThread().threadId();
    long last = -1;
    int blocks = 0;
    while (last != 0 && blocks < MAX_BLOCKS) {
      long before = threads.getThreadAllocatedBytes(tid);
      for (int i = 0; i < BLOCK; i++) {
        call.run();
      }
      last = threads.getThreadAllocatedBytes(tid) - before;
      blocks++;
    }
    assertTrue(
        last == 0,
        what + ": still " + last + " bytes per block of " + BLOCK + " after " + blocks + " blocks");
  }
}
