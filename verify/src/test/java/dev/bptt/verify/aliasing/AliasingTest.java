package dev.bptt.verify.aliasing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.blas.Transpose;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackedRnn;
import dev.bptt.kernel.rnn.StepLoss;
import dev.bptt.kernel.training.CrossEntropyLoss;
import dev.bptt.kernel.training.MseLoss;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The aliasing table of the README: every refused overlap is rejected with an
 * IllegalArgumentException naming both arguments and nothing written (every array compared
 * bitwise); every allowed in-place case gives the documented result.
 */
class AliasingTest {
  static final int D = 3, H = 4, O = 2, T = 5, B = 2;
  static final StackedRnn NET = StackedRnn.lstm(D, H).withReadout(O);
  static final int P = NET.parameterCount();
  static final int S = NET.stateSize();

  static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (0.5 * r.nextGaussian());
    }
    return a;
  }

  /** Runs {@code call}, expects a rejection naming both names, and that no array changed. */
  static void refused(String a, String b, Runnable call, float[]... arrays) {
    float[][] before = new float[arrays.length][];
    for (int i = 0; i < arrays.length; i++) {
      before[i] = arrays[i].clone();
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(
        e.getMessage().contains(a) && e.getMessage().contains(b),
        "message names " + a + " and " + b + ": " + e.getMessage());
    for (int i = 0; i < arrays.length; i++) {
      assertArrayEquals(before[i], arrays[i], "array " + i + " was written: " + e.getMessage());
    }
  }

  static SequenceBatch batch(float[] x, float[] up) {
    return new SequenceBatch(NET, SequenceShape.steps(T).batch(B))
        .input(x)
        .losses(LossSteps.everyStep())
        .upstream(up);
  }

  /** Through the runner and through the network's forward + backward. */
  static void bothPaths(Consumer<Runnable> expect, float[] params, float[] grads, SequenceBatch s) {
    BpttWorkspace bw = new BpttWorkspace(NET, s.shape(), BpttStrategy.full());
    expect.accept(() -> new BpttRunner(NET).run(BpttStrategy.full(), params, grads, s, bw));
    RnnWorkspace ws = new RnnWorkspace(NET, s.shape());
    expect.accept(
        () -> {
          NET.forward(params, s, ws);
          NET.backward(params, grads, s, ws);
        });
  }

  @Test
  void passOutputsMayNotOverlapInputsOrEachOther() {
    float[] params = random(P, 1);
    float[] x = random(T * B * D, 2);
    float[] up = random(T * B * O, 3);
    // grads shares the input array: [0, P) overlaps the inputs at 0
    float[] big = random(Math.max(P, T * B * D) + 8, 4);
    SequenceBatch s1 = batch(big, up);
    bothPaths(c -> refused("grads", "input", c, params, big, up), params, big, s1);
    // a trace inside the upstream gradients
    SequenceBatch s2 = batch(x, up).traceDh(up);
    float[] g2 = new float[P];
    bothPaths(c -> refused("traceDh", "upstream", c, params, x, up, g2), params, g2, s2);
    // two traces in one array
    float[] tr = new float[T];
    SequenceBatch s3 = batch(x, up).traceDh(tr).traceDelta(tr);
    bothPaths(c -> refused("traceDh", "traceDelta", c, params, x, up, g2, tr), params, g2, s3);
    // ∂L/∂(initial state) inside the parameters
    float[] pd = random(P, 5);
    SequenceBatch s4 = batch(x, up).initialStateGradient(pd, 0);
    bothPaths(c -> refused("initialStateGradient", "params", c, pd, x, up, g2), pd, g2, s4);
    // a trace inside the gradients
    SequenceBatch s5 = batch(x, up).traceDh(g2);
    bothPaths(c -> refused("grads", "traceDh", c, params, x, up, g2), params, g2, s5);
    // the initial state inside the gradients
    float[] g6 = random(P + B * S, 6);
    SequenceBatch s6 = batch(x, up).initialState(g6, 1);
    bothPaths(c -> refused("grads", "initialState", c, params, x, up, g6), params, g6, s6);
  }

  @Test
  void aLossCallbackMayNotWriteItsUpstreamIntoAnInput() {
    float[] params = random(P, 7);
    float[] x = random(T * B * D, 8);
    StepLoss zero = (t, y, yOff, dy, dyOff) -> 0.0;
    SequenceBatch s =
        new SequenceBatch(NET, SequenceShape.steps(T).batch(B))
            .input(x)
            .losses(LossSteps.everyStep())
            .upstream(params)
            .loss(zero);
    RnnWorkspace ws = new RnnWorkspace(NET, s.shape());
    refused("upstream", "params", () -> NET.forward(params, s, ws), params, x);
  }

  @Test
  void allowedLayoutsGiveTheSeparateArraysResult() {
    float[] params = random(P, 9);
    float[] x = random(T * B * D, 10);
    float[] up = random(T * B * O, 11);
    // reference: separate arrays
    float[] g = new float[P];
    float[] dh0 = new float[B * S];
    new BpttRunner(NET)
        .run(
            BpttStrategy.full(),
            params,
            g,
            batch(x, up).initialStateGradient(dh0).initialState(x, 0),
            new BpttWorkspace(NET, SequenceShape.steps(T).batch(B), BpttStrategy.full()));
    // ∂L/∂h_0 right after the gradient range in one array (touching, disjoint); the initial state
    // read from the inputs array (inputs may overlap inputs)
    float[] both = new float[P + B * S];
    new BpttRunner(NET)
        .run(
            BpttStrategy.full(),
            params,
            both,
            batch(x, up).initialStateGradient(both, P).initialState(x, 0),
            new BpttWorkspace(NET, SequenceShape.steps(T).batch(B), BpttStrategy.full()));
    assertArrayEquals(g, java.util.Arrays.copyOf(both, P));
    assertArrayEquals(dh0, java.util.Arrays.copyOfRange(both, P, P + B * S));
  }

  @Test
  void blasInPlaceCasesAndRefusedOverlaps() {
    float[] y = {1, 2, 3, 4, 5};
    Blas.axpy(5, 2f, y, 0, y, 0); // y ← y + 2y
    assertArrayEquals(new float[] {3, 6, 9, 12, 15}, y);
    float[] z = {1, 2, 3, 4, 5};
    refused("x", "y", () -> Blas.axpy(4, 1f, z, 0, z, 1), z);
    float[] h = {-1, 0.5f, 2};
    Blas.activate(Activation.RELU, 3, h, 0, h, 0);
    assertArrayEquals(new float[] {0, 0.5f, 2}, h);
    refused("x", "y", () -> Blas.activate(Activation.RELU, 2, h, 0, h, 1), h);
    float[] out = {1, 1, 1};
    float[] hh = {0.5f, 0, 1};
    Blas.activationGrad(Activation.IDENTITY, 3, hh, 0, out, 0, out, 0); // out ← g ⊙ 1, g = out
    assertArrayEquals(new float[] {1, 1, 1}, out);
    float[] a = random(16, 12);
    refused("y", "x", () -> Blas.gemv(2, 2, 1f, new float[4], 0, 2, a, 0, 0f, a, 1), a);
    refused(
        "C",
        "A",
        () -> Blas.gemm(Transpose.N, Transpose.N, 2, 2, 2, 1f, a, 0, 2, a, 8, 2, 0f, a, 2, 2),
        a);
  }

  @Test
  void lossesInPlace() {
    float[] y = {1, 2, 3};
    float[] t = {0, 0, 0};
    float[] dy = new float[3];
    double l = MseLoss.of().apply(y, 0, t, 0, 3, dy, 0);
    float[] yy = y.clone();
    double l2 = MseLoss.of().apply(yy, 0, t, 0, 3, yy, 0); // dy is y
    assertEquals(l, l2);
    assertArrayEquals(dy, yy);
    float[] q = {1, 2, 3, 4};
    refused("y", "dy", () -> MseLoss.of().apply(q, 0, t, 0, 3, q, 1), q);
    float[] x = {1, 2, 3, 4};
    float[] dx = new float[4];
    double c1 = CrossEntropyLoss.of().apply(2, 2, x, 0, new int[] {0, 1}, 0, dx, 0);
    float[] xx = x.clone();
    double c2 = CrossEntropyLoss.of().apply(2, 2, xx, 0, new int[] {0, 1}, 0, xx, 0);
    assertEquals(c1, c2);
    assertArrayEquals(dx, xx);
    float[] w = {1, 2, 3, 4, 5};
    refused("x", "dx", () -> CrossEntropyLoss.of().apply(2, 2, w, 0, new int[] {0, 1}, 0, w, 1), w);
  }

  @Test
  void optimizerSpectralAndClipRefusals() {
    float[] p = random(8, 13);
    var adam = dev.bptt.kernel.training.Adam.of(1e-3);
    var state = adam.newState(8);
    refused("params", "grads", () -> adam.step(p, p, state), p);
    float[] g = random(8, 14);
    float[] m = state.buffer(0);
    refused("params", "grads", () -> adam.step(m, g, state), m, g);
    // power iteration: the scratch may not overlap the start vector
    float[] a = random(16, 15);
    float[] vw = random(12, 16);
    refused(
        "work",
        "v",
        () -> dev.bptt.kernel.spectral.Spectral.symmetricDominant(4, a, 0, 4, vw, 0, vw, 2, 5, 0),
        a,
        vw);
    // AGC: gradient and weight views may not share an entry
    float[] gw = random(8, 17);
    var grads =
        dev.bptt.kernel.clip.TensorGroup.of(
            dev.bptt.kernel.clip.TensorView.matrix("G", gw, 0, 2, 2));
    var weights =
        dev.bptt.kernel.clip.TensorGroup.of(
            dev.bptt.kernel.clip.TensorView.matrix("W", gw, 2, 2, 2));
    refused(
        "G",
        "W",
        () ->
            dev.bptt.kernel.clip.GradientClipper.of(dev.bptt.kernel.clip.ClipRule.STRICT)
                .clipAdaptive(grads, weights, 0.01, new dev.bptt.kernel.clip.ClipResult()),
        gw);
  }
}
