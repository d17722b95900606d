package dev.bptt.verify.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackLayout;
import dev.bptt.kernel.rnn.StackedRnn;
import dev.bptt.verify.Bits;
import dev.bptt.verify.Gen;
import dev.bptt.verify.Shrink;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fixed truncation: each loss s reaches steps s..max(1, s−τ+1). τ ≥ T is full BPTT bitwise; every τ
 * matches the loss-by-loss double reference {@link dev.bptt.verify.NaiveBptt} within its derived
 * bound; τ = 1 and 2 on a scalar linear RNN give the gradients worked out by hand.
 */
class TruncatedBpttTest {

  /** {T, B, D, H, O} of a random case. */
  private static int[] dims(long seed) {
    Gen g = new Gen(seed);
    return new int[] {
      g.size(1, 40), 1 + g.random().nextInt(3), g.size(0, 7), g.size(1, 20), g.size(0, 4)
    };
  }

  private static boolean valid(int[] d) {
    return d[0] >= 1 && d[1] >= 1 && d[3] >= 1;
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void tauAtLeastTEqualsFullBitwise(long seed) {
    Shrink.check(
        seed,
        dims(seed),
        d -> {
          if (!valid(d)) {
            return null;
          }
          RnnCase c = RnnCase.random(seed, d[2], d[3], d[4], d[0], d[1]);
          RnnCase.Result full = c.full();
          for (int tau : new int[] {d[0], d[0] + 1, 3 * d[0] + 7}) {
            BpttStrategy strategy = BpttStrategy.truncated(tau);
            RnnCase.Result got = c.run(strategy, c.workspace(strategy));
            String what = strategy + " " + c.describe();
            String m =
                Bits.first(
                    Bits.same(what + " grads", got.grads(), full.grads()),
                    Bits.same(what + " dh0", got.dh0(), full.dh0()));
            if (m != null) {
              return m;
            }
          }
          return null;
        });
  }

  /** τ from 1 to beyond T against the per-loss reference (zero starting gradients). */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void everyTauMatchesThePerLossReference(long seed) {
    int[] dims = dims(seed);
    int tau = 1 + new Gen(~seed).random().nextInt(dims[0] + 2);
    Shrink.check(
        seed,
        new int[] {dims[0], dims[1], dims[2], dims[3], dims[4], tau},
        d -> {
          if (!valid(d) || d[5] < 1) {
            return null;
          }
          return againstReference(RnnCase.random(seed, d[2], d[3], d[4], d[0], d[1]), d[5]);
        });
  }

  /** τ = 1 is the single-step gradient: δ_t = ∂L_t/∂h_t ⊙ φ′(h_t), no recurrent term at all. */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void tauOneIsTheSingleStepGradient(long seed) {
    Shrink.check(
        seed,
        dims(seed),
        d ->
            valid(d)
                ? againstReference(RnnCase.random(seed, d[2], d[3], d[4], d[0], d[1]), 1)
                : null);
  }

  private static String againstReference(RnnCase c, int tau) {
    float[] states = c.full().states();
    BpttStrategy strategy = BpttStrategy.truncated(tau);
    float[] grads = new float[c.layout.size()];
    RnnCase.Result got = c.run(strategy, c.workspace(strategy), grads, null);
    return c.naive(states, null, tau).check(strategy + " " + c.describe(), got.grads(), got.dh0());
  }

  /**
   * h_t = 0.5·h_{t−1} + x_t (D = H = 1, identity, no bias), x = (1, 2, 3), h_0 = 0, so h = (1, 2.5,
   * 4.25), and L = h_1 + h_2 + h_3. Everything is exact in binary floating point.
   *
   * <ul>
   *   <li>τ = 1: Δ = (1, 1, 1); dW_hh = Σ Δ_t h_{t−1} = 0 + 1 + 2.5 = 3.5, dW_xh = Σ Δ_t x_t = 6,
   *       db = 3, dh0 = 0.5·Δ_1 = 0.5 (only loss 1 reaches step 1).
   *   <li>τ = 2: loss 2 reaches step 1 with 0.5, loss 3 step 2 with 0.5: Δ = (1.5, 1.5, 1); dW_hh =
   *       1.5 + 2.5 = 4, dW_xh = 1.5 + 3 + 3 = 7.5, db = 4, dh0 = 0.5·1.5 = 0.75.
   *   <li>τ = 3 = T (full): Δ = (1.75, 1.5, 1); dW_hh = 4, dW_xh = 7.75, db = 4.25, dh0 = 0.875.
   * </ul>
   */
  @Test
  void scalarLinearRnnByHand() {
    RnnLayout layout = new RnnLayout(1, 1, 0);
    ElmanRnn rnn = new ElmanRnn(layout, Activation.IDENTITY);
    float[] params = {1f, 0.5f, 0f}; // W_xh, W_hh, b_h
    float[] x = {1, 2, 3}, dOut = {1, 1, 1};
    float[][] expected = {{6f, 3.5f, 3f, 0.5f}, {7.5f, 4f, 4f, 0.75f}, {7.75f, 4f, 4.25f, 0.875f}};
    for (int tau = 1; tau <= 3; tau++) {
      BpttStrategy strategy = BpttStrategy.truncated(tau);
      float[] grads = new float[3], dh0 = new float[1];
      SequenceShape shape = SequenceShape.steps(3);
      SequenceBatch seq =
          new SequenceBatch(rnn, shape)
              .input(x)
              .losses(LossSteps.everyStep())
              .upstream(dOut)
              .initialStateGradient(dh0);
      new BpttRunner(rnn)
          .run(strategy, params, grads, seq, new BpttWorkspace(rnn, shape, strategy));
      assertArrayEquals(
          expected[tau - 1], new float[] {grads[0], grads[1], grads[2], dh0[0]}, 0f, "tau=" + tau);
    }
  }

  /** The reference itself, at reach = T, agrees with the fused full BPTT. */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void referenceAgreesWithFullBptt(long seed) {
    Shrink.check(
        seed,
        dims(seed),
        d -> {
          if (!valid(d)) {
            return null;
          }
          RnnCase c = RnnCase.random(seed, d[2], d[3], d[4], d[0], d[1]);
          float[] grads = new float[c.layout.size()], dh0 = new float[d[1] * d[3]];
          dev.bptt.kernel.rnn.RnnWorkspace ws =
              new dev.bptt.kernel.rnn.RnnWorkspace(c.rnn, c.shape);
          SequenceBatch seq = c.seq().initialStateGradient(dh0);
          c.rnn.forward(c.params, seq, ws);
          c.rnn.backward(c.params, grads, seq, ws);
          return c.naive(ws.hidden(), null, d[0]).check("full " + c.describe(), grads, dh0);
        });
  }

  @Test
  void singleLossAtTheEndReachesExactlyTauSteps() {
    // With one loss at T, truncation at τ is full BPTT of the last τ steps: δ_t = 0 for t ≤ T − τ.
    RnnCase c = new RnnCase(7, 2, 6, 0, 12, 2, Activation.TANH, RnnCase.Losses.LAST, true);
    float[] states = c.full().states();
    for (int tau = 1; tau <= 12; tau++) {
      BpttStrategy strategy = BpttStrategy.truncated(tau);
      float[] grads = new float[c.layout.size()];
      RnnCase.Result got = c.run(strategy, c.workspace(strategy), grads, null);
      assertNull(c.naive(states, null, tau).check(strategy.toString(), got.grads(), got.dh0()));
    }
  }

  /**
   * A chain's bits do not depend on how many chains advance with it: with one loss, at T, each step
   * advances one chain (one δ row at B = 1); with a loss at every step whose upstream is zero but
   * at T, the same chain advances as the last of up to τ rows, the others exact zeros. The chains'
   * sum Δ_t is then the lone chain (x + 0 = x), so gradients and ∂L/∂h_0 must agree bitwise. They
   * did not while a single row took the gemvᵀ and several the packed GEMM (two summation orders). H
   * = 37 puts the rows off the lane grid; two layers include the input-gradient products.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(CellType.class)
  void aChainsBitsDoNotDependOnHowManyChainsAreAlive(CellType cell) {
    int steps = 12, d = 5, h = 37, tau = 5;
    StackedRnn net = StackedRnn.of(new StackLayout(cell, d, h, 2, 0, false), Activation.TANH);
    SplittableRandom r = new SplittableRandom(cell.ordinal() + 41);
    float[] params = uniform(r, net.layout().size(), 0.4);
    float[] x = uniform(r, steps * d, 1.0);
    float[] s0 = uniform(r, net.stateSize(), 0.5);
    float[] last = uniform(r, h, 1.0);
    float[] every = new float[steps * h];
    System.arraycopy(last, 0, every, (steps - 1) * h, h);
    SequenceShape shape = SequenceShape.steps(steps);
    BpttStrategy strategy = BpttStrategy.truncated(tau);
    float[][] got = new float[2][];
    float[][] dh0 = new float[2][net.stateSize()];
    for (int k = 0; k < 2; k++) {
      SequenceBatch seq =
          new SequenceBatch(net, shape)
              .input(x)
              .initialState(s0)
              .losses(k == 0 ? LossSteps.lastStep() : LossSteps.everyStep())
              .upstream(k == 0 ? last : every)
              .initialStateGradient(dh0[k]);
      got[k] = new float[net.layout().size()];
      new BpttRunner(net)
          .run(strategy, params, got[k], seq, new BpttWorkspace(net, shape, strategy));
    }
    String what = cell + " " + strategy + " T=" + steps + " H=" + h + " two layers";
    assertNull(
        Bits.first(
            Bits.same(what + " grads", got[1], got[0]), Bits.same(what + " dh0", dh0[1], dh0[0])));
  }

  private static float[] uniform(SplittableRandom r, int n, double scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) ((2 * r.nextDouble() - 1) * scale);
    }
    return a;
  }
}
