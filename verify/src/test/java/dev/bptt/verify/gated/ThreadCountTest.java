package dev.bptt.verify.gated;

import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.bptt.TruncationSchedule;
import dev.bptt.kernel.rnn.BatchThreads;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.verify.Bits;
import dev.bptt.verify.Shrink;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link BatchThreads}: every strategy on every cell gives bitwise the same outputs, gradients,
 * ∂L/∂s_0, final state and traces with 1, 2 and 3 threads as without a team (B from 1 to 40, so
 * shards of one sequence, uneven shards and more threads than sequences all occur); forward-only
 * passes too. Traced and untraced passes are both run: a traced backward keeps one shard. Every
 * case runs without and with layer normalization.
 */
class ThreadCountTest {
  private static final BatchThreads[] TEAMS = {
    BatchThreads.start(1), BatchThreads.start(2), BatchThreads.start(3)
  };

  @AfterAll
  static void close() {
    for (BatchThreads t : TEAMS) {
      t.close();
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void everyStrategyIsBitwiseTheSameForAnyThreadCount(long seed) {
    CellType cell = GatedCase.cell(seed);
    int[] dims = GatedCase.dims(seed);
    SplittableRandom r = new SplittableRandom(seed ^ 0x7eadL);
    if (r.nextBoolean()) {
      dims[GatedCase.B] = 1 + r.nextInt(40);
    }
    int tau = 1 + r.nextInt(dims[GatedCase.T] + 1);
    int k1 = 1 + r.nextInt(dims[GatedCase.T] + 1);
    int k2 = k1 + r.nextInt(dims[GatedCase.T] + 1);
    boolean traced = r.nextBoolean();
    for (boolean ln : new boolean[] {false, true}) {
      Shrink.check(
          seed,
          dims,
          d ->
              GatedCase.valid(d)
                  ? check(new GatedCase(seed, cell, d, null, ln), tau, k1, k2, traced)
                  : null);
    }
  }

  private static String check(GatedCase c, int tau, int k1, int k2, boolean traced) {
    // Suppliers: a randomized strategy draws from its generator, so each run gets a fresh one.
    List<Supplier<BpttStrategy>> strategies =
        List.of(
            BpttStrategy::full,
            BpttStrategy::checkpointed,
            () -> BpttStrategy.checkpointed(2),
            () -> BpttStrategy.truncated(tau),
            () -> BpttStrategy.streaming(k1, k2),
            () -> BpttStrategy.chunked(k1),
            () ->
                BpttStrategy.randomized(
                    TruncationSchedule.constant(0.3), new SplittableRandom(c.seed)));
    String what = c.describe() + (traced ? " traced" : " untraced");
    for (Supplier<BpttStrategy> s : strategies) {
      Run want = run(c, s.get(), null, traced);
      for (BatchThreads team : TEAMS) {
        Run got = run(c, s.get(), team, traced);
        String m = got.differs(what + " " + s + " threads=" + team.threads(), want);
        if (m != null) {
          return m;
        }
      }
    }
    // The workspace passes: forward (outputs, states) and backward.
    Run want = passes(c, null, traced);
    for (BatchThreads team : TEAMS) {
      String m = passes(c, team, traced).differs(what + " passes threads=" + team.threads(), want);
      if (m != null) {
        return m;
      }
    }
    return null;
  }

  /** What one run wrote. */
  private record Run(float[] grads, float[] ds0, float[] fin, float[] out, float[] dh, float[] dc) {
    String differs(String what, Run o) {
      return Bits.first(
          Bits.same(what + " grads", grads, o.grads),
          Bits.same(what + " dL/ds0", ds0, o.ds0),
          Bits.same(what + " final state", fin, o.fin),
          Bits.same(what + " outputs", out, o.out),
          Bits.same(what + " traceDh", dh, o.dh),
          dc == null ? null : Bits.same(what + " traceDc", dc, o.dc));
    }
  }

  private static SequenceBatch seq(GatedCase c, float[] ds0, float[] dh, float[] dc) {
    SequenceBatch s =
        new SequenceBatch(c.net, c.shape)
            .input(c.x, c.xOff)
            .initialState(c.s0, c.s0Off)
            .losses(c.losses)
            .upstream(c.upstream, c.upOff)
            .initialStateGradient(ds0, 0);
    if (dh != null) {
      s.traceDh(dh).traceDc(dc);
    }
    return s;
  }

  private static Run run(GatedCase c, BpttStrategy s, BatchThreads team, boolean traced) {
    int n = c.batch * c.net.stateSize();
    float[] grads = c.grads0.clone(), ds0 = new float[n], fin = new float[n];
    float[] dh = traced ? new float[c.steps] : new float[0];
    float[] dc = traced && c.layout.cell() == CellType.LSTM ? new float[c.steps] : null;
    BpttWorkspace ws = new BpttWorkspace(c.net, c.shape, s, team);
    boolean streaming = s instanceof BpttStrategy.Streaming;
    SequenceBatch q = seq(c, ds0, traced ? dh : null, dc);
    if (streaming) {
      q.initialStateGradient(null, 0);
    }
    c.runner.run(s, c.params, grads, q, ws);
    ws.copyFinalState(fin, 0);
    return new Run(grads, ds0, fin, new float[0], dh, dc);
  }

  private static Run passes(GatedCase c, BatchThreads team, boolean traced) {
    int n = c.batch * c.net.stateSize();
    float[] grads = c.grads0.clone(), ds0 = new float[n], fin = new float[n];
    float[] dh = traced ? new float[c.steps] : new float[0];
    float[] dc = traced && c.layout.cell() == CellType.LSTM ? new float[c.steps] : null;
    RnnWorkspace ws = new RnnWorkspace(c.net, c.shape, team);
    SequenceBatch q = seq(c, ds0, traced ? dh : null, dc);
    c.net.forward(c.params, q, ws);
    ws.copyState(c.steps, fin, 0);
    float[] out = Arrays.copyOf(ws.output(), ws.output().length);
    c.net.backward(c.params, grads, q, ws);
    return new Run(grads, ds0, fin, out, dh, dc);
  }

  /**
   * Layers wide enough (G·H up to 516) that the weight-gradient tasks split the gate units into
   * several blocks, at H off the lane grid, two layers and a readout.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(CellType.class)
  void wideLayersAreBitwiseTheSameForAnyThreadCount(CellType cell) {
    for (int h : new int[] {70, 129}) {
      for (boolean ln : new boolean[] {false, true}) {
        GatedCase c = new GatedCase(11 + h, cell, new int[] {3, 7, 5, h, 2, 3}, null, ln);
        String m = check(c, 2, 1, 2, false);
        Assertions.assertNull(m, m);
      }
    }
  }

  /**
   * One sequence (B = 1) with W_hh large enough that each step's gemv and gemvᵀ split across the
   * team (G·H·H ≥ 2¹⁵ entries), at H off the lane grid (200 and 201), two layers: bitwise one
   * thread's.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(CellType.class)
  void oneSequenceSplitsItsProductsBitwise(CellType cell) {
    for (int h : new int[] {200, 201}) {
      for (boolean ln : new boolean[] {false, true}) {
        GatedCase c = new GatedCase(23 + h, cell, new int[] {4, 1, 3, h, 2, 0}, null, ln);
        String m = check(c, 2, 1, 3, false);
        Assertions.assertNull(m, m);
        m = check(c, 3, 2, 2, true);
        Assertions.assertNull(m, m);
      }
    }
  }

  @Test
  void aClosedTeamIsRefusedBeforeAnyWrite() {
    GatedCase c = new GatedCase(5, CellType.LSTM, new int[] {4, 3, 2, 5, 2, 1});
    BatchThreads team = BatchThreads.start(2);
    RnnWorkspace ws = new RnnWorkspace(c.net, c.shape, team);
    team.close();
    float[] grads = c.grads0.clone();
    SequenceBatch q = seq(c, new float[c.batch * c.net.stateSize()], null, null);
    IllegalStateException e =
        Assertions.assertThrows(IllegalStateException.class, () -> c.net.forward(c.params, q, ws));
    Assertions.assertTrue(e.getMessage().contains("closed"), e.getMessage());
    Assertions.assertArrayEquals(c.grads0, grads);
    Assertions.assertEquals("BatchThreads[2, closed]", team.toString());
  }

  @Test
  void teamSizeIsChecked() {
    IllegalArgumentException e =
        Assertions.assertThrows(IllegalArgumentException.class, () -> BatchThreads.start(0));
    Assertions.assertTrue(e.getMessage().contains("threads"), e.getMessage());
  }
}
