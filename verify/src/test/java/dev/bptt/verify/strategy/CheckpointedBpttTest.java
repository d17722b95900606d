package dev.bptt.verify.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.verify.Bits;
import dev.bptt.verify.Gen;
import dev.bptt.verify.Seeds;
import dev.bptt.verify.Shrink;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checkpointed BPTT gives bitwise the gradients, ∂L/∂h_0 and h_T of full BPTT (from non-zero
 * starting gradients, so += is covered), for every segment length, and holds no more than 2·⌈√T⌉ +
 * 1 states by default.
 */
class CheckpointedBpttTest {

  static Stream<Arguments> grid() {
    List<Arguments> cases = new ArrayList<>();
    for (int steps : new int[] {1, 2, 7, 100, 1000}) {
      for (int batch : new int[] {1, 3}) {
        for (boolean readout : new boolean[] {false, true}) {
          for (RnnCase.Losses losses :
              new RnnCase.Losses[] {RnnCase.Losses.EVERY, RnnCase.Losses.LAST}) {
            cases.add(Arguments.of(steps, batch, readout, losses));
          }
        }
      }
    }
    return cases.stream();
  }

  /**
   * Segment lengths worth trying for T: 1, 2, 3, ⌈√T⌉ ± 1, a length that leaves a short last
   * segment, T, beyond T.
   */
  static int[] segments(int steps) {
    int r = (int) Math.ceil(Math.sqrt(steps));
    TreeSet<Integer> s =
        new TreeSet<>(
            List.of(1, 2, 3, r - 1, r, r + 1, steps / 2 + 1, steps - 1, steps, steps + 5));
    return s.stream().filter(v -> v >= 1).mapToInt(Integer::intValue).toArray();
  }

  @ParameterizedTest(name = "T={0} B={1} readout={2} losses={3}")
  @MethodSource("grid")
  void equalsFullBitwiseForEverySegmentLength(
      int steps, int batch, boolean readout, RnnCase.Losses losses) {
    RnnCase c =
        new RnnCase(
            Seeds.base() + steps * 31L + batch,
            3,
            13,
            readout ? 2 : 0,
            steps,
            batch,
            Activation.TANH,
            losses,
            true);
    RnnCase.Result full = c.full();
    List<BpttStrategy> strategies = new ArrayList<>();
    strategies.add(BpttStrategy.checkpointed());
    for (int s : segments(steps)) {
      strategies.add(BpttStrategy.checkpointed(s));
    }
    for (BpttStrategy strategy : strategies) {
      BpttWorkspace ws = c.workspace(strategy);
      RnnCase.Result got = c.run(strategy, ws);
      String what = strategy + " " + c.describe().substring(0, 40);
      assertNull(
          Bits.first(
              Bits.same(what + " grads", got.grads(), full.grads()),
              Bits.same(what + " dh0", got.dh0(), full.dh0()),
              Bits.same(what + " h_T", got.hT(), full.hT())));
      int s = ((BpttStrategy.Checkpointed) strategy).segmentLength(steps);
      int lastLen = steps - (steps - 1) / s * s;
      assertEquals(
          steps - lastLen,
          ws.recomputedSteps(),
          what + ": every segment but the last is recomputed once");
    }
  }

  /**
   * Random shapes, activations, loss patterns and segment lengths; shrinks (T, s, B, D, H, O) on
   * failure.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void equalsFullBitwiseOnRandomCases(long seed) {
    Gen g = new Gen(seed);
    int steps = g.size(1, 70), seg = g.size(1, steps + 3), batch = 1 + g.random().nextInt(4);
    int[] dims = {steps, seg, batch, g.size(0, 9), g.size(1, 33), g.size(0, 5)};
    Shrink.check(
        seed,
        dims,
        d -> {
          if (d[0] < 1 || d[1] < 1 || d[2] < 1 || d[4] < 1) {
            return null; // not a valid shape: nothing to check
          }
          RnnCase c = RnnCase.random(seed, d[3], d[4], d[5], d[0], d[2]);
          BpttStrategy strategy = BpttStrategy.checkpointed(d[1]);
          RnnCase.Result full = c.full();
          RnnCase.Result got = c.run(strategy, c.workspace(strategy));
          String what = strategy + " " + c.describe();
          return Bits.first(
              Bits.same(what + " grads", got.grads(), full.grads()),
              Bits.same(what + " dh0", got.dh0(), full.dh0()),
              Bits.same(what + " h_T", got.hT(), full.hT()));
        });
  }

  @Test
  void defaultHoldsAtMostTwoRootTPlusOneStates() {
    for (int steps = 1; steps <= 5000; steps++) {
      int r = (int) Math.ceil(Math.sqrt(steps));
      int stored = BpttStrategy.checkpointed().storedStates(steps);
      assertTrue(
          stored <= 2 * r + 1,
          "T=" + steps + ": " + stored + " states > 2*ceil(sqrt T)+1 = " + (2 * r + 1));
      assertTrue(stored <= steps + 1, "T=" + steps + ": more states than full BPTT");
    }
    for (int steps : new int[] {1, 2, 7, 100, 1000, 4096}) {
      BpttWorkspace ws =
          new BpttWorkspace(
              new ElmanRnn(new RnnLayout(2, 5, 0), Activation.TANH),
              SequenceShape.steps(steps),
              BpttStrategy.checkpointed());
      int r = (int) Math.ceil(Math.sqrt(steps));
      assertTrue(
          ws.storedStates() <= 2 * r + 1, "T=" + steps + " workspace holds " + ws.storedStates());
      assertEquals(BpttStrategy.checkpointed().storedStates(steps), ws.storedStates());
    }
  }

  @Test
  void budgetPicksTheLongestSegmentThatFits() {
    int steps = 1000;
    RnnCase c =
        new RnnCase(Seeds.base(), 2, 9, 1, steps, 2, Activation.TANH, RnnCase.Losses.EVERY, false);
    RnnCase.Result full = c.full();
    for (int budget : new int[] {65, 66, 100, 400, 1000, 1001, 5000}) {
      BpttStrategy.Checkpointed strategy = BpttStrategy.checkpointedWithBudget(budget);
      BpttWorkspace ws = c.workspace(strategy);
      assertTrue(
          ws.storedStates() <= budget, "budget " + budget + " but holds " + ws.storedStates());
      int s = strategy.segmentLength(steps);
      if (s < steps) {
        int longer = s + 1;
        assertTrue(
            BpttStrategy.Checkpointed.storedStates(steps, longer) > budget || longer > budget,
            "budget " + budget + ": segment " + longer + " would also fit");
      }
      RnnCase.Result got = c.run(strategy, ws);
      assertNull(
          Bits.first(
              Bits.same("budget " + budget + " grads", got.grads(), full.grads()),
              Bits.same("budget " + budget + " dh0", got.dh0(), full.dh0())));
      if (budget >= steps + 1) {
        assertEquals(
            0,
            ws.recomputedSteps(),
            "a budget of T+1 states stores everything: nothing to recompute");
      }
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> c.workspace(BpttStrategy.checkpointedWithBudget(64)));
    assertTrue(
        e.getMessage().contains("budget 64") && e.getMessage().contains("at least 65"),
        e.getMessage());
  }

  /**
   * The StepLoss callback of a checkpointed run sees every step's outputs exactly once, in
   * increasing order, bitwise equal to the full forward's outputs; the run returns the sum of its
   * values and, with the callback writing the same upstream, the gradients of full BPTT.
   */
  @Test
  void lossCallbackSeesEveryOutputOnceInOrder() {
    int steps = 23, batch = 2;
    RnnCase c =
        new RnnCase(
            Seeds.base(), 3, 7, 2, steps, batch, Activation.TANH, RnnCase.Losses.EVERY, true);
    RnnWorkspace ref = new RnnWorkspace(c.rnn, c.shape);
    c.rnn.forward(c.params, c.seq(), ref);
    float[] seen = new float[steps * batch * 2];
    int[] next = {1};
    double[] sum = {0};
    BpttStrategy strategy = BpttStrategy.checkpointed(5);
    float[] grads = c.grads0.clone();
    SequenceBatch seq =
        c.seq()
            .upstream(new float[c.upstream.length])
            .loss(
                (step, y, yOff, dy, dyOff) -> {
                  assertEquals(next[0], step, "steps arrive in order without gaps, each once");
                  System.arraycopy(y, yOff, seen, (step - 1) * batch * 2, batch * 2);
                  c.writeUpstream(step, dy, dyOff);
                  next[0] = step + 1;
                  double v = 0.25 * step + y[yOff];
                  sum[0] += v;
                  return v;
                });
    double total = c.runner.run(strategy, c.params, grads, seq, c.workspace(strategy));
    assertEquals(steps + 1, next[0]);
    assertNull(Bits.same("outputs", seen, ref.output()));
    assertEquals(sum[0], total, 0.0, "the run returns the sum of the callback's values");
    assertNull(Bits.same("grads with the callback", grads, c.full().grads()));
  }
}
