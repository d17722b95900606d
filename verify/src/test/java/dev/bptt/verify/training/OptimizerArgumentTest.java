package dev.bptt.verify.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.training.Adam;
import dev.bptt.kernel.training.Optimizer;
import dev.bptt.kernel.training.OptimizerState;
import dev.bptt.kernel.training.RmsProp;
import dev.bptt.kernel.training.Sgd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad arguments are rejected with an exception that names the argument, before anything is written:
 * parameters, gradients and state are unchanged and the step count does not move.
 */
class OptimizerArgumentTest {

  private static void rejects(
      Class<? extends Throwable> type, String word, Executable call, float[]... unchanged) {
    float[][] before = new float[unchanged.length][];
    for (int i = 0; i < unchanged.length; i++) {
      before[i] = unchanged[i].clone();
    }
    Throwable t = assertThrows(type, call);
    assertTrue(
        t.getMessage() != null && t.getMessage().contains(word),
        "message '" + t.getMessage() + "' should name '" + word + "'");
    for (int i = 0; i < unchanged.length; i++) {
      assertArrayEquals(before[i], unchanged[i], "array " + i + " was written");
    }
  }

  @Test
  void badHyperParametersAreRejected() {
    double[] bad = {-1, Double.NaN, Double.POSITIVE_INFINITY};
    for (double x : bad) {
      rejects(IllegalArgumentException.class, "lr", () -> Sgd.of(x));
      rejects(IllegalArgumentException.class, "lr", () -> Adam.of(x));
      rejects(IllegalArgumentException.class, "lr", () -> RmsProp.of(1).withLr(x));
      rejects(IllegalArgumentException.class, "weightDecay", () -> Adam.of().withWeightDecay(x));
      rejects(IllegalArgumentException.class, "l1", () -> Adam.of().withL1(x));
      rejects(
          IllegalArgumentException.class,
          "decoupledWeightDecay",
          () -> Adam.of().withDecoupledWeightDecay(x));
      rejects(IllegalArgumentException.class, "momentum", () -> Sgd.of(1).withMomentum(x));
      rejects(IllegalArgumentException.class, "eps", () -> Adam.of().withEps(x));
      rejects(IllegalArgumentException.class, "momentum", () -> RmsProp.of().withMomentum(x));
    }
    rejects(IllegalArgumentException.class, "beta1", () -> Adam.of().withBetas(1, 0.9));
    rejects(IllegalArgumentException.class, "beta2", () -> Adam.of().withBetas(0.9, -0.1));
    rejects(IllegalArgumentException.class, "beta1", () -> Adam.of().withBetas(Double.NaN, 0.9));
    rejects(IllegalArgumentException.class, "alpha", () -> RmsProp.of().withAlpha(1.5));
    rejects(IllegalArgumentException.class, "dampening", () -> Sgd.of(1).withDampening(2));
    rejects(IllegalArgumentException.class, "n", () -> Adam.of().newState(-1));
  }

  @Test
  void badStepArgumentsWriteNothing() {
    int n = 37;
    float[] p = new float[n], g = new float[n];
    for (int i = 0; i < n; i++) {
      p[i] = i * 0.1f;
      g[i] = 1 - i * 0.05f;
    }
    Adam adam = Adam.of(0.1).withAmsgrad(true);
    OptimizerState s = adam.newState(n);
    float[] m = s.buffer("exp_avg");
    rejects(NullPointerException.class, "params", () -> adam.step(null, g, s), g, m);
    rejects(NullPointerException.class, "grads", () -> adam.step(p, null, s), p, m);
    rejects(NullPointerException.class, "state", () -> adam.step(p, g, null), p, g);
    rejects(
        IllegalArgumentException.class, "params", () -> adam.step(new float[n - 1], g, s), g, m);
    rejects(IllegalArgumentException.class, "grads", () -> adam.step(p, new float[n + 1], s), p, m);
    rejects(IllegalArgumentException.class, "different arrays", () -> adam.step(p, p, s), p, m);
    for (double lr : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
      rejects(IllegalArgumentException.class, "lr", () -> adam.step(p, g, s, lr), p, g, m);
    }
    // A state of another optimizer (different buffers).
    OptimizerState sgdState = Sgd.of(1).withMomentum(0.9).newState(n);
    rejects(IllegalArgumentException.class, "buffers", () -> adam.step(p, g, sgdState), p, g, m);
    rejects(
        IllegalArgumentException.class,
        "buffers",
        () -> Adam.of().step(p, g, s),
        p,
        g,
        m); // no AMSGrad: two buffers, the state has three
    // An exempt range beyond n.
    Adam exempt = adam.withoutDecay(TensorView.vector("bias", new float[100], 30, 20));
    rejects(IllegalArgumentException.class, "exempt", () -> exempt.step(p, g, s), p, g, m);
    // Nesterov without momentum.
    Sgd nesterov = Sgd.of(1).withNesterov(true);
    OptimizerState ns = nesterov.newState(n);
    rejects(IllegalArgumentException.class, "nesterov", () -> nesterov.step(p, g, ns), p, g);
    assertEquals(0, s.step(), "a rejected step must not count");
    assertEquals(0, ns.step());
  }

  @Test
  void sizeZeroAndOneWork() {
    for (Optimizer o : new Optimizer[] {Sgd.of(0.5).withMomentum(0.9), Adam.of(), RmsProp.of()}) {
      OptimizerState s0 = o.newState(0);
      o.step(new float[0], new float[0], s0);
      assertEquals(1, s0.step());
      float[] p = {1f};
      OptimizerState s1 = o.newState(1);
      o.step(p, new float[] {2f}, s1);
      assertTrue(p[0] < 1f, o + " moved against the gradient: " + p[0]);
    }
  }

  @Test
  void exemptRangesAreMerged() {
    float[] a = new float[100];
    Adam o =
        Adam.of()
            .withoutDecay(TensorView.vector("b1", a, 10, 5))
            .withoutDecay(TensorView.vector("b2", a, 15, 5))
            .withoutDecay(TensorView.vector("b3", a, 50, 0))
            .withoutDecay(TensorView.vector("b4", a, 40, 3));
    assertArrayEquals(new int[] {10, 20, 40, 43}, o.exemptRanges());
    assertArrayEquals(new int[0], o.withDecayEverywhere().exemptRanges());
  }
}
