package dev.bptt.verify.rnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.verify.Bits;
import dev.bptt.verify.Gen;
import dev.bptt.verify.Shrink;
import dev.bptt.verify.rnn.RnnHarness.KernelResult;
import dev.bptt.verify.rnn.RnnHarness.Reference;
import dev.bptt.verify.rnn.RnnProblem.Loss;
import dev.bptt.verify.rnn.RnnProblem.Spec;
import dev.bptt.verify.rnn.RnnProblem.Weights;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradients accumulate ({@code +=}): two backward calls add up, and {@link ElmanRnn#zeroGradients}
 * gives overwrite semantics.
 *
 * <p>Bounds: let B(G) be the {@link RnnBounds} gradient bound for one backward call that
 * accumulates into prior gradients G (its γ_{TB+1}·|G| term grows with G). Call 1 gives |G₁ − (G₀ +
 * Ĝ)| ≤ B(|G₀|); call 2 accumulates into G₁, so |G₂ − (G₁ + Ĝ)| ≤ B(|G₁|), and together |G₂ − (G₀ +
 * 2Ĝ)| ≤ B(|G₀|) + B(|G₁|). From zeros: |(G₂ − G₁) − G₁| ≤ |G₂ − G₁ − Ĝ| + |Ĝ − G₁| ≤ B(|G₁|) +
 * B(0), plus u_d·|G₂ − G₁| for forming the difference in double. What must hold exactly: the second
 * call writes the same δ, ∂L/∂h_0 and traces bit for bit (they do not depend on the gradients), and
 * a zeroGradients'd buffer gives the bits of a fresh zero one.
 */
class RnnAccumulationTest {

  static Spec spec(SplittableRandom r, boolean priorGrads) {
    Activation act = Activation.values()[r.nextInt(Activation.values().length)];
    return new Spec(
        act, Weights.CONTRACTIVE, Loss.values()[r.nextInt(3)], r.nextBoolean(), priorGrads);
  }

  static int[] dims(Gen g) {
    SplittableRandom r = g.random();
    return new int[] {
      1 + r.nextInt(20),
      1 + r.nextInt(5),
      g.size(20),
      g.size(1, 20),
      r.nextBoolean() ? 0 : g.size(1, 9)
    };
  }

  /**
   * Two calls on one forward: G₂ = G₀ + 2Ĝ within B(|G₀|) + B(|G₁|); δ, ∂L/∂h_0, traces bitwise
   * repeated.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void twoBackwardCallsSum(long seed) {
    Gen g = new Gen(seed);
    Spec spec = spec(g.random(), true);
    Shrink.check(seed, dims(g), d -> twoCalls(RnnProblem.of(spec, d, seed)));
  }

  static String twoCalls(RnnProblem p) {
    KernelResult first = RnnHarness.runKernel(p, null);
    float[] g1 = first.grads().clone();
    float[] delta1 = first.ws().delta().clone();
    KernelResult second = RnnHarness.runBackward(p, first.ws(), first.grads());
    Reference r0 = RnnHarness.reference(p, p.grads0D(), first.ws().hidden());
    Reference r1 = RnnHarness.reference(p, toDouble(g1, p.layout.size()), first.ws().hidden());
    int n = p.layout.size();
    double[] expected = new double[n], bound = new double[n];
    for (int i = 0; i < n; i++) {
      expected[i] = r0.grads0()[i] + 2 * r0.bwd().grads()[i];
      bound[i] = r0.bb().grads()[i] + r1.bb().grads()[i];
    }
    String m =
        Bits.first(
            RnnHarness.within(
                "grads after 1 call",
                g1,
                0,
                gradsPlus(r0),
                r0.bb().grads(),
                n,
                RnnHarness.layoutIndex(p.layout)),
            RnnHarness.within(
                "grads after 2 calls",
                second.grads(),
                0,
                expected,
                bound,
                n,
                RnnHarness.layoutIndex(p.layout)),
            Bits.same("delta (call 2 vs call 1)", delta1, second.ws().delta()),
            Bits.same("dh0 (call 2 vs call 1)", first.dh0(), second.dh0()),
            Bits.same("traceDh (call 2 vs call 1)", first.traceDh(), second.traceDh()),
            Bits.same("traceDelta (call 2 vs call 1)", first.traceDelta(), second.traceDelta()));
    return m == null ? null : p + ": " + m;
  }

  /** From zeros: call 2 adds what call 1 wrote, (G₂ − G₁) = G₁ within B(|G₁|) + B(0). */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void secondCallFromZerosAddsTheFirst(long seed) {
    Gen g = new Gen(seed);
    Spec spec = spec(g.random(), false);
    Shrink.check(
        seed,
        dims(g),
        d -> {
          RnnProblem p = RnnProblem.of(spec, d, seed);
          KernelResult first = RnnHarness.runKernel(p, null);
          float[] g1 = first.grads().clone();
          float[] g2 = RnnHarness.runBackward(p, first.ws(), first.grads()).grads();
          Reference zero =
              RnnHarness.reference(p, new double[p.layout.size()], first.ws().hidden());
          Reference r1 =
              RnnHarness.reference(p, toDouble(g1, p.layout.size()), first.ws().hidden());
          int n = p.layout.size();
          for (int i = 0; i < n; i++) {
            double added = (double) g2[i] - g1[i]; // rounding ≤ u_d·|G₂ − G₁|, added to the bound
            double bound =
                zero.bb().grads()[i] + r1.bb().grads()[i] + RnnBounds.U_DOUBLE * Math.abs(added);
            if (!(Math.abs(added - g1[i]) <= bound * RnnBounds.SLACK)) {
              return p
                  + ": grads"
                  + RnnHarness.layoutIndex(p.layout).name(i)
                  + ": G1="
                  + g1[i]
                  + " G2="
                  + g2[i]
                  + " |(G2 - G1) - G1|="
                  + Math.abs(added - g1[i])
                  + " > bound="
                  + bound;
            }
          }
          return null;
        });
  }

  /**
   * zeroGradients clears exactly the layout (garbage, NaN, ∞ included) and gives overwrite
   * semantics.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void zeroGradientsGivesOverwrite(long seed) {
    Gen g = new Gen(seed);
    Spec spec = spec(g.random(), false);
    RnnProblem p = RnnProblem.of(spec, dims(g), seed);
    ElmanRnn rnn = new ElmanRnn(p.layout, spec.activation());
    int n = p.layout.size();
    float[] garbage = new float[n + RnnProblem.TAIL];
    SplittableRandom r = g.random();
    for (int i = 0; i < n; i++) {
      garbage[i] =
          switch (r.nextInt(4)) {
            case 0 -> Float.NaN;
            case 1 -> Float.NEGATIVE_INFINITY;
            default -> (float) (r.nextDouble() * 1e6 - 5e5);
          };
    }
    Arrays.fill(garbage, n, garbage.length, RnnProblem.CANARY);
    rnn.zeroGradients(garbage);
    for (int i = 0; i < n; i++) {
      assertEquals(
          0,
          Float.floatToRawIntBits(garbage[i]),
          "grads[" + i + "] after zeroGradients: " + garbage[i]);
    }
    assertNull(RnnHarness.canariesOutside("grads", garbage, 0, n));

    float[] fresh = new float[n + RnnProblem.TAIL];
    Arrays.fill(fresh, n, fresh.length, RnnProblem.CANARY);
    KernelResult a = RnnHarness.runKernel(p, new RnnWorkspace(rnn, p.shape()), fresh);
    KernelResult b = RnnHarness.runKernel(p, new RnnWorkspace(rnn, p.shape()), garbage);
    assertNull(
        Bits.same("grads (zeroGradients'd vs fresh zeros)", a.grads(), b.grads()), p.toString());
  }

  private static double[] gradsPlus(Reference r) {
    double[] e = new double[r.grads0().length];
    for (int i = 0; i < e.length; i++) {
      e[i] = r.grads0()[i] + r.bwd().grads()[i];
    }
    return e;
  }

  private static double[] toDouble(float[] a, int n) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = a[i];
    }
    return d;
  }
}
