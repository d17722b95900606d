package dev.bptt.verify.strategy;

import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.bptt.TruncationSchedule;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.verify.Bits;
import dev.bptt.verify.Gen;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mismatches are rejected with IllegalArgumentException before anything is written, on random cases
 * and every strategy: a workspace made for another ElmanRnn (another layout, or the same layout
 * with another activation), a sequence shape that does not fit the workspace capacity (T or B too
 * large), ∂L/∂h_0 asked of streaming, grads the same array as params. Afterwards grads, params,
 * ∂L/∂h_0, the traces and the upstream are bitwise unchanged, the loss callback was never called,
 * and the workspace still holds the state of its last good run.
 */
class StrategyMismatchTest {

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void mismatchesAreRejectedBeforeAnyWrite(long seed) {
    Gen g = new Gen(seed);
    int steps = g.size(1, 30);
    RnnCase c =
        RnnCase.random(
            seed, g.size(0, 6), g.size(1, 17), g.size(0, 4), steps, 1 + g.random().nextInt(3));
    RnnLayout other =
        new RnnLayout(c.layout.inputSize(), c.layout.hiddenSize() + 1, c.layout.outputSize());
    Activation otherAct = Activation.values()[(c.act.ordinal() + 1) % Activation.values().length];
    int bh = c.batch * c.layout.hiddenSize();
    for (BpttStrategy s :
        List.of(
            BpttStrategy.full(),
            BpttStrategy.truncated(1 + steps / 2),
            BpttStrategy.randomized(TruncationSchedule.constant(0.2), new SplittableRandom(seed)),
            BpttStrategy.checkpointed(),
            BpttStrategy.checkpointed(1 + steps / 3),
            BpttStrategy.streaming(2, 3))) {
      BpttWorkspace ws = c.workspace(s);
      c.run(s, ws);
      float[] hT = new float[bh];
      ws.copyFinalState(hT, 0);
      boolean streaming = s instanceof BpttStrategy.Streaming;
      List<Function<float[], Object[]>> breaks =
          List.of(
              // {what, workspace, sequence batch, grads}
              grads ->
                  new Object[] {
                    "workspace for another layout",
                    new BpttWorkspace(new ElmanRnn(other, c.act), c.shape, s),
                    batch(c, streaming),
                    grads
                  },
              grads ->
                  new Object[] {
                    "workspace for another activation",
                    new BpttWorkspace(new ElmanRnn(c.layout, otherAct), c.shape, s),
                    batch(c, streaming),
                    grads
                  },
              grads ->
                  new Object[] {
                    "T beyond capacity",
                    ws,
                    bigger(c, SequenceShape.steps(steps + 1).batch(c.batch), streaming),
                    grads
                  },
              grads ->
                  new Object[] {
                    "B beyond capacity",
                    ws,
                    bigger(c, SequenceShape.steps(steps).batch(c.batch + 1), streaming),
                    grads
                  },
              grads -> new Object[] {"params == grads", ws, batch(c, streaming), c.params});
      for (Function<float[], Object[]> make : breaks) {
        check(s, c, ws, hT, make);
      }
      if (streaming) {
        check(
            s,
            c,
            ws,
            hT,
            grads ->
                new Object[] {"initialStateGradient with streaming", ws, batch(c, false), grads});
      }
    }
  }

  private static int[] calls = new int[1];

  /**
   * The case's batch with a counting loss callback writing a caller upstream, traces and (unless
   * streaming) dh0.
   */
  private static SequenceBatch batch(RnnCase c, boolean streaming) {
    return decorate(c, c.seq(), c.upstream.length, c.steps, streaming);
  }

  private static SequenceBatch bigger(RnnCase c, SequenceShape shape, boolean streaming) {
    int row = shape.batch() * c.layout.stepOutputSize();
    SequenceBatch seq =
        new SequenceBatch(c.rnn, shape).input(new float[(int) shape.rows() * c.layout.inputSize()]);
    return decorate(c, seq, shape.steps() * row, shape.steps(), streaming);
  }

  private static SequenceBatch decorate(
      RnnCase c, SequenceBatch seq, int upLength, int steps, boolean streaming) {
    float[] up = new float[upLength];
    Arrays.fill(up, 3f);
    float[] dh0 = streaming ? null : new float[seq.shape().batch() * c.layout.hiddenSize()];
    if (dh0 != null) {
      Arrays.fill(dh0, 5f);
    }
    float[] tr = new float[steps];
    Arrays.fill(tr, 9f);
    return seq.upstream(up)
        .loss(
            (step, y, yOff, dy, dyOff) -> {
              calls[0]++;
              Arrays.fill(dy, dyOff, dyOff + c.batch * c.layout.stepOutputSize(), 1f);
              return 1;
            })
        .initialStateGradient(dh0)
        .traceDh(tr)
        .traceDelta(tr.clone());
  }

  private static void check(
      BpttStrategy s, RnnCase c, BpttWorkspace ws, float[] hT, Function<float[], Object[]> make) {
    float[] grads = c.grads0.clone();
    Object[] k = make.apply(grads);
    String what = s + ": " + k[0] + " " + c.describe();
    BpttWorkspace used = (BpttWorkspace) k[1];
    SequenceBatch seq = (SequenceBatch) k[2];
    float[] g = (float[]) k[3];
    float[] params = c.params.clone(), gBefore = g.clone(), up = seq.upstream().clone();
    float[] dh0 = seq.initialStateGradient() == null ? null : seq.initialStateGradient().clone();
    float[] trDh = seq.traceDh().clone(), trDelta = seq.traceDelta().clone();
    calls[0] = 0;
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> c.runner.run(s, c.params, g, seq, used), what);
    float[] hAfter = new float[hT.length];
    ws.copyFinalState(hAfter, 0);
    assertNull(
        Bits.first(
            e.getMessage() == null ? what + ": no message" : null,
            Bits.same(what + " grads", g, gBefore),
            Bits.same(what + " params", c.params, params),
            Bits.same(what + " upstream", seq.upstream(), up),
            dh0 == null ? null : Bits.same(what + " dh0", seq.initialStateGradient(), dh0),
            Bits.same(what + " traceDh", seq.traceDh(), trDh),
            Bits.same(what + " traceDelta", seq.traceDelta(), trDelta),
            calls[0] == 0 ? null : what + ": loss callback called " + calls[0] + " times",
            Bits.same(what + " workspace h_T", hAfter, hT)));
    if (!((String) k[0]).startsWith("params") && !((String) k[0]).startsWith("initialState")) {
      String expect =
          ((String) k[0]).startsWith("workspace") ? "workspace was made for" : "does not fit";
      assertNull(
          e.getMessage().contains(expect) ? null : what + ": message '" + e.getMessage() + "'");
    } else {
      String expect = ((String) k[0]).startsWith("params") ? "grads" : "initialStateGradient";
      assertNull(
          e.getMessage().contains(expect) ? null : what + ": message '" + e.getMessage() + "'");
    }
  }
}
