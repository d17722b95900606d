package dev.bptt.verify.strategy;

import static dev.bptt.verify.strategy.StrategyDims.BATCH;
import static dev.bptt.verify.strategy.StrategyDims.EXTRA_BATCH;
import static dev.bptt.verify.strategy.StrategyDims.EXTRA_STEPS;
import static dev.bptt.verify.strategy.StrategyDims.K1;
import static dev.bptt.verify.strategy.StrategyDims.K2_EXTRA;
import static dev.bptt.verify.strategy.StrategyDims.SEGMENT;
import static dev.bptt.verify.strategy.StrategyDims.STEPS;
import static dev.bptt.verify.strategy.StrategyDims.TAU;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.bptt.TruncationSchedule;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.verify.Bits;
import dev.bptt.verify.Shrink;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Workspaces run any shape that fits their capacity: a run of T′ ≤ T steps and B′ ≤ B sequences on
 * a workspace of capacity (T, B) gives bitwise the gradients, ∂L/∂h_0, h_T and traces of a
 * workspace of exactly (T′, B′), for every strategy family (stored states: full, truncated,
 * randomized; checkpointed; streaming); and a workspace sized for truncated(τ ≥ T) runs
 * truncated(τ′ &lt; T) like one sized for τ′.
 */
class StrategyShapesTest {

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void smallerShapeOnALargerWorkspaceIsBitwiseTheSame(long seed) {
    Shrink.check(
        seed,
        StrategyDims.draw(seed),
        d -> {
          if (!StrategyDims.valid(d)) {
            return null;
          }
          RnnCase c = StrategyDims.rnnCase(seed, d);
          SequenceShape capacity =
              SequenceShape.steps(d[STEPS] + d[EXTRA_STEPS]).batch(d[BATCH] + d[EXTRA_BATCH]);
          // Strategies whose buffers depend on T only through min(·, T) or fixed lengths, sized for
          // the capacity and run at (T′, B′) (the randomized one re-made so both runs draw alike).
          List<Supplier<BpttStrategy>> strategies =
              List.of(
                  BpttStrategy::full,
                  () -> BpttStrategy.truncated(d[TAU]),
                  () ->
                      BpttStrategy.randomized(
                          TruncationSchedule.polynomialTail(2 + d[TAU], 4),
                          new SplittableRandom(seed)),
                  () -> BpttStrategy.checkpointed(d[SEGMENT]),
                  () -> BpttStrategy.streaming(d[K1], d[K1] + d[K2_EXTRA]));
          for (Supplier<BpttStrategy> make : strategies) {
            BpttStrategy s = make.get();
            StrategyTracesTest.Traces exact = StrategyTracesTest.run(c, s, c.workspace(s));
            RnnCase.Result exactResult = c.run(make.get(), c.workspace(s));
            BpttWorkspace big = new BpttWorkspace(c.rnn, capacity, s);
            BpttStrategy again = make.get();
            StrategyTracesTest.Traces got = StrategyTracesTest.run(c, again, big);
            RnnCase.Result gotResult = c.run(make.get(), big);
            String what = s + " at " + c.shape + " on capacity " + capacity + " " + c.describe();
            String m =
                Bits.first(
                    Bits.same(what + " grads", got.grads(), exact.grads()),
                    Bits.same(what + " traceDh", got.dh(), exact.dh()),
                    Bits.same(what + " traceDelta", got.delta(), exact.delta()),
                    Bits.same(what + " grads (2)", gotResult.grads(), exactResult.grads()),
                    Bits.same(what + " h_T", gotResult.hT(), exactResult.hT()),
                    exactResult.dh0() == null
                        ? null
                        : Bits.same(what + " dh0", gotResult.dh0(), exactResult.dh0()));
            if (m != null) {
              return m;
            }
          }
          return null;
        });
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void truncatedWorkspaceForTauAtLeastTRunsEverySmallerTau(long seed) {
    Shrink.check(
        seed,
        StrategyDims.draw(seed),
        d -> {
          if (!StrategyDims.valid(d)) {
            return null;
          }
          RnnCase c = StrategyDims.rnnCase(seed, d);
          BpttWorkspace wide = c.workspace(BpttStrategy.truncated(d[STEPS] + d[EXTRA_STEPS]));
          for (int tau = 1; tau < d[STEPS] + 2; tau++) {
            BpttStrategy s = BpttStrategy.truncated(tau);
            RnnCase.Result exact = c.run(s, c.workspace(s)), got = c.run(s, wide);
            String what = s + " on a workspace for " + wide.sizedFor() + " " + c.describe();
            String m =
                Bits.first(
                    Bits.same(what + " grads", got.grads(), exact.grads()),
                    Bits.same(what + " dh0", got.dh0(), exact.dh0()),
                    Bits.same(what + " h_T", got.hT(), exact.hT()));
            if (m != null) {
              return m;
            }
          }
          return null;
        });
  }

  /**
   * The default checkpointed strategy and a state budget choose the segment length from T, so a
   * shorter T′ may choose a segment longer than the workspace's (T = 6: s = 3; T′ = 5: s = 5, the
   * whole sequence, because 3 would store as many states as full BPTT). The workspace runs them
   * with its own segment length as the cap, bitwise equal to full BPTT.
   */
  @Test
  void defaultAndBudgetCheckpointedRunEveryShorterSequence() {
    List<String> rejected = new java.util.ArrayList<>();
    for (int capacity = 1; capacity <= 40; capacity++) {
      int budget = BpttStrategy.checkpointed().storedStates(capacity);
      for (BpttStrategy s :
          new BpttStrategy[] {
            BpttStrategy.checkpointed(), BpttStrategy.checkpointedWithBudget(budget)
          }) {
        for (int steps = 1; steps <= capacity; steps++) {
          RnnCase c =
              new RnnCase(
                  capacity * 100L + steps,
                  2,
                  5,
                  1,
                  steps,
                  2,
                  dev.bptt.kernel.blas.Activation.TANH,
                  RnnCase.Losses.EVERY,
                  true);
          BpttWorkspace big = new BpttWorkspace(c.rnn, SequenceShape.steps(capacity).batch(2), s);
          try {
            RnnCase.Result got = c.run(s, big);
            assertNull(
                Bits.same(
                    s + " T'=" + steps + " on capacity T=" + capacity,
                    got.grads(),
                    c.full().grads()));
          } catch (IllegalArgumentException e) {
            rejected.add(s + " T'=" + steps + " on capacity T=" + capacity + ": " + e.getMessage());
          }
        }
      }
    }
    assertTrue(
        rejected.isEmpty(),
        rejected.size() + " runs rejected, e.g. " + rejected.stream().limit(3).toList());
  }
}
