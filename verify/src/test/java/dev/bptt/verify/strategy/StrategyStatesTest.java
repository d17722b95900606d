package dev.bptt.verify.strategy;

import static dev.bptt.verify.strategy.StrategyDims.EXTRA_STEPS;
import static dev.bptt.verify.strategy.StrategyDims.K1;
import static dev.bptt.verify.strategy.StrategyDims.K2_EXTRA;
import static dev.bptt.verify.strategy.StrategyDims.SEGMENT;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.bptt.TruncationSchedule;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.verify.Bits;
import dev.bptt.verify.Shrink;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which hidden states a workspace still holds after a run, and their values: full, truncated and
 * randomized hold every step 0..T; checkpointed with segment s holds steps 0..s, the segment starts
 * k·s (k = 1..n−2, n = ⌈T/s⌉) and T; streaming holds T only. Every held state is bitwise the hidden
 * state of an ElmanRnn forward pass on an RnnWorkspace; {@code copyState} of any other step throws
 * IllegalStateException and writes nothing. Steps beyond the last run's T (on a larger workspace)
 * are not held.
 */
class StrategyStatesTest {

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void heldStatesAreTheForwardStates(long seed) {
    Shrink.check(
        seed,
        StrategyDims.draw(seed),
        d -> {
          if (!StrategyDims.valid(d)) {
            return null;
          }
          RnnCase c = StrategyDims.rnnCase(seed, d);
          int steps = c.steps;
          RnnWorkspace ref = new RnnWorkspace(c.rnn, c.shape);
          c.rnn.forward(c.params, c.seq(), ref);
          SequenceShape capacity = SequenceShape.steps(steps + d[EXTRA_STEPS]).batch(c.batch);
          int s = Math.min(d[SEGMENT], steps), n = BpttStrategy.Checkpointed.segments(steps, s);
          int sDefault = BpttStrategy.checkpointed().segmentLength(steps);
          int nDefault = BpttStrategy.Checkpointed.segments(steps, sDefault);
          Object[][] cases = {
            {BpttStrategy.full(), (IntPredicate) t -> true},
            {BpttStrategy.truncated(1 + d[SEGMENT] / 2), (IntPredicate) t -> true},
            {
              BpttStrategy.randomized(TruncationSchedule.constant(0.2), new SplittableRandom(seed)),
              (IntPredicate) t -> true
            },
            {BpttStrategy.checkpointed(d[SEGMENT]), checkpointed(steps, s, n)},
            {BpttStrategy.checkpointed(), checkpointed(steps, sDefault, nDefault)},
            {BpttStrategy.streaming(d[K1], d[K1] + d[K2_EXTRA]), (IntPredicate) t -> t == steps}
          };
          for (Object[] k : cases) {
            BpttStrategy strategy = (BpttStrategy) k[0];
            IntPredicate held = (IntPredicate) k[1];
            // The default checkpointed segment depends on T: its workspace is sized exactly.
            BpttWorkspace ws =
                strategy instanceof BpttStrategy.Checkpointed.SquareRoot
                    ? c.workspace(strategy)
                    : new BpttWorkspace(c.rnn, capacity, strategy);
            c.run(strategy, ws);
            String m =
                check(
                    strategy + " " + c.describe() + " capacity " + ws.capacity(), c, ref, ws, held);
            if (m != null) {
              return m;
            }
          }
          return null;
        });
  }

  private static IntPredicate checkpointed(int steps, int s, int n) {
    return t -> t <= s || t == steps || (t % s == 0 && t / s <= n - 2);
  }

  private static String check(
      String what, RnnCase c, RnnWorkspace ref, BpttWorkspace ws, IntPredicate held) {
    int bh = c.batch * c.layout.hiddenSize();
    for (int t = -1; t <= ws.capacity().steps() + 1; t++) {
      boolean expected = t >= 0 && t <= c.steps && held.test(t);
      if (ws.holdsState(t) != expected) {
        return what + ": holdsState(" + t + ") = " + ws.holdsState(t) + ", expected " + expected;
      }
      float[] dst = new float[bh + 2];
      Arrays.fill(dst, -7f);
      if (expected) {
        ws.copyState(t, dst, 1);
        float[] want =
            Arrays.copyOfRange(ref.hidden(), ref.hiddenOffset(t), ref.hiddenOffset(t) + bh);
        String m =
            Bits.first(
                Bits.same(what + " state " + t, Arrays.copyOfRange(dst, 1, bh + 1), want),
                dst[0] == -7f && dst[bh + 1] == -7f
                    ? null
                    : what + ": copyState(" + t + ") wrote outside [B][H]");
        if (m != null) {
          return m;
        }
      } else {
        final int step = t;
        try {
          ws.copyState(step, dst, 1);
          return what + ": copyState(" + t + ") of a state it does not hold did not throw";
        } catch (IllegalStateException e) {
          if (!e.getMessage().contains("step " + t)) {
            return what + ": message '" + e.getMessage() + "' should name step " + t;
          }
        }
        for (float v : dst) {
          if (v != -7f) {
            return what + ": rejected copyState(" + t + ") wrote into dst";
          }
        }
      }
    }
    // copyFinalState is copyState(T).
    float[] hT = new float[bh];
    ws.copyFinalState(hT, 0);
    return Bits.same(
        what + " copyFinalState",
        hT,
        Arrays.copyOfRange(
            ref.hidden(), ref.hiddenOffset(c.steps), ref.hiddenOffset(c.steps) + bh));
  }

  @Test
  void beforeAnyRunNothingIsHeld() {
    RnnCase c =
        new RnnCase(
            3, 2, 4, 1, 10, 2, dev.bptt.kernel.blas.Activation.TANH, RnnCase.Losses.EVERY, true);
    for (BpttStrategy s :
        new BpttStrategy[] {
          BpttStrategy.full(), BpttStrategy.checkpointed(3), BpttStrategy.streaming(2, 5)
        }) {
      BpttWorkspace ws = c.workspace(s);
      for (int t = 0; t <= 10; t++) {
        assertFalse(ws.holdsState(t), s + " holds step " + t + " before any run");
      }
      float[] dst = new float[8];
      assertThrows(IllegalStateException.class, () -> ws.copyState(0, dst, 0));
      assertThrows(IllegalStateException.class, () -> ws.copyFinalState(dst, 0));
      assertTrue(Arrays.equals(new float[8], dst), "nothing written");
      c.run(s, ws);
      assertTrue(ws.holdsState(10));
      assertThrows(IndexOutOfBoundsException.class, () -> ws.copyState(10, new float[7], 0));
      assertThrows(IndexOutOfBoundsException.class, () -> ws.copyState(10, dst, 1));
    }
  }
}
