package dev.bptt.verify.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.training.Adam;
import dev.bptt.kernel.training.CrossEntropyLoss;
import dev.bptt.kernel.training.MseLoss;
import dev.bptt.kernel.training.Optimizer;
import dev.bptt.kernel.training.OptimizerState;
import dev.bptt.kernel.training.Reduction;
import dev.bptt.kernel.training.RmsProp;
import dev.bptt.kernel.training.Sgd;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Contract details of the optimizers, their state and the losses that the numeric tests do not
 * reach: descriptions that show exactly the settings in force, the bias filter of {@link
 * Optimizer#biases}, null and aliasing checks that name their argument, nesterov's dampening rule
 * and the state's buffer look-up and step bounds.
 */
class OptimizerContractTest {

  private static void shows(Object o, String... parts) {
    String s = o.toString();
    for (String p : parts) {
      assertTrue(s.contains(p), "'" + s + "' should show '" + p + "'");
    }
  }

  private static void hides(Object o, String... parts) {
    String s = o.toString();
    for (String p : parts) {
      assertFalse(s.contains(p), "'" + s + "' should not show '" + p + "'");
    }
  }

  // ---- toString ----

  @Test
  void sgdShowsItsSettingsAndOnlyThose() {
    Sgd plain = Sgd.of(0.1);
    shows(plain, "Sgd[", "lr=0.1");
    hides(plain, "momentum", "dampening", "nesterov", "weightDecay", "l1=", "exempt");
    shows(Sgd.of(0.1).withMomentum(0.9).withNesterov(true), "momentum=0.9", "nesterov");
    hides(Sgd.of(0.1).withMomentum(0.9).withNesterov(true), "dampening");
    Sgd damped = Sgd.of(0.1).withMomentum(0.9).withDampening(0.5);
    shows(damped, "momentum=0.9", "dampening=0.5");
    hides(damped, "nesterov");
  }

  @Test
  void commonSettingsAppearWhenSet() {
    float[] a = new float[10];
    Adam all =
        Adam.of()
            .withWeightDecay(0.01)
            .withL1(0.002)
            .withDecoupledWeightDecay(0.25)
            .withoutDecay(TensorView.vector("bias", a, 2, 3));
    shows(
        all,
        "lr=0.001",
        " weightDecay=0.01",
        " l1=0.002",
        " decoupledWeightDecay=0.25",
        " exempt=[2, 5]");
    hides(Adam.of(), "weightDecay", "l1=", "exempt");
    hides(Adam.of().withWeightDecay(0.01), "l1=", "decoupledWeightDecay", "exempt");
    hides(Adam.of().withL1(0.01), "weightDecay", "exempt");
    hides(Adam.of().withDecoupledWeightDecay(0.01), " weightDecay", "l1=", "exempt");
    shows(RmsProp.of().withL1(0.5), " l1=0.5");
    shows(Sgd.of(1).withDecoupledWeightDecay(0.5), " decoupledWeightDecay=0.5");
  }

  @Test
  void adamAndRmsPropShowTheirSettings() {
    shows(Adam.of(), "Adam[", "lr=0.001", "betas=(0.9, 0.999)", "eps=1.0E-8");
    hides(Adam.of(), "amsgrad");
    shows(Adam.of().withAmsgrad(true), "amsgrad");
    shows(RmsProp.of(), "RmsProp[", "lr=0.01", "alpha=0.99", "eps=1.0E-8");
    hides(RmsProp.of(), "momentum", "centered");
    shows(RmsProp.of().withMomentum(0.5).withCentered(true), "momentum=0.5", "centered");
    hides(RmsProp.of().withMomentum(0.5), "centered");
    hides(RmsProp.of().withCentered(true), "momentum");
  }

  @Test
  void lossesAndStateShowWhatTheyAre() {
    assertEquals("MseLoss[MEAN]", MseLoss.of().toString());
    assertEquals("MseLoss[SUM]", MseLoss.of().withReduction(Reduction.SUM).toString());
    assertEquals("CrossEntropyLoss[MEAN]", CrossEntropyLoss.of().toString());
    assertEquals(
        "CrossEntropyLoss[SUM]", CrossEntropyLoss.of().withReduction(Reduction.SUM).toString());
    Adam adam = Adam.of();
    OptimizerState s = adam.newState(3);
    adam.step(new float[3], new float[] {1, 2, 3}, s);
    adam.step(new float[3], new float[] {1, 2, 3}, s);
    shows(s, "n=3", "t=2", "exp_avg", "exp_avg_sq");
  }

  // ---- biases ----

  @Test
  void biasesAreTheViewsNamedBiasOrBUnderscoreAfterTheLastDot() {
    float[] a = new float[20];
    TensorView w = TensorView.vector("rnn.weight_ih_l0", a, 0, 2);
    TensorView b1 = TensorView.vector("rnn.bias_ih_l0", a, 2, 2);
    TensorView b2 = TensorView.vector("fc.Bias", a, 4, 2);
    TensorView b3 = TensorView.vector("b_h", a, 6, 2);
    TensorView b4 = TensorView.vector("out.b_y", a, 8, 2);
    TensorView notB = TensorView.vector("bias.weight", a, 10, 2);
    TensorView notB2 = TensorView.vector("rnn.weight_bias", a, 12, 2);
    TensorView notB3 = TensorView.vector("rnn.beta", a, 14, 2);
    TensorGroup g = TensorGroup.of(w, b1, notB, b2, b3, notB2, b4, notB3);
    assertEquals(List.of(b1, b2, b3, b4), Optimizer.biases(g).views());
    assertEquals(List.of(), Optimizer.biases(TensorGroup.of(w, notB, notB2, notB3)).views());
  }

  @Test
  void aRangeInsideAnExemptRangeAddsNothing() {
    float[] a = new float[40];
    Sgd o =
        Sgd.of(1)
            .withoutDecay(TensorView.vector("outer", a, 10, 20))
            .withoutDecay(TensorView.vector("inner", a, 15, 5));
    assertArrayEquals(new int[] {10, 30}, o.exemptRanges());
    assertArrayEquals(
        new int[] {5, 30}, o.withoutDecay(TensorView.vector("front", a, 5, 8)).exemptRanges());
    // The whole exempt range is spared by the decay: θ ← θ·(1 − γλ) elsewhere only.
    float[] p = new float[40];
    java.util.Arrays.fill(p, 1f);
    o.withDecoupledWeightDecay(0.5).step(p, new float[40], o.newState(40));
    for (int i = 0; i < 40; i++) {
      assertEquals(i >= 10 && i < 30 ? 1f : 0.5f, p[i], "p[" + i + "]");
    }
  }

  @Test
  void hyperParametersRangeFromZeroToFloatMax() {
    assertEquals(0, Sgd.of(0).lr());
    assertEquals(Float.MAX_VALUE, Adam.of().withWeightDecay(Float.MAX_VALUE).weightDecay());
    assertEquals(0, RmsProp.of().withL1(0).l1());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Sgd.of(2.0 * Float.MAX_VALUE));
    assertTrue(e.getMessage().startsWith("lr must be finite, >= 0 and at most"), e.getMessage());
    // Unit-interval coefficients say whether 1 is allowed.
    e = assertThrows(IllegalArgumentException.class, () -> Adam.of().withBetas(1, 0.999));
    assertEquals("beta1 must be in [0, 1), got 1.0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Sgd.of(1).withDampening(1.5));
    assertEquals("dampening must be in [0, 1], got 1.5", e.getMessage());
  }

  @Test
  void accessorsReturnTheSettings() {
    Sgd sgd =
        Sgd.of(0.25)
            .withMomentum(0.75)
            .withDampening(0.5)
            .withNesterov(true)
            .withL1(0.125)
            .withDecoupledWeightDecay(0.0625)
            .withWeightDecay(0.03125);
    assertEquals(0.25, sgd.lr());
    assertEquals(0.75, sgd.momentum());
    assertEquals(0.5, sgd.dampening());
    assertTrue(sgd.nesterov());
    assertFalse(Sgd.of(1).nesterov());
    assertEquals(0.125, sgd.l1());
    assertEquals(0.0625, sgd.decoupledWeightDecay());
    assertEquals(0.03125, sgd.weightDecay());
    Sgd sgd2 = sgd.withLr(2).withoutDecay(TensorView.vector("b", new float[4], 1, 2));
    assertEquals(2, sgd2.lr());
    assertEquals(0.75, sgd2.momentum());
    assertArrayEquals(new int[] {1, 3}, sgd2.exemptRanges());
    assertArrayEquals(new int[0], sgd2.withDecayEverywhere().exemptRanges());
    assertEquals(0.75, sgd2.withDecayEverywhere().momentum());

    Adam adam = Adam.of(0.5).withBetas(0.8, 0.9).withEps(1e-6).withAmsgrad(true);
    assertEquals(0.8, adam.beta1());
    assertEquals(0.9, adam.beta2());
    assertEquals(1e-6, adam.eps());
    assertTrue(adam.amsgrad());
    assertFalse(Adam.of().amsgrad());
    assertEquals(0.25, adam.withLr(0.25).lr());
    assertTrue(adam.withLr(0.25).amsgrad());

    RmsProp rms = RmsProp.of(0.5).withAlpha(0.9).withEps(1e-4).withMomentum(0.3).withCentered(true);
    assertEquals(0.9, rms.alpha());
    assertEquals(1e-4, rms.eps());
    assertEquals(0.3, rms.momentum());
    assertTrue(rms.centered());
    assertFalse(RmsProp.of().centered());
    assertEquals(0.125, rms.withLr(0.125).lr());
    assertTrue(rms.withLr(0.125).centered());
    RmsProp exempt = rms.withoutDecay(TensorView.vector("b", new float[4], 0, 2));
    assertArrayEquals(new int[0], exempt.withDecayEverywhere().exemptRanges());
    assertEquals(0.9, exempt.withDecayEverywhere().alpha());

    assertEquals(Reduction.SUM, MseLoss.of().withReduction(Reduction.SUM).reduction());
    assertEquals(Reduction.MEAN, MseLoss.of().reduction());
    assertEquals(Reduction.SUM, CrossEntropyLoss.of().withReduction(Reduction.SUM).reduction());
    assertEquals(Reduction.MEAN, CrossEntropyLoss.of().reduction());
    npe("reduction", () -> MseLoss.of().withReduction(null));
    npe("reduction", () -> CrossEntropyLoss.of().withReduction(null));
  }

  @Test
  void stateNamesItsBuffersAndResets() {
    Adam adam = Adam.of().withAmsgrad(true);
    OptimizerState s = adam.newState(2);
    assertEquals(List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq"), s.bufferNames());
    assertEquals(List.of(), Sgd.of(1).newState(2).bufferNames());
    adam.step(new float[2], new float[] {1, -2}, s);
    s.reset();
    assertEquals(0, s.step());
    for (int b = 0; b < s.bufferCount(); b++) {
      assertArrayEquals(new float[2], s.buffer(b), s.bufferName(b));
    }
  }

  // ---- null and aliasing checks ----

  private static void npe(String name, org.junit.jupiter.api.function.Executable call) {
    NullPointerException e = assertThrows(NullPointerException.class, call);
    assertEquals(name + " must not be null", e.getMessage());
  }

  @Test
  void nullArgumentsAreNamed() {
    npe("views", () -> Optimizer.biases(null));
    npe("views", () -> Adam.of().withoutDecay(null));
    npe("views", () -> Sgd.of(1).withoutDecay(null));
    float[] g = {1, 2};
    OptimizerState s = Adam.of().newState(2);
    npe("params", () -> Adam.of().step(null, g, s));
    npe("grads", () -> Adam.of().step(new float[2], null, s));
    npe("state", () -> Adam.of().step(new float[2], g, null));
    npe("name", () -> s.buffer((String) null));
  }

  @Test
  void aStateBufferCannotBeTheParamsOrTheGrads() {
    int n = 4;
    for (Optimizer o :
        new Optimizer[] {
          Sgd.of(1).withMomentum(0.9), Adam.of().withAmsgrad(true), RmsProp.of().withCentered(true)
        }) {
      OptimizerState s = o.newState(n);
      float[] p = {1, 2, 3, 4}, g = {1, 1, 1, 1};
      for (int b = 0; b < s.bufferCount(); b++) {
        float[] buf = s.buffer(b);
        String name = s.bufferName(b);
        IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> o.step(buf, g, s), o + " " + name);
        assertTrue(e.getMessage().contains("state buffer '" + name + "'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> o.step(p, buf, s), o + " " + name);
        assertTrue(e.getMessage().contains("state buffer '" + name + "'"), e.getMessage());
        for (int c = 0; c < s.bufferCount(); c++) {
          assertArrayEquals(new float[n], s.buffer(c), "buffer " + c + " written");
        }
        assertArrayEquals(new float[] {1, 2, 3, 4}, p);
        assertArrayEquals(new float[] {1, 1, 1, 1}, g);
        assertEquals(0, s.step());
      }
    }
  }

  @Test
  void nesterovRequiresZeroDampening() {
    float[] p = {1, 2}, g = {1, 1};
    Sgd bad = Sgd.of(1).withMomentum(0.9).withDampening(0.5).withNesterov(true);
    OptimizerState s = bad.newState(2);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> bad.step(p, g, s));
    assertTrue(e.getMessage().contains("dampening=0.5"), e.getMessage());
    assertArrayEquals(new float[] {1, 2}, p);
    assertArrayEquals(new float[2], s.buffer(0));
    assertEquals(0, s.step());
    // Nesterov with momentum and no dampening steps: first step buf = g, p ← p − γ(g + μ·buf).
    Sgd good = Sgd.of(1).withMomentum(0.5).withNesterov(true);
    OptimizerState t = good.newState(2);
    good.step(p, g, t);
    assertArrayEquals(new float[] {-0.5f, 0.5f}, p);
    assertEquals(1, t.step());
  }

  // ---- OptimizerState ----

  @Test
  void stateBuffersAreFoundByNameOnly() {
    OptimizerState s = Adam.of().newState(3);
    assertSame(s.buffer(0), s.buffer("exp_avg"));
    assertSame(s.buffer(1), s.buffer("exp_avg_sq"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.buffer("momentum_buffer"));
    assertTrue(e.getMessage().startsWith("no state buffer 'momentum_buffer'"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> Sgd.of(1).newState(3).buffer("momentum_buffer"));
  }

  @Test
  void theStepCountCannotBeNegative() {
    OptimizerState s = Adam.of().newState(3);
    s.setStep(5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.setStep(-1));
    assertTrue(e.getMessage().startsWith("step must be >= 0"), e.getMessage());
    assertEquals(5, s.step());
    s.setStep(0);
    assertEquals(0, s.step());
  }
}
