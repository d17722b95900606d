package dev.bptt.verify.gated;

import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.bptt.TruncationSchedule;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.verify.Bits;
import dev.bptt.verify.NaiveStack;
import dev.bptt.verify.Seeds;
import dev.bptt.verify.Shrink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link dev.bptt.kernel.bptt.BpttRunner} strategies on Elman, GRU and LSTM stacks (cells in turn
 * over the seeds):
 *
 * <ul>
 *   <li>full via the runner is bitwise {@code StackedRnn.backward} (grads, ∂L/∂s_0, every trace);
 *   <li>checkpointed (the default ⌈√T⌉, several fixed segments, several budgets) is bitwise full,
 *       and holds the final state bitwise;
 *   <li>randomized with the schedule c = 0 (never truncates; flow factor 1) is bitwise full, and
 *       with c = 0.3 it runs, gives finite gradients and reports its truncations;
 *   <li>truncated(τ) and streaming(k1, k2) against {@link NaiveStack} with the same cut ({@link
 *       NaiveStack.Mode}: each loss s through steps s..max(1, s−τ+1), chains summed;
 *       StreamingEngine's windows), within the {@link NaiveStack.Model#FLOAT} running bound: grads,
 *       ∂L/∂s_0 (truncated), traces ‖∂L/∂h_t‖ and ‖∂L/∂c_t‖; streaming's final state bitwise
 *       forward's.
 * </ul>
 */
class GatedStrategyTest {

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void exactStrategiesAreBitwiseFull(long seed) {
    CellType cell = GatedCase.cell(seed);
    Shrink.check(
        seed,
        GatedCase.dims(seed),
        d ->
            GatedCase.valid(d)
                ? Bits.first(
                    exact(new GatedCase(seed, cell, d, null, false)),
                    exact(new GatedCase(seed, cell, d, null, true)))
                : null);
  }

  /**
   * Shapes whose full backward runs in several chunks of whole weight-gradient blocks (Backprop's
   * chunked full pass: 8 steps at B = 32, 4 at B = 64, 128 at B = 2), a short top chunk among them,
   * against checkpointed BPTT, which splits the sums at other rows: both must be bitwise the same.
   */
  static Stream<Arguments> chunkSpanningShapes() {
    List<Arguments> cases = new ArrayList<>();
    int[][] shapes = {{20, 32}, {9, 64}, {300, 2}};
    for (CellType cell : CellType.values()) {
      for (int[] tb : shapes) {
        for (int layers : new int[] {1, 2}) {
          cases.add(Arguments.of(cell, tb[0], tb[1], layers));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} T={1} B={2} layers={3}")
  @MethodSource("chunkSpanningShapes")
  void exactStrategiesAreBitwiseFullAcrossBackwardChunks(
      CellType cell, int steps, int batch, int layers) {
    long seed = Seeds.base() + 977L * steps + 31L * batch + layers;
    int[] d = {steps, batch, 5, 7, layers, 0};
    String m = exact(new GatedCase(seed, cell, d, 0, false));
    assertNull(m, () -> "seed " + seed + ": " + m);
  }

  /**
   * A workspace that ran a pass with other parameters gives bitwise the results of a fresh one, for
   * every strategy: every δ column a pass accumulates into (∂L/∂c, the lower layers' ∂L/∂h) starts
   * from zero again, and every other column is written before it is read (the fresh workspace's
   * zeros would hide a read of a column nobody wrote).
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void reusedWorkspaceEqualsFreshOne(long seed) {
    CellType cell = GatedCase.cell(seed);
    boolean ln = (seed & 2) != 0;
    Shrink.check(
        seed,
        GatedCase.dims(seed),
        d -> GatedCase.valid(d) ? reused(new GatedCase(seed, cell, d, null, ln)) : null);
  }

  private static String reused(GatedCase c) {
    int t = c.steps;
    BpttStrategy[] strategies = {
      BpttStrategy.full(),
      BpttStrategy.checkpointed(),
      BpttStrategy.truncated(Math.max(1, t / 3)),
      BpttStrategy.streaming(Math.max(1, t / 2), Math.max(1, t / 2))
    };
    float[] other = c.params.clone();
    for (int i = 0; i < other.length; i++) {
      other[i] *= -1.25f;
    }
    for (BpttStrategy s : strategies) {
      boolean ds0 = !(s instanceof BpttStrategy.Streaming); // streaming detaches s_0
      GatedCase.Outputs fresh = c.run(s, ds0);
      BpttWorkspace ws = new BpttWorkspace(c.net, c.shape, s);
      GatedCase.Outputs dirty = c.outputs();
      GatedCase.Outputs again = c.outputs();
      if (ds0) {
        dirty.withInitialStateGradient();
        again.withInitialStateGradient();
      }
      c.runner.run(s, other, dirty.grads, dirty.seq, ws);
      c.runner.run(s, c.params, again.grads, again.seq, ws);
      String m = same(c.describe() + " " + s + " reused workspace vs fresh", again, fresh);
      if (m != null) {
        return m;
      }
    }
    return null;
  }

  private static String exact(GatedCase c) {
    String what = c.describe();
    GatedCase.Outputs direct = c.outputs().withInitialStateGradient();
    RnnWorkspace rws = new RnnWorkspace(c.net, c.shape);
    c.net.forward(c.params, direct.seq, rws);
    c.net.backward(c.params, direct.grads, direct.seq, rws);
    float[] hT = new float[c.batch * c.net.stateSize()];
    rws.copyState(c.steps, hT, 0);
    GatedCase.Outputs full = c.run(BpttStrategy.full(), true);
    String m = same(what + " runner full vs backward", full, direct);
    if (m != null) {
      return m;
    }
    int t = c.steps;
    BpttStrategy[] exact = {
      BpttStrategy.checkpointed(),
      BpttStrategy.checkpointed(1),
      BpttStrategy.checkpointed(2),
      BpttStrategy.checkpointed(Math.max(1, t / 2)),
      BpttStrategy.checkpointed(t + 1),
      BpttStrategy.checkpointedWithBudget(Math.max(2, 2 * (int) Math.ceil(Math.sqrt(t)) + 1)),
      BpttStrategy.checkpointedWithBudget(t + 1),
      BpttStrategy.randomized(TruncationSchedule.constant(0), new SplittableRandom(c.seed))
    };
    for (BpttStrategy s : exact) {
      GatedCase.Outputs out = c.outputs().withInitialStateGradient();
      BpttWorkspace ws = new BpttWorkspace(c.net, c.shape, s);
      c.runner.run(s, c.params, out.grads, out.seq, ws);
      float[] fin = new float[hT.length];
      ws.copyFinalState(fin, 0);
      m = Bits.first(same(what + " " + s, out, full), Bits.same(what + " " + s + " h_T", fin, hT));
      if (m != null) {
        return m;
      }
    }
    // Randomized with truncations: runs, finite, reports its draws.
    BpttStrategy rnd =
        BpttStrategy.randomized(TruncationSchedule.constant(0.3), new SplittableRandom(c.seed));
    GatedCase.Outputs out = c.outputs().withInitialStateGradient();
    BpttWorkspace ws = new BpttWorkspace(c.net, c.shape, rnd);
    c.runner.run(rnd, c.params, out.grads, out.seq, ws);
    for (int i = 0; i < c.layout.size(); i++) {
      if (!Float.isFinite(out.grads[i])) {
        return what + " randomized grads[" + i + "] = " + out.grads[i];
      }
    }
    if (ws.truncations() < 0 || ws.truncations() > c.steps) {
      return what + " randomized reports " + ws.truncations() + " truncations";
    }
    return out.canariesIntact(true);
  }

  private static String same(String what, GatedCase.Outputs a, GatedCase.Outputs b) {
    return Bits.first(
        Bits.same(what + " grads", a.grads, b.grads),
        Bits.same(what + " dL/ds0", a.ds0, b.ds0),
        Bits.same(what + " traceDh", a.traceDh, b.traceDh),
        a.traceDc == null ? null : Bits.same(what + " traceDc", a.traceDc, b.traceDc),
        Bits.same(what + " traceDelta", a.traceDelta, b.traceDelta));
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void truncatedAndStreamingMatchTheCutReference(long seed) {
    CellType cell = GatedCase.cell(seed);
    SplittableRandom r = new SplittableRandom(seed + 99);
    int[] base = GatedCase.dims(seed);
    int[] dims = Arrays.copyOf(base, base.length + 3);
    dims[6] = 1 + r.nextInt(base[GatedCase.T] + 1); // τ
    dims[7] = 1 + r.nextInt(base[GatedCase.T] + 1); // k1
    dims[8] = r.nextInt(base[GatedCase.T] + 1); // k2 − k1
    Shrink.check(
        seed,
        dims,
        d ->
            GatedCase.valid(d) && d[6] >= 1 && d[7] >= 1
                ? cut(new GatedCase(seed, cell, d), d[6], d[7], d[7] + d[8])
                : null);
  }

  private static String cut(GatedCase c, int tau, int k1, int k2) {
    NaiveStack ref = c.reference(NaiveStack.Model.FLOAT);
    double[] p = c.paramsD();
    NaiveStack.Forward f = ref.forward(p, c.steps, c.batch, c.xD(), c.s0D());
    // truncated(τ)
    GatedCase.Outputs tr = c.run(BpttStrategy.truncated(tau), true);
    NaiveStack.Backward bt =
        ref.backward(p, f, c.dOutD(), c.lossAt, c.grads0D(), NaiveStack.Mode.truncated(tau));
    String what = c.describe() + " truncated(" + tau + ")";
    String m = compare(what, c, tr, bt, true);
    if (m != null) {
      return m;
    }
    // streaming(k1, k2)
    BpttStrategy st = BpttStrategy.streaming(k1, k2);
    GatedCase.Outputs so = c.outputs();
    BpttWorkspace ws = new BpttWorkspace(c.net, c.shape, st);
    c.runner.run(st, c.params, so.grads, so.seq, ws);
    NaiveStack.Backward bs =
        ref.backward(p, f, c.dOutD(), c.lossAt, c.grads0D(), NaiveStack.Mode.streaming(k1, k2));
    what = c.describe() + " streaming(" + k1 + ", " + k2 + ")";
    m = compare(what, c, so, bs, false);
    if (m != null) {
      return m;
    }
    // h_T bitwise that of a forward pass over the whole sequence.
    GatedCase.Outputs fo = c.outputs();
    RnnWorkspace rws = new RnnWorkspace(c.net, c.shape);
    c.net.forward(c.params, fo.seq, rws);
    float[] want = new float[c.batch * c.net.stateSize()], got = new float[want.length];
    rws.copyState(c.steps, want, 0);
    ws.copyFinalState(got, 0);
    return Bits.same(what + " h_T", got, want);
  }

  private static String compare(
      String what, GatedCase c, GatedCase.Outputs out, NaiveStack.Backward b, boolean ds0) {
    return Bits.first(
        GatedCase.within(what + " grads", out.grads, 0, b.grads(), b.gradsErr()),
        ds0 ? GatedCase.within(what + " dL/ds0", out.ds0, out.ds0Off, b.ds0(), b.ds0Err()) : null,
        GatedCase.within(what + " traceDh", out.traceDh, 0, b.traceDh(), b.traceDhErr()),
        out.traceDc == null
            ? null
            : GatedCase.within(what + " traceDc", out.traceDc, 0, b.traceDc(), b.traceDcErr()),
        out.canariesIntact(ds0));
  }
}
