package dev.bptt.verify.rnn;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.verify.Bits;
import dev.bptt.verify.Gen;
import dev.bptt.verify.Shrink;
import dev.bptt.verify.rnn.RnnHarness.KernelResult;
import dev.bptt.verify.rnn.RnnProblem.Loss;
import dev.bptt.verify.rnn.RnnProblem.Spec;
import dev.bptt.verify.rnn.RnnProblem.Weights;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A workspace reused across different inputs gives bitwise the same results as a fresh one: nothing
 * of the previous pass (h_0, δ slots of steps that had a loss before and have none now, outputs,
 * the remembered x) leaks into the next. The first pass is chosen to leave as much stale state as
 * possible: a loss at every step and a non-zero h_0, then a loss at the last step only (or a
 * subset) and h_0 = 0, with other parameters and inputs.
 */
class RnnWorkspaceReuseTest {

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void reusedWorkspaceEqualsFreshOne(long seed) {
    Gen g = new Gen(seed);
    SplittableRandom r = g.random();
    Activation act = Activation.values()[r.nextInt(Activation.values().length)];
    Spec before = new Spec(act, Weights.CONTRACTIVE, Loss.EVERY, true, true);
    Spec after =
        new Spec(act, Weights.CONTRACTIVE, r.nextBoolean() ? Loss.LAST : Loss.SUBSET, false, false);
    int[] dims = {
      1 + r.nextInt(30),
      1 + r.nextInt(8),
      g.size(40),
      g.size(1, 40),
      r.nextBoolean() ? 0 : g.size(1, 20)
    };
    Shrink.check(
        seed,
        dims,
        d -> {
          RnnProblem first = RnnProblem.of(before, d, seed);
          RnnProblem second = RnnProblem.of(after, d, seed + 0x9E3779B9L);
          RnnWorkspace ws = first.workspace();
          RnnHarness.runKernel(first, ws);
          KernelResult reused = RnnHarness.runKernel(second, ws);
          KernelResult fresh = RnnHarness.runKernel(second, null);
          String m =
              Bits.first(
                  Bits.same("hidden", fresh.ws().hidden(), reused.ws().hidden()),
                  Bits.same("output", fresh.ws().output(), reused.ws().output()),
                  Bits.same("delta", fresh.ws().delta(), reused.ws().delta()),
                  Bits.same("grads", fresh.grads(), reused.grads()),
                  Bits.same("dh0", fresh.dh0(), reused.dh0()),
                  Bits.same("traceDh", fresh.traceDh(), reused.traceDh()),
                  Bits.same("traceDelta", fresh.traceDelta(), reused.traceDelta()));
          return m == null ? null : second + " after " + first + ": " + m;
        });
  }
}
