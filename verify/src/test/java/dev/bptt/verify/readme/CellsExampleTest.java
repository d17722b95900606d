package dev.bptt.verify.readme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.rnn.Gate;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackLayout;
import dev.bptt.kernel.rnn.StackedRnn;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The README's gated-cell example, compiled and run (the region between the markers is in README.md
 * verbatim), then checked: the forget-gate views hold 1, the gradient is finite and non-zero, and
 * the checkpointed strategy reproduces it bitwise, as documented.
 */
class CellsExampleTest {

  @Test
  void readmeExample() {
    // README-EXAMPLE-BEGIN cells
    // nn.LSTM(input_size=8, hidden_size=32, num_layers=2) + nn.Linear(32, 4), T = 100, B = 16.
    StackedRnn lstm = StackedRnn.lstm(8, 32).withLayers(2).withReadout(4);
    StackLayout layout = lstm.layout();

    // PyTorch's default init U(±1/√H) for every tensor, then forget-gate biases 1 (Jozefowicz
    // et al. 2015): bias_ih + bias_hh of the forget block sum to 1.
    SplittableRandom random = new SplittableRandom(7);
    float[] params = new float[layout.size()];
    double bound = 1 / Math.sqrt(layout.hiddenSize());
    for (int i = 0; i < params.length; i++) {
      params[i] = (float) (bound * (2 * random.nextDouble() - 1));
    }
    for (int k = 0; k < layout.layers(); k++) {
      TensorView fih = layout.biasIh(k, Gate.FORGET, params);
      TensorView fhh = layout.biasHh(k, Gate.FORGET, params);
      java.util.Arrays.fill(params, fih.offset(), fih.offset() + fih.length(), 0f);
      java.util.Arrays.fill(params, fhh.offset(), fhh.offset() + fhh.length(), 1f);
    }

    SequenceShape shape = SequenceShape.steps(100).batch(16);
    float[] x = new float[100 * 16 * 8]; // inputs [T][B][D]
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    float[] dy = new float[16 * 4]; // ∂L/∂y_T, one [B][O] block: loss at the last step
    for (int i = 0; i < dy.length; i++) {
      dy[i] = (float) random.nextGaussian();
    }
    float[] traceDh = new float[100]; // ‖∂L/∂h_t‖ of the top layer, and ‖∂L/∂c_t‖
    float[] traceDc = new float[100];
    SequenceBatch seq =
        new SequenceBatch(lstm, shape)
            .input(x)
            .losses(LossSteps.lastStep())
            .upstream(dy)
            .traceDh(traceDh)
            .traceDc(traceDc);

    RnnWorkspace ws = new RnnWorkspace(lstm, shape);
    float[] grads = new float[layout.size()];
    lstm.forward(params, seq, ws);
    lstm.backward(params, grads, seq, ws); // full BPTT: grads += ∂L/∂θ

    // The same gradient with O(√T) memory: checkpointed BPTT is bitwise full BPTT.
    float[] grads2 = new float[layout.size()];
    BpttStrategy sqrt = BpttStrategy.checkpointed();
    new BpttRunner(lstm).run(sqrt, params, grads2, seq, new BpttWorkspace(lstm, shape, sqrt));

    TensorView dWhh0 = layout.weightHh(0, grads); // weight_hh_l0 [4H][H]
    System.out.printf(
        "‖∂L/∂weight_hh_l0‖ = %g%n", Blas.norm2(dWhh0.length(), grads, dWhh0.offset()));
    System.out.printf("‖∂L/∂c_1‖ = %g, ‖∂L/∂c_T‖ = %g%n", traceDc[0], traceDc[99]);
    // README-EXAMPLE-END cells

    assertArrayEquals(grads, grads2, "checkpointed differs from full");
    double norm = Blas.norm2(dWhh0.length(), grads, dWhh0.offset());
    assertTrue(Double.isFinite(norm) && norm > 0, "‖∂L/∂weight_hh_l0‖ = " + norm);
    for (int k = 0; k < layout.layers(); k++) {
      TensorView f = layout.biasHh(k, Gate.FORGET, params);
      assertEquals(1f, params[f.offset()]);
      assertEquals(1f, params[f.offset() + f.length() - 1]);
      assertEquals(
          layout.offBiasHh(k) + layout.hiddenSize(), f.offset(), "forget block is rows H..2H");
    }
    for (int t = 0; t < 100; t++) {
      assertTrue(traceDc[t] > 0 && Float.isFinite(traceDc[t]), "traceDc[" + t + "]");
    }
  }
}
