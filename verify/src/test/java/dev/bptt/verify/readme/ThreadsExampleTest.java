package dev.bptt.verify.readme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.rnn.BatchThreads;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackedRnn;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The README's batch-parallel example, compiled and run: the two-thread gradients are bitwise the
 * one-thread ones (full and checkpointed), and not all zero.
 */
class ThreadsExampleTest {

  @Test
  void readmeExample() {
    float[] oneThread;
    float[] twoThreads;
    float[] checkpointed;
    // README-EXAMPLE-BEGIN threads
    StackedRnn lstm = StackedRnn.lstm(8, 64);
    SequenceShape shape = SequenceShape.steps(50).batch(32);
    SplittableRandom random = new SplittableRandom(11);
    float[] params = new float[lstm.parameterCount()];
    for (int i = 0; i < params.length; i++) {
      params[i] = (float) (0.125 * (2 * random.nextDouble() - 1)); // U(±1/√H)
    }
    float[] x = new float[50 * 32 * 8];
    float[] dOut = new float[50 * 32 * 64];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    for (int i = 0; i < dOut.length; i++) {
      dOut[i] = (float) (0.01 * random.nextGaussian());
    }
    SequenceBatch seq =
        new SequenceBatch(lstm, shape).input(x).losses(LossSteps.everyStep()).upstream(dOut);

    // One thread: the workspace runs everything on the caller.
    oneThread = new float[lstm.parameterCount()];
    RnnWorkspace ws1 = new RnnWorkspace(lstm, shape);
    lstm.forward(params, seq, ws1);
    lstm.backward(params, oneThread, seq, ws1);

    // Two threads: the caller owns the team and closes it; the bits do not change.
    try (BatchThreads threads = BatchThreads.start(2)) {
      twoThreads = new float[lstm.parameterCount()];
      RnnWorkspace ws2 = new RnnWorkspace(lstm, shape, threads);
      lstm.forward(params, seq, ws2);
      lstm.backward(params, twoThreads, seq, ws2);

      BpttStrategy sqrt = BpttStrategy.checkpointed(); // every strategy takes the team too
      checkpointed = new float[lstm.parameterCount()];
      new BpttRunner(lstm)
          .run(sqrt, params, checkpointed, seq, new BpttWorkspace(lstm, shape, sqrt, threads));
    }
    System.out.println(java.util.Arrays.equals(oneThread, twoThreads)); // true
    // README-EXAMPLE-END threads
    assertArrayEquals(oneThread, twoThreads);
    assertArrayEquals(oneThread, checkpointed);
    boolean nonZero = false;
    for (float g : oneThread) {
      nonZero |= g != 0f;
    }
    assertTrue(nonZero);
  }
}
