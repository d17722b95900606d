package dev.bptt.verify.rnn;

import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.verify.Bits;
import dev.bptt.verify.NaiveRnn;
import java.util.Arrays;

/**
 * Runs the kernel and the double reference on one {@link RnnProblem} and compares every output
 * (hidden states, readout, δ, gradients, ∂L/∂h_0, both traces) within the {@link RnnBounds}, step
 * by step within the {@link RnnStepCheck} bounds, plus the canaries around every output range and
 * the inputs' bits.
 */
final class RnnHarness {
  private RnnHarness() {}

  /** What the kernel wrote. */
  record KernelResult(
      RnnWorkspace ws,
      float[] grads,
      float[] dh0,
      int dh0Off,
      float[] traceDh,
      float[] traceDelta) {}

  /** The reference pass and its bounds against the kernel. */
  record Reference(
      NaiveRnn.Forward fwd,
      NaiveRnn.Backward bwd,
      RnnBounds.Forward fb,
      RnnBounds.Backward bb,
      double[] grads0) {}

  /**
   * Runs forward and backward on {@code ws} (fresh when null), accumulating into a copy of
   * p.grads0.
   */
  static KernelResult runKernel(RnnProblem p, RnnWorkspace ws) {
    return runKernel(p, ws == null ? p.workspace() : ws, p.grads0.clone());
  }

  /** Runs forward and backward on {@code ws}, accumulating into {@code grads} (modified). */
  static KernelResult runKernel(RnnProblem p, RnnWorkspace ws, float[] grads) {
    p.rnn().forward(p.params, p.sequence(), ws);
    return runBackward(p, ws, grads);
  }

  /** Backward only (after a forward of p on ws), into fresh canary-padded dh0 and traces. */
  static KernelResult runBackward(RnnProblem p, RnnWorkspace ws, float[] grads) {
    ElmanRnn rnn = p.rnn();
    int bh = p.batch * p.layout.hiddenSize();
    int dh0Off = (p.xOff + p.dOutOff) % 11;
    float[] dh0 = canaries(dh0Off + bh + RnnProblem.TAIL);
    float[] traceDh = canaries(p.steps + RnnProblem.TAIL);
    float[] traceDelta = canaries(p.steps + RnnProblem.TAIL);
    SequenceBatch seq =
        p.sequence().initialStateGradient(dh0, dh0Off).traceDh(traceDh).traceDelta(traceDelta);
    rnn.backward(p.params, grads, seq, ws);
    return new KernelResult(ws, grads, dh0, dh0Off, traceDh, traceDelta);
  }

  /**
   * The reference of p, with gradient bounds for accumulation into {@code grads0} (layout values),
   * given the kernel's hidden states {@code taken} (its ReLU branches; null: unknown).
   */
  static Reference reference(RnnProblem p, double[] grads0, float[] taken) {
    NaiveRnn ref = new NaiveRnn(p.layout, p.spec.activation());
    double[] params = p.paramsD(), x = p.xD(), dOut = p.dOutD();
    NaiveRnn.Forward fwd = ref.forward(params, p.steps, p.batch, x, p.h0D());
    NaiveRnn.Backward bwd = ref.backward(params, fwd, x, dOut, p.lossAt);
    RnnBounds bounds = RnnBounds.kernelVsReference();
    RnnBounds.Forward fb = bounds.forward(p.layout, p.spec.activation(), params, x, fwd);
    double[] g0Abs = new double[grads0.length];
    for (int i = 0; i < g0Abs.length; i++) {
      g0Abs[i] = Math.abs(grads0[i]);
    }
    RnnBounds.Backward bb =
        bounds.backward(
            p.layout, p.spec.activation(), params, x, fwd, fb, bwd, dOut, p.lossAt, g0Abs, taken);
    return new Reference(fwd, bwd, fb, bb, grads0);
  }

  /** Builds the case, runs kernel and reference, and returns the first violation, or null. */
  static String check(RnnProblem.Spec spec, long seed, int[] dims) {
    RnnProblem p = RnnProblem.of(spec, dims, seed);
    float[] params = p.params.clone(), x = p.x.clone(), dOut = p.dOut.clone(), up = p.up.clone();
    float[] h0 = p.h0 == null ? null : p.h0.clone();
    KernelResult k = runKernel(p, null);
    Reference r = reference(p, p.grads0D(), k.ws().hidden());
    String msg =
        Bits.first(
            compare(p, k, r),
            RnnStepCheck.check(p, k),
            informative(p, r),
            Bits.same("params", params, p.params),
            Bits.same("x", x, p.x),
            h0 == null ? null : Bits.same("h0", h0, p.h0),
            Bits.same("dOut", dOut, p.dOut),
            Bits.same("upstream", up, p.up));
    return msg == null ? null : p + ": " + msg;
  }

  /** Every kernel output against the reference within its bound, and the canaries. */
  static String compare(RnnProblem p, KernelResult k, Reference r) {
    RnnLayout l = p.layout;
    int h = l.hiddenSize(), o = l.outputSize(), bh = p.batch * h;
    RnnWorkspace ws = k.ws();
    double[] gExp = new double[l.size()];
    for (int i = 0; i < gExp.length; i++) {
      gExp[i] = r.grads0()[i] + r.bwd().grads()[i];
    }
    return Bits.first(
        within(
            "h",
            ws.hidden(),
            0,
            r.fwd().h(),
            r.fb().h(),
            (p.steps + 1) * bh,
            stepIndex(0, p.batch, h)),
        within(
            "y",
            ws.output(),
            0,
            r.fwd().y(),
            r.fb().y(),
            p.steps * p.batch * o,
            stepIndex(1, p.batch, o)),
        within(
            "delta",
            ws.delta(),
            0,
            r.bwd().delta(),
            r.bb().delta(),
            p.steps * bh,
            stepIndex(1, p.batch, h)),
        within("grads", k.grads(), 0, gExp, r.bb().grads(), l.size(), layoutIndex(l)),
        within(
            "dh0", k.dh0(), k.dh0Off(), r.bwd().dh0(), r.bb().dh0(), bh, stepIndex(0, p.batch, h)),
        within(
            "traceDh",
            k.traceDh(),
            0,
            r.bwd().traceDh(),
            r.bb().traceDh(),
            p.steps,
            i -> "[t=" + (i + 1) + "]"),
        within(
            "traceDelta",
            k.traceDelta(),
            0,
            r.bwd().traceDelta(),
            r.bb().traceDelta(),
            p.steps,
            i -> "[t=" + (i + 1) + "]"),
        canariesOutside("grads", k.grads(), 0, l.size()),
        canariesOutside("dh0", k.dh0(), k.dh0Off(), bh),
        canariesOutside("traceDh", k.traceDh(), 0, p.steps),
        canariesOutside("traceDelta", k.traceDelta(), 0, p.steps));
  }

  /**
   * A bound above this fraction of the values it guards (per step for h, over all steps for δ, per
   * view for the gradients) would leave less than one significant digit checked there: then the
   * case's weights are badly conditioned for componentwise bounds and the test itself is wrong
   * (this is a guard on the test design, not a tolerance: it never makes a kernel pass).
   * Well-conditioned cases sit at 1e-6 to 1e-2. For the gradients only the propagated part of the
   * bound is judged: the γ_{TB+1}·Σ|terms| rounding of the final sum is what any float evaluation
   * incurs, and it is large against the value only where Σ δ·h itself cancels. δ is judged as a
   * whole because the true δ_t decays back in time like ρ(W_hh·diag φ′)^(T−t) while a componentwise
   * bound can only decay like ρ(|W_hh|·diag φ′)^(T−t): far-back steps are relatively looser, but
   * contribute correspondingly little to the gradients.
   */
  static final double INFORMATIVE = 0.1;

  /**
   * Values below this are treated as underflowed (the bounds' absolute K·2^-149 terms dominate).
   */
  static final double FLOOR = 1e-30;

  /**
   * Null if every bound is small against the values it guards, else a message (a test-design
   * failure).
   */
  static String informative(RnnProblem p, Reference r) {
    int h = p.layout.hiddenSize(), bh = p.batch * h;
    for (int t = 1; t <= p.steps; t++) {
      String m = informative("h_" + t, r.fwd().h(), r.fb().h(), t * bh, bh);
      if (m != null) {
        return m;
      }
    }
    String md = informative("delta", r.bwd().delta(), r.bb().delta(), 0, p.steps * bh);
    if (md != null) {
      return md;
    }
    double[] g = new double[p.layout.size()];
    for (int i = 0; i < g.length; i++) {
      g[i] = r.grads0()[i] + r.bwd().grads()[i];
    }
    for (TensorView v : views(p.layout)) {
      String m =
          informative("grads." + v.name(), g, r.bb().gradsPropagated(), v.offset(), v.length());
      if (m != null) {
        return m;
      }
    }
    return null;
  }

  static String informative(String what, double[] values, double[] bounds, int off, int n) {
    double maxV = 0, maxB = 0;
    for (int i = off; i < off + n; i++) {
      maxV = Math.max(maxV, Math.abs(values[i]));
      maxB = Math.max(maxB, bounds[i]);
    }
    if (!(maxB <= INFORMATIVE * maxV + FLOOR)) {
      return "test design: the bound on "
          + what
          + " ("
          + maxB
          + ") exceeds "
          + INFORMATIVE
          + " of its values ("
          + maxV
          + "); pick better conditioned weights";
    }
    return null;
  }

  /** Names element i of an array. */
  interface Index {
    String name(int i);
  }

  /** [steps][batch][width] arrays: step number from tBase. */
  static Index stepIndex(int tBase, int batch, int width) {
    return i ->
        "[t="
            + (i / (batch * width) + tBase)
            + ",b="
            + (i / width) % batch
            + ",i="
            + i % width
            + "]";
  }

  /** Gradient index → view name and (row, col). */
  static Index layoutIndex(RnnLayout l) {
    return i -> {
      for (TensorView v : views(l)) {
        if (i >= v.offset() && i < v.offset() + v.length()) {
          int rel = i - v.offset();
          return "." + v.name() + "[" + rel / v.cols() + "][" + rel % v.cols() + "]";
        }
      }
      return "[" + i + "]";
    };
  }

  /**
   * The layout's views (W_xh, W_hh, b_h, and W_hy, b_y with a readout) with their offsets, names
   * and shapes.
   */
  static java.util.List<TensorView> views(RnnLayout l) {
    return l.tensors(new float[l.size()]).views();
  }

  /** First i with !(|got − expected| ≤ bound·SLACK) (NaN fails), as a message; else null. */
  static String within(
      String what, float[] got, int off, double[] expected, double[] bound, int n, Index index) {
    for (int i = 0; i < n; i++) {
      double diff = Math.abs(got[off + i] - expected[i]);
      if (!(diff <= bound[i] * RnnBounds.SLACK)) {
        return what
            + index.name(i)
            + ": kernel="
            + got[off + i]
            + " reference="
            + expected[i]
            + " |diff|="
            + diff
            + " > bound="
            + bound[i];
      }
    }
    return null;
  }

  /** Null if every element outside [off, off+n) is still the canary's bits. */
  static String canariesOutside(String what, float[] a, int off, int n) {
    int canary = Float.floatToRawIntBits(RnnProblem.CANARY);
    for (int i = 0; i < a.length; i++) {
      if ((i < off || i >= off + n) && Float.floatToRawIntBits(a[i]) != canary) {
        return what + "[" + i + "] outside [" + off + ", " + (off + n) + ") was written: " + a[i];
      }
    }
    return null;
  }

  /** A float array of n canaries. */
  static float[] canaries(int n) {
    float[] a = new float[n];
    Arrays.fill(a, RnnProblem.CANARY);
    return a;
  }
}
