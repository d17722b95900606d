package dev.bptt.verify.training;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.StepLoss;
import dev.bptt.kernel.training.Adam;
import dev.bptt.kernel.training.CrossEntropyLoss;
import dev.bptt.kernel.training.LrSchedule;
import dev.bptt.kernel.training.MseLoss;
import dev.bptt.kernel.training.Optimizer;
import dev.bptt.kernel.training.OptimizerState;
import dev.bptt.kernel.training.RmsProp;
import dev.bptt.kernel.training.Sgd;
import dev.bptt.verify.Gen;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Optimizer steps (every optimizer, with an exempt view), schedules and losses allocate nothing
 * once the state exists and the JIT has compiled the kernels: the per-thread allocation counter
 * does not move over a round of steps (the technique of the clip allocation test).
 */
class OptimizerAllocationTest {
  private static final com.sun.management.ThreadMXBean THREADS = threads();
  private static final int MAX_ROUNDS = 300;

  private static com.sun.management.ThreadMXBean threads() {
    return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
            && t.isThreadAllocatedMemorySupported()
        ? t
        : null;
  }

  @Test
  void steadyStateStepsAllocateNothing() {
    assumeTrue(THREADS != null, "per-thread allocation counter not available on this JVM");
    THREADS.setThreadAllocatedMemoryEnabled(true);
    Gen gen = new Gen(13);
    int n = 1003;
    float[] params = gen.array(n, 1f);
    float[] grads = gen.array(n, 1e-3f);
    TensorGroup views =
        TensorGroup.of(
            TensorView.matrix("weight", params, 0, 30, 30),
            TensorView.vector("bias", params, 900, 103));
    Optimizer[] opts = {
      Sgd.of(1e-3).withMomentum(0.9).withNesterov(true).withWeightDecay(1e-4),
      Adam.adamW(1e-4).withAmsgrad(true).withL1(1e-6).withoutDecay(Optimizer.biases(views)),
      RmsProp.of(1e-4).withCentered(true).withMomentum(0.5).withWeightDecay(1e-4)
    };
    OptimizerState[] states = new OptimizerState[opts.length];
    for (int i = 0; i < opts.length; i++) {
      states[i] = opts[i].newState(n);
    }
    LrSchedule schedule =
        LrSchedule.sequential(
            new LrSchedule[] {LrSchedule.linear(1e-3, 0.1, 1, 5), LrSchedule.cosine(1e-3, 50, 0)},
            5);
    MseLoss mse = MseLoss.of();
    float[] y = gen.array(64, 1f), target = gen.array(64, 1f), dy = new float[64];
    StepLoss ce =
        CrossEntropyLoss.of().stepLoss(LossSteps.lastStep(), 3, 4, 16, new int[] {1, 2, 3, 4}, 0);
    int[] epoch = {0};
    Runnable step =
        () -> {
          double lr = schedule.lr(epoch[0]++ % 40) * 1e-3;
          for (int i = 0; i < opts.length; i++) {
            opts[i].step(params, grads, states[i], lr);
          }
          mse.apply(y, 0, target, 0, 64, dy, 0);
          ce.apply(3, y, 0, dy, 0);
        };
    long[] perRound = new long[MAX_ROUNDS];
    THREADS.getCurrentThreadAllocatedBytes();
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
    fail(
        "every round of 200 optimizer steps allocated; bytes per round: "
            + Arrays.toString(perRound));
  }
}
