package dev.bptt.verify.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.bptt.TruncationSchedule;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StepLoss;
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
    ElmanRnn rnn = new ElmanRnn(new RnnLayout(d, h, o), Activation.TANH);
    BpttRunner runner = new BpttRunner(rnn);

    // Squared error at every step, computed from the outputs during the forward pass.
    StepLoss mse =
        (t, y, yOff, dy, dyOff) -> {
          for (int k = 0; k < o; k++) {
            dy[dyOff + k] = y[yOff + k] - target[(t - 1) * o + k];
          }
          return 0.5 * Blas.dot(o, dy, dyOff, dy, dyOff);
        };
    SequenceBatch seq = new SequenceBatch(rnn, SequenceShape.steps(steps)).input(x).loss(mse);

    // Exact gradient, storing 2·⌈√T⌉ + 1 = 65 hidden states instead of T + 1 = 1001.
    BpttWorkspace ws = new BpttWorkspace(rnn, seq.shape(), BpttStrategy.checkpointed());
    float[] grads = new float[rnn.parameterCount()], estimate = new float[rnn.parameterCount()];
    double loss = runner.run(BpttStrategy.checkpointed(), params, grads, seq, ws);

    // Unbiased randomized truncation (ARTBP), mean segment 32 steps, reproducible from the seed.
    BpttStrategy artbp =
        BpttStrategy.randomized(TruncationSchedule.polynomialTail(32, 4), new SplittableRandom(7));
    runner.run(artbp, params, estimate, seq, new BpttWorkspace(rnn, seq.shape(), artbp));
    // README-EXAMPLE-END strategy

    RnnLayout layout = rnn.layout();
    SequenceShape shape = seq.shape();
    double value = loss;
    assertEquals(65, ws.storedStates());
    assertEquals(
        1000 - 8,
        ws.recomputedSteps()); // 32 segments of 32 steps, the last one (8 steps) not recomputed
    float[] full = new float[layout.size()];
    BpttStrategy fullStrategy = BpttStrategy.full();
    float[] dOutFull = new float[steps * o];
    SequenceBatch fullSeq = new SequenceBatch(rnn, shape).input(x).upstream(dOutFull).loss(mse);
    double fullValue =
        runner.run(
            fullStrategy, params, full, fullSeq, new BpttWorkspace(rnn, shape, fullStrategy));
    assertTrue(Arrays.equals(full, grads), "checkpointed gradient must equal full BPTT bitwise");
    assertEquals(fullValue, value, 0.0, "checkpointed and full loss values must be equal");
    // dOutFull now holds every step's y_t − target_t: the loss in double, against each step's
    // float dot of o terms (relative error ≤ γ_o = o·u/(1 − o·u) per step, all terms ≥ 0).
    double reference = 0;
    for (float e : dOutFull) {
      reference += 0.5 * e * e;
    }
    double gamma = o * 0x1p-24 / (1 - o * 0x1p-24);
    assertEquals(reference, value, gamma * reference + 1e-12 * reference, "loss value");
    assertTrue(value > 0 && Double.isFinite(value));
    assertTrue(Arrays.stream(new double[] {estimate[0]}).allMatch(Double::isFinite));
  }
}
