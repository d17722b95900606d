package dev.bptt.verify.training;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.training.Optimizer;
import dev.bptt.kernel.training.OptimizerState;
import dev.bptt.verify.Gen;
import dev.bptt.verify.Shrink;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Optimizer steps against double references of PyTorch's formulas ({@link RefOptim}) over several
 * steps with a changing learning rate, every variant (momentum, dampening, Nesterov, bias
 * correction, AMSGrad, centered, L2, L1, decoupled decay, views exempt from decay), sizes around
 * the lane counts and large. Tolerances are the bounds {@link Err} derives along the kernel's chain
 * of float operations; θ and every state buffer are compared after each step.
 */
class OptimizerReferenceTest {
  static final double[] LRS = {1e-3, 1e-2, 0.1};
  static final double[] DECAYS = {0, 0, 1e-2, 0.1};
  static final float[] G_SCALES = {1f, 1e-3f, 1e3f};

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void stepsMatchReferenceWithinDerivedBounds(long seed) {
    Gen gen = new Gen(seed);
    int n = gen.sizeOrLarge(200, 1000, 5000);
    int steps = 1 + gen.random().nextInt(5);
    Shrink.check(seed, new int[] {n, steps}, d -> check(seed, d[0], d[1], false));
  }

  /** A reference with Sutskever's momentum or without bias correction must be told apart. */
  @Test
  void wrongConventionsAreDetected() {
    for (RefOptim.Kind kind : new RefOptim.Kind[] {RefOptim.Kind.SGD, RefOptim.Kind.ADAM}) {
      String msg = check(7, 64, 4, true, kind);
      assertNotNull(
          msg, kind + ": a wrong reference passed, so the comparison cannot discriminate");
    }
  }

  private static String check(long seed, int n, int steps, boolean wrong) {
    return check(seed, n, steps, wrong, null);
  }

  static RefOptim randomReference(SplittableRandom rnd, RefOptim.Kind forced) {
    RefOptim.Kind kind =
        forced != null
            ? forced
            : RefOptim.Kind.values()[rnd.nextInt(RefOptim.Kind.values().length)];
    RefOptim r = new RefOptim(kind);
    r.wd = DECAYS[rnd.nextInt(DECAYS.length)];
    r.l1 = rnd.nextInt(3) == 0 ? 1e-3 : 0;
    r.dwd = rnd.nextInt(3) == 0 ? 1e-2 : 0;
    switch (kind) {
      case SGD -> {
        r.momentum = rnd.nextBoolean() ? 0.9 : 0;
        r.nesterov = r.momentum > 0 && rnd.nextBoolean();
        r.dampening = !r.nesterov && rnd.nextBoolean() ? 0.1 : 0;
      }
      case ADAM -> {
        r.beta1 = rnd.nextBoolean() ? 0.9 : 0.5 + 0.49 * rnd.nextDouble();
        r.beta2 = rnd.nextBoolean() ? 0.999 : 0.9 + 0.0999 * rnd.nextDouble();
        r.eps = rnd.nextBoolean() ? 1e-8 : 1e-6;
        r.amsgrad = rnd.nextBoolean();
        r.dwd = rnd.nextBoolean() ? 1e-2 : r.dwd; // AdamW half of the time
      }
      case RMSPROP -> {
        r.alpha = rnd.nextBoolean() ? 0.99 : 0.9;
        r.eps = rnd.nextBoolean() ? 1e-8 : 1e-6;
        r.momentum = rnd.nextBoolean() ? 0.9 : 0;
        r.centered = rnd.nextBoolean();
      }
    }
    return r;
  }

  static String check(long seed, int n, int steps, boolean wrong, RefOptim.Kind forced) {
    Gen gen = new Gen(seed);
    SplittableRandom rnd = gen.random();
    RefOptim ref = randomReference(rnd, forced);
    if (wrong) {
      ref.momentum = 0.9;
      ref.nesterov = false;
      ref.dampening = 0;
      ref.sutskever = true;
      ref.noBiasCorrection = true;
    }
    double lr0 = LRS[rnd.nextInt(LRS.length)];
    float gScale = G_SCALES[rnd.nextInt(G_SCALES.length)];
    float[] params = gen.array(n, 1f);
    // Views: a random partition of [0, n) into "weight"/"bias" views; biases exempt from decay.
    List<TensorView> views = new ArrayList<>();
    boolean[] decay = new boolean[n];
    boolean exemptBiases = rnd.nextBoolean();
    for (int off = 0, k = 0; off < n; k++) {
      int len = Math.min(n - off, 1 + rnd.nextInt(Math.max(1, n / 3 + 1)));
      boolean bias = rnd.nextBoolean();
      views.add(TensorView.vector((bias ? "bias_" : "weight_") + k, params, off, len));
      for (int j = off; j < off + len; j++) {
        decay[j] = !(exemptBiases && bias);
      }
      off += len;
    }
    if (!exemptBiases) {
      java.util.Arrays.fill(decay, true);
    }
    Optimizer opt = ref.optimizer(lr0);
    if (exemptBiases && !views.isEmpty()) {
      opt = opt.withoutDecay(Optimizer.biases(TensorGroup.of(views)));
    }
    ref.init(params, decay);
    OptimizerState state = opt.newState(n);
    String where =
        ref + " lr0=" + lr0 + " gScale=" + gScale + " n=" + n + " exempt=" + exemptBiases;
    for (int s = 1; s <= steps; s++) {
      float[] grads = gen.array(n, gScale);
      double lr = lr0 * (1 - 0.15 * (s - 1)); // a changing rate, as under a schedule
      if (wrong) {
        lr = lr0 * s; // Sutskever and PyTorch momentum differ when the rate changes
      }
      opt.step(params, grads, state, lr);
      ref.step(grads, lr);
      String msg = compare(where + " step " + s + " θ", params, ref.theta, s);
      if (msg != null) {
        return msg;
      }
      for (int b = 0; b < state.bufferCount(); b++) {
        msg =
            compare(
                where + " step " + s + " " + state.bufferName(b),
                state.buffer(b),
                ref.buffer(state.bufferName(b)),
                s);
        if (msg != null) {
          return msg;
        }
      }
    }
    return state.step() == steps ? null : where + ": step count " + state.step() + " != " + steps;
  }

  private static String compare(String what, float[] got, Err[] want, int steps) {
    for (int i = 0; i < got.length; i++) {
      double allowed = want[i].allowed(30 * steps);
      double err = Math.abs(got[i] - want[i].v());
      if (!(err <= allowed)) {
        return what
            + "["
            + i
            + "]: got "
            + got[i]
            + ", reference "
            + want[i].v()
            + ", |error| "
            + err
            + " > derived bound "
            + allowed;
      }
    }
    return null;
  }
}
