package dev.bptt.verify.strategy;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.bptt.TruncationSchedule;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RnnLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The README's strategy example, compiled and run as written there (between the markers). */
class ReadmeExampleTest {

  @Test
  void readmeExampleRuns() {
    SplittableRandom init = new SplittableRandom(1);
    int d = 4, h = 32, o = 3, steps = 1000;
    float[] params = new float[new RnnLayout(d, h, o).size()];
    for (int i = 0; i < params.length; i++) {
      params[i] = (float) init.nextDouble(-0.15, 0.15);
    }
    float[] x = new float[steps * d], target = new float[steps * o];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) init.nextDouble(-1, 1);
    }
    // README-EXAMPLE-BEGIN strategy
    RnnLayout layout = new RnnLayout(d, h, o);          // D inputs, H hidden units, O outputs
    BpttRunner runner = new BpttRunner(new ElmanRnn(layout, Activation.TANH));
    float[] grads = new float[layout.size()], dOut = new float[steps * o];

    // Squared error at every step: dOut is filled from the outputs during the forward pass.
    BpttLoss loss = (first, last, y, off) -> {
      for (int i = 0; i < (last - first + 1) * o; i++) {
        int k = (first - 1) * o + i;
        dOut[k] = y[off + i] - target[k];
      }
    };

    // Exact gradient, storing 2·⌈√T⌉ + 1 = 65 hidden states instead of T + 1 = 1001.
    BpttStrategy checkpointed = BpttStrategy.checkpointed();
    BpttWorkspace ws = new BpttWorkspace(layout, steps, 1, checkpointed);
    runner.run(checkpointed, ws, params, grads, x, 0, null, 0, loss, dOut, 0, null, null, 0);
    System.out.println(ws.storedStates() + " states stored, " + ws.recomputedSteps() + " steps recomputed");

    // Unbiased randomized truncation (ARTBP), mean segment 32 steps, reproducible from the seed.
    BpttStrategy artbp = BpttStrategy.randomized(TruncationSchedule.polynomialTail(32, 4), new SplittableRandom(7));
    float[] estimate = new float[layout.size()];
    runner.run(artbp, new BpttWorkspace(layout, steps, 1, artbp), params, estimate, x, 0, null, 0, loss, dOut, 0,
        null, null, 0);
    // README-EXAMPLE-END strategy

    assertEquals(65, ws.storedStates());
    assertEquals(1000 - 8, ws.recomputedSteps()); // 32 segments of 32 steps, the last one (8 steps) not recomputed
    float[] full = new float[layout.size()];
    BpttStrategy fullStrategy = BpttStrategy.full();
    float[] dOutFull = new float[dOut.length];
    runner.run(fullStrategy, new BpttWorkspace(layout, steps, 1, fullStrategy), params, full, x, 0, null, 0,
        (first, last, y, off) -> {
          for (int i = 0; i < (last - first + 1) * o; i++) {
            int k = (first - 1) * o + i;
            dOutFull[k] = y[off + i] - target[k];
          }
        }, dOutFull, 0, null, null, 0);
    assertTrue(Arrays.equals(full, grads), "checkpointed gradient must equal full BPTT bitwise");
    assertTrue(Arrays.stream(new double[] {estimate[0]}).allMatch(Double::isFinite));
  }
}
