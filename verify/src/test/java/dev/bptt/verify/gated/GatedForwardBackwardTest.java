package dev.bptt.verify.gated;

import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.verify.Bits;
import dev.bptt.verify.NaiveStack;
import dev.bptt.verify.Shrink;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link dev.bptt.kernel.rnn.StackedRnn#forward} and {@link
 * dev.bptt.kernel.rnn.StackedRnn#backward} of Elman, GRU and LSTM stacks (the cells in turn over
 * the seeds; 1–3 layers; H, D on and off the lane grid; B up to 33; readout or not; losses at
 * every, the last or random steps; non-zero initial state and starting gradients; every array at an
 * offset between NaN canaries) against the double reference {@link NaiveStack}: every output y_t,
 * every carried state ({@code copyState}), every gradient entry (grads0 + the pass's), ∂L/∂(initial
 * state), and the traces ‖∂L/∂h_t‖ and ‖∂L/∂c_t‖ (LSTM).
 *
 * <p>Tolerance: each compared value's running bound under {@link NaiveStack.Model#FLOAT}
 * (derivation in the {@link NaiveStack} class comment: per-operation rounding and σ/tanh accuracy,
 * propagated through every step and layer with the actual |weights|, |gates| and |states| of the
 * case). No constant is tuned. The canaries catch reads of padding (NaN would reach a compared
 * value) and writes outside the outputs.
 */
class GatedForwardBackwardTest {

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void kernelMatchesTheReferenceWithinTheRunningBound(long seed) {
    CellType cell = GatedCase.cell(seed);
    Shrink.check(
        seed,
        GatedCase.dims(seed),
        d -> GatedCase.valid(d) ? check(new GatedCase(seed, cell, d)) : null);
  }

  /**
   * Layer normalization at H on and off the lane grid (1, 7, 17, 37: vector bodies and scalar tails
   * of its passes), two layers, a readout, B = 3, for every cell and loss pattern.
   */
  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.EnumSource(CellType.class)
  void layerNormMatchesTheReferenceOffTheLaneGrid(CellType cell) {
    for (int h : new int[] {1, 7, 17, 37}) {
      for (int pattern = 0; pattern < 3; pattern++) {
        GatedCase c = new GatedCase(31 + h, cell, new int[] {5, 3, 4, h, 2, 2}, pattern, true);
        String m = check(c);
        org.junit.jupiter.api.Assertions.assertNull(m, m);
      }
    }
  }

  static String check(GatedCase c) {
    String what = c.describe();
    GatedCase.Outputs out = c.outputs().withInitialStateGradient();
    RnnWorkspace ws = new RnnWorkspace(c.net, c.shape);
    c.net.forward(c.params, out.seq, ws);
    c.net.backward(c.params, out.grads, out.seq, ws);

    NaiveStack ref = c.reference(NaiveStack.Model.FLOAT);
    double[] p = c.paramsD();
    NaiveStack.Forward f = ref.forward(p, c.steps, c.batch, c.xD(), c.s0D());
    NaiveStack.Backward b =
        ref.backward(p, f, c.dOutD(), c.lossAt, c.grads0D(), NaiveStack.Mode.full());

    int w = c.layout.stepOutputSize(), row = c.batch * w;
    for (int t = 1; t <= c.steps; t++) {
      String m =
          GatedCase.within(
              what + " y_" + t,
              ws.output(),
              ws.outputOffset(t),
              java.util.Arrays.copyOfRange(f.y, (t - 1) * row, t * row),
              java.util.Arrays.copyOfRange(f.ey, (t - 1) * row, t * row));
      if (m != null) {
        return m;
      }
    }
    int s = c.batch * c.net.stateSize();
    float[] state = new float[s + 2];
    for (int t = 0; t <= c.steps; t++) {
      java.util.Arrays.fill(state, GatedCase.CANARY);
      ws.copyState(t, state, 1);
      double[][] st = stateOf(c, f, t);
      String m = GatedCase.within(what + " state_" + t, state, 1, st[0], st[1]);
      if (m == null && !(GatedCase.isCanary(state[0]) && GatedCase.isCanary(state[s + 1]))) {
        m = what + " copyState wrote outside its range";
      }
      if (m != null) {
        return m;
      }
    }
    return Bits.first(
        GatedCase.within(what + " grads", out.grads, 0, b.grads(), b.gradsErr()),
        GatedCase.within(what + " dL/ds0", out.ds0, out.ds0Off, b.ds0(), b.ds0Err()),
        GatedCase.within(what + " traceDh", out.traceDh, 0, b.traceDh(), b.traceDhErr()),
        out.traceDc == null
            ? null
            : GatedCase.within(what + " traceDc", out.traceDc, 0, b.traceDc(), b.traceDcErr()),
        out.canariesIntact(true));
  }

  /** The carried state of step t in the compact layout, with bounds. */
  static double[][] stateOf(GatedCase c, NaiveStack.Forward f, int t) {
    int h = c.layout.hiddenSize(), n = c.layout.layers(), bh = c.batch * h;
    double[] v = new double[c.batch * c.net.stateSize()], e = new double[v.length];
    for (int k = 0; k < n; k++) {
      System.arraycopy(f.h[k], t * bh, v, k * bh, bh);
      System.arraycopy(f.eh[k], t * bh, e, k * bh, bh);
      if (c.layout.cell() == CellType.LSTM) {
        System.arraycopy(f.c[k], t * bh, v, (n + k) * bh, bh);
        System.arraycopy(f.ec[k], t * bh, e, (n + k) * bh, bh);
      }
    }
    return new double[][] {v, e};
  }
}
