package dev.bptt.verify.rnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StepLoss;
import dev.bptt.verify.NaiveRnn;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The README's Elman RNN example, compiled and run: the code between the markers is pasted verbatim
 * into README.md. The assertions after it check the example's results against the double reference
 * within the derived bounds of {@link RnnBounds}.
 */
class ReadmeExampleTest {

  @Test
  void readmeExample() {
    // README-EXAMPLE-BEGIN rnn
    // An Elman RNN with D = 8 inputs, H = 16 hidden units (tanh) and O = 4 outputs, T = 50, B = 1.
    RnnLayout layout = new RnnLayout(8, 16, 4);
    ElmanRnn rnn = new ElmanRnn(layout, Activation.TANH);

    // Weights U(±1/√fan_in), W_hh at half that scale (a contracting start), biases 0; seeded.
    SplittableRandom random = new SplittableRandom(42);
    float[] params = new float[layout.size()];
    for (TensorView v : List.of(layout.wxh(params), layout.whh(params), layout.why(params))) {
      double scale = (v.name().equals("W_hh") ? 0.5 : 1.0) / Math.sqrt(v.cols());
      for (int i = 0; i < v.length(); i++) {
        params[v.offset() + i] = (float) (scale * (2 * random.nextDouble() - 1));
      }
    }
    float[] x = new float[50 * 8]; // inputs [T][B][D]
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (2 * random.nextDouble() - 1);
    }

    // Squared error at the last step only: L = ½‖y_T − target‖², so ∂L/∂y_T = y_T − target.
    float[] target = {1f, 0f, -1f, 0.5f};
    StepLoss mse =
        (t, y, yOff, dy, dyOff) -> {
          for (int k = 0; k < 4; k++) {
            dy[dyOff + k] = y[yOff + k] - target[k];
          }
          return 0.5 * Blas.dot(4, dy, dyOff, dy, dyOff);
        };
    float[] traceDh = new float[50]; // ‖∂L/∂h_t‖₂ at t − 1: how the gradient fades back in time
    SequenceBatch seq = new SequenceBatch(rnn, SequenceShape.steps(50)).input(x).loss(mse);
    seq.losses(LossSteps.lastStep()).traceDh(traceDh); // compact: one [B][O] upstream block

    RnnWorkspace ws = new RnnWorkspace(rnn, seq.shape()); // reusable: no allocation per call
    float[] grads = new float[layout.size()]; // same flat layout as params
    double loss = rnn.forward(params, seq, ws); // h_t, y_t, and the loss at t = T
    rnn.backward(params, grads, seq, ws); // BPTT: grads += ∂L/∂θ

    TensorView dWhh = layout.whh(grads); // ∂L/∂W_hh, an H×H view into grads
    System.out.printf("‖∂L/∂W_hh‖ = %g%n", Blas.norm2(dWhh.length(), grads, dWhh.offset()));
    System.out.printf("L = %g, ‖∂L/∂h_T‖ = %g, ‖∂L/∂h_1‖ = %g%n", loss, traceDh[49], traceDh[0]);
    // README-EXAMPLE-END rnn

    SequenceShape shape = seq.shape();
    int steps = shape.steps(), batch = shape.batch();
    double dWhhNorm = Blas.norm2(dWhh.length(), grads, dWhh.offset());
    assertTrue(Double.isFinite(dWhhNorm) && dWhhNorm > 0, "‖∂L/∂W_hh‖ = " + dWhhNorm);
    // The callback wrote y_T − target into the holder's one upstream block (B·O floats) and
    // returned ½‖·‖² from a float dot of O terms (relative error ≤ γ_O against double).
    float[] dOut = java.util.Arrays.copyOfRange(seq.upstream(), 0, batch * layout.outputSize());
    int yT = ws.outputOffset(steps);
    double half = 0;
    for (int k = 0; k < layout.outputSize(); k++) {
      assertEquals(ws.output()[yT + k] - target[k], dOut[k], 0.0, "dy[" + k + "]");
      half += 0.5 * dOut[k] * dOut[k];
    }
    double gamma = 4 * 0x1p-24 / (1 - 4 * 0x1p-24);
    assertEquals(half, loss, gamma * half, "loss value returned by forward");

    // The same computation in double, and the bounds the kernel must meet. The reference reads
    // the full [T][B][O] upstream with a loss mask: the compact block goes to step T.
    boolean[] lossAt = new boolean[steps];
    lossAt[steps - 1] = true;
    float[] dOutFull = new float[steps * batch * layout.outputSize()];
    System.arraycopy(dOut, 0, dOutFull, yT, dOut.length);
    NaiveRnn ref = new NaiveRnn(layout, Activation.TANH);
    double[] p = NaiveRnn.toDouble(params, 0, params.length),
        xd = NaiveRnn.toDouble(x, 0, x.length);
    double[] dOutD = NaiveRnn.toDouble(dOutFull, 0, dOutFull.length);
    NaiveRnn.Forward fwd = ref.forward(p, steps, batch, xd, null);
    NaiveRnn.Backward bwd = ref.backward(p, fwd, xd, dOutD, lossAt);
    RnnBounds bounds = RnnBounds.kernelVsReference();
    RnnBounds.Forward fb = bounds.forward(layout, Activation.TANH, p, xd, fwd);
    RnnBounds.Backward bb =
        bounds.backward(
            layout,
            Activation.TANH,
            p,
            xd,
            fwd,
            fb,
            bwd,
            dOutD,
            lossAt,
            new double[layout.size()],
            ws.hidden());
    for (TensorView v : layout.tensors(grads).views()) {
      assertNull(
          RnnHarness.informative(
              "grads." + v.name(), bwd.grads(), bb.gradsPropagated(), v.offset(), v.length()));
    }
    assertNull(RnnHarness.informative("traceDh", bwd.traceDh(), bb.traceDh(), 0, steps));
    assertNull(
        RnnHarness.within(
            "y",
            ws.output(),
            0,
            fwd.y(),
            fb.y(),
            steps * batch * layout.outputSize(),
            RnnHarness.stepIndex(1, batch, layout.outputSize())));
    assertNull(
        RnnHarness.within(
            "grads",
            grads,
            0,
            bwd.grads(),
            bb.grads(),
            layout.size(),
            RnnHarness.layoutIndex(layout)));
    assertNull(
        RnnHarness.within(
            "traceDh", traceDh, 0, bwd.traceDh(), bb.traceDh(), steps, i -> "[t=" + (i + 1) + "]"));
    // The last trace entry is ‖W_hyᵀ·(y_T − target)‖: nothing flows in from later steps.
    double last = 0;
    for (int i = 0; i < layout.hiddenSize(); i++) {
      double s = 0;
      for (int k = 0; k < layout.outputSize(); k++) {
        s += p[layout.offWhy() + k * layout.hiddenSize() + i] * dOutD[yT + k];
      }
      last += s * s;
    }
    assertEquals(Math.sqrt(last), traceDh[steps - 1], bb.traceDh()[steps - 1] * RnnBounds.SLACK);
  }
}
