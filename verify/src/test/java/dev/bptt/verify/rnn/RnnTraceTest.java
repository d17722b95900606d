package dev.bptt.verify.rnn;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.verify.Bits;
import dev.bptt.verify.Shrink;
import dev.bptt.verify.rnn.RnnHarness.KernelResult;
import dev.bptt.verify.rnn.RnnHarness.Reference;
import dev.bptt.verify.rnn.RnnProblem.Loss;
import dev.bptt.verify.rnn.RnnProblem.Spec;
import dev.bptt.verify.rnn.RnnProblem.Weights;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The per-step trace: traceDh[t−1] = ‖∂L/∂h_t‖₂ and traceDelta[t−1] = ‖δ_t‖₂ (Frobenius over the
 * batch) equal the reference norms within |‖g̃‖ − ‖ĝ‖| ≤ ‖Dg‖₂ + γ_{BH+3}·(‖ĝ‖ + ‖Dg‖₂) (see {@link
 * RnnBounds}), over long sequences where the gradient vanishes (contractive W_hh) or explodes
 * (ρ(W_hh) &gt; 1), and asking for the trace changes nothing else, bit for bit.
 */
class RnnTraceTest {

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void traceIsTheReferenceNorm(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Activation act = Activation.values()[r.nextInt(Activation.values().length)];
    Weights w = r.nextBoolean() ? Weights.CONTRACTIVE : Weights.EXPANDING;
    Spec spec = new Spec(act, w, r.nextBoolean() ? Loss.LAST : Loss.EVERY, r.nextBoolean(), false);
    int steps = r.nextBoolean() ? 100 : 1 + r.nextInt(30);
    int[] dims = {
      steps, 1 + r.nextInt(8), r.nextInt(9), 1 + r.nextInt(steps >= 100 ? 9 : 33), r.nextInt(3) * 3
    };
    Shrink.check(seed, dims, d -> check(RnnProblem.of(spec, d, seed)));
  }

  static String check(RnnProblem p) {
    KernelResult k = RnnHarness.runKernel(p, null);
    Reference r = RnnHarness.reference(p, p.grads0D(), k.ws().hidden());
    RnnHarness.Index step = i -> "[t=" + (i + 1) + "]";
    String m =
        Bits.first(
            RnnHarness.within(
                "traceDh", k.traceDh(), 0, r.bwd().traceDh(), r.bb().traceDh(), p.steps, step),
            RnnHarness.within(
                "traceDelta",
                k.traceDelta(),
                0,
                r.bwd().traceDelta(),
                r.bb().traceDelta(),
                p.steps,
                step),
            RnnHarness.canariesOutside("traceDh", k.traceDh(), 0, p.steps),
            RnnHarness.canariesOutside("traceDelta", k.traceDelta(), 0, p.steps),
            RnnHarness.informative("traceDh", r.bwd().traceDh(), r.bb().traceDh(), 0, p.steps),
            RnnHarness.informative(
                "traceDelta", r.bwd().traceDelta(), r.bb().traceDelta(), 0, p.steps),
            withoutTracesIsIdentical(p, k));
    return m == null ? null : p + ": " + m;
  }

  /** The same backward with null traces writes the same δ, gradients and ∂L/∂h_0, bit for bit. */
  private static String withoutTracesIsIdentical(RnnProblem p, KernelResult k) {
    ElmanRnn rnn = p.rnn();
    RnnWorkspace ws = p.workspace();
    rnn.forward(p.params, p.sequence(), ws);
    float[] grads = p.grads0.clone();
    float[] dh0 = RnnHarness.canaries(k.dh0().length);
    rnn.backward(
        p.params,
        grads,
        p.sequence().initialStateGradient(dh0, k.dh0Off()).traceDh(null).traceDelta(null),
        ws);
    return Bits.first(
        Bits.same("delta (no trace vs trace)", k.ws().delta(), ws.delta()),
        Bits.same("grads (no trace vs trace)", k.grads(), grads),
        Bits.same("dh0 (no trace vs trace)", k.dh0(), dh0));
  }
}
