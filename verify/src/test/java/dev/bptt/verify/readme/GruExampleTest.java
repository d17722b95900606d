package dev.bptt.verify.readme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnStreamState;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackedRnn;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The README's GRU and stacked-Elman example, compiled and run (the region between the markers is
 * in README.md verbatim), then checked: streaming inference ends in bitwise the state of the full
 * forward pass, and the truncated gradient is finite and differs from nothing it should not.
 */
class GruExampleTest {

  @Test
  void readmeExample() {
    // README-EXAMPLE-BEGIN gru
    // nn.GRU(4, 16) with a loss at every step, trained with truncated BPTT (τ = 20), T = 200.
    StackedRnn gru = StackedRnn.gru(4, 16);
    // nn.RNN(4, 16, num_layers=3, nonlinearity='relu'): the same API, Elman cells.
    StackedRnn deepRelu = StackedRnn.elman(4, 16, Activation.RELU).withLayers(3);

    SplittableRandom random = new SplittableRandom(3);
    float[] params = new float[gru.parameterCount()];
    for (int i = 0; i < params.length; i++) {
      params[i] = (float) (0.25 * (2 * random.nextDouble() - 1)); // U(±1/√H)
    }
    SequenceShape shape = SequenceShape.steps(200); // B = 1
    float[] x = new float[200 * 4];
    float[] dOut = new float[200 * 16]; // ∂L/∂h_t of every step, [T][B][H]
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    for (int i = 0; i < dOut.length; i++) {
      dOut[i] = (float) (0.01 * random.nextGaussian());
    }
    float[] h0 = new float[16]; // PyTorch's h_0 [num_layers][B][H]
    float[] dh0 = new float[16];
    SequenceBatch seq =
        new SequenceBatch(gru, shape)
            .input(x)
            .initialState(h0)
            .losses(LossSteps.everyStep())
            .upstream(dOut)
            .initialStateGradient(dh0);

    BpttStrategy tbptt = BpttStrategy.truncated(20);
    float[] grads = new float[gru.parameterCount()];
    new BpttRunner(gru).run(tbptt, params, grads, seq, new BpttWorkspace(gru, shape, tbptt));

    // Inference on an endless stream in O(B·H) memory: bitwise the full forward pass.
    RnnStreamState stream = new RnnStreamState(gru, 1);
    gru.advance(params, x, 0, 120, stream);
    gru.advance(params, x, 120 * 4, 80, stream);
    RnnWorkspace ws = new RnnWorkspace(gru, shape);
    gru.forward(params, seq, ws);
    float[] hT = new float[16];
    ws.copyState(200, hT, 0);
    System.out.println(java.util.Arrays.equals(hT, stream.hidden()) + " " + deepRelu);
    // README-EXAMPLE-END gru

    assertArrayEquals(hT, stream.hidden(), "streamed state differs from the full forward pass");
    double s = 0;
    for (float g : grads) {
      assertTrue(Float.isFinite(g));
      s += Math.abs(g);
    }
    assertTrue(s > 0, "zero gradient");
    assertTrue(deepRelu.parameterCount() == 3 * (16 * 16 + 2 * 16) + 16 * 4 + 2 * 16 * 16, "size");
  }
}
