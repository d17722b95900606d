package dev.bptt.verify.rnn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.verify.Gen;
import dev.bptt.verify.Seeds;
import dev.bptt.verify.Shrink;
import dev.bptt.verify.rnn.RnnProblem.Loss;
import dev.bptt.verify.rnn.RnnProblem.Spec;
import dev.bptt.verify.rnn.RnnProblem.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kernel forward and backward against the double reference within the derived {@link RnnBounds}:
 * hidden states, readout, δ_t, every parameter gradient, ∂L/∂h_0 and both traces, for every
 * activation, B ∈ {1, 3, 8}, T ∈ {1, 2, 17, 100}, sizes from the lane edges (0, 1, lane±1, 33, 67,
 * …), readout or not, loss at every step / the last / a subset, zero and non-zero h_0, prior
 * gradients or zeros. Every case is also checked step by step ({@link RnnStepCheck}) and must keep
 * its bounds informative ({@link RnnHarness#informative}): the recurrent weights are U(±1/√H) where
 * that provably keeps the componentwise bounds small over T steps ({@link
 * Weights#wellConditioned}), U(±1/H) elsewhere, and ρ(W_hh) &gt; 1 in the expanding cases.
 */
class RnnForwardBackwardTest {
  private static final int[] STEPS = {1, 2, 17, 100};
  private static final int[] BATCHES = {1, 3, 8};

  /**
   * Sizes for a case of T steps: lane-edge sizes from {@link Gen}, capped so T = 100 stays small
   * (H, D, O ≤ 17) and shorter sequences reach 67.
   */
  static int[] dims(Gen g, int steps, int batch) {
    int cap = steps >= 100 ? 17 : 67;
    int o = g.random().nextBoolean() ? 0 : g.size(1, Math.min(cap, 33));
    return new int[] {steps, batch, g.size(cap), g.size(1, cap), o};
  }

  /** The full grid activation × T × B × {every, last} × {h0 = 0, h0 ≠ 0}, one seed each. */
  static Stream<Arguments> grid() {
    List<Arguments> cases = new ArrayList<>();
    long seed = Seeds.base();
    for (Activation act : Activation.values()) {
      for (int steps : STEPS) {
        for (int batch : BATCHES) {
          for (Loss loss : new Loss[] {Loss.EVERY, Loss.LAST}) {
            for (boolean withH0 : new boolean[] {false, true}) {
              int[] dims = dims(new Gen(seed), steps, batch);
              Weights w = Weights.wellConditioned(steps, dims[RnnProblem.H]);
              cases.add(Arguments.of(seed, new Spec(act, w, loss, withH0, false), dims));
              seed++;
            }
          }
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "seed={0} {1} dims={2}")
  @MethodSource("grid")
  void gridMatchesReference(long seed, Spec spec, int[] dims) {
    Shrink.check(seed, dims, d -> RnnHarness.check(spec, seed, d));
  }

  /** Everything random: weights (incl. ρ(W_hh) &gt; 1), loss subsets, prior gradients. */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void randomCasesMatchReference(long seed) {
    Gen g = new Gen(seed);
    SplittableRandom r = g.random();
    Activation act = Activation.values()[r.nextInt(Activation.values().length)];
    int steps = r.nextBoolean() ? STEPS[r.nextInt(STEPS.length)] : 1 + r.nextInt(40);
    int batch = r.nextBoolean() ? BATCHES[r.nextInt(BATCHES.length)] : 1 + r.nextInt(9);
    int[] dims = dims(g, steps, batch);
    Weights w =
        switch (r.nextInt(3)) {
          case 0 -> Weights.wellConditioned(steps, dims[RnnProblem.H]);
          case 1 -> Weights.CONTRACTIVE;
          default -> Weights.EXPANDING;
        };
    if (w == Weights.EXPANDING) {
      // ρ(W_hh) > 1: the bounds grow with the solution, plus the coupling of the triangular part,
      // which stays informative over T = 100 only for small H (larger H: RnnStepLocalTest).
      dims[RnnProblem.H] = Math.min(dims[RnnProblem.H], 9);
    }
    Spec spec = new Spec(act, w, Loss.values()[r.nextInt(3)], r.nextBoolean(), r.nextBoolean());
    Shrink.check(seed, dims, d -> RnnHarness.check(spec, seed, d));
  }

  /**
   * Explicit lane-edge hidden sizes (1, lane±1 for 4, 8, 16 lanes, 33, 67), with and without
   * readout.
   */
  static Stream<Arguments> edgeSizes() {
    int[] hs = {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 67};
    List<Arguments> cases = new ArrayList<>();
    long seed = Seeds.base() + 1000;
    Activation[] acts = Activation.values();
    for (int i = 0; i < hs.length; i++) {
      int h = hs[i];
      int d = hs[(i + 5) % hs.length] - 1; // D from 0 up, off the lane grid
      Activation act = acts[i % acts.length];
      Loss loss = i % 2 == 0 ? Loss.EVERY : Loss.SUBSET;
      cases.add(
          Arguments.of(
              seed++,
              new Spec(act, Weights.wellConditioned(17, h), loss, i % 3 != 0, i % 2 == 1),
              new int[] {17, 3, d, h, 0}));
      cases.add(
          Arguments.of(
              seed++,
              new Spec(act, Weights.wellConditioned(2, h), loss, i % 3 == 0, i % 2 == 0),
              new int[] {2, 8, d, h, hs[(i + 3) % hs.length]}));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "seed={0} {1} dims={2}")
  @MethodSource("edgeSizes")
  void edgeSizesMatchReference(long seed, Spec spec, int[] dims) {
    Shrink.check(seed, dims, d -> RnnHarness.check(spec, seed, d));
  }

  /**
   * ρ(W_hh) &gt; 1 (exact by construction, see {@link Weights#EXPANDING}) over T = 100: the
   * identity RNN grows like ρ^t and tanh saturates; the running bounds must still hold.
   */
  static Stream<Arguments> expanding() {
    List<Arguments> cases = new ArrayList<>();
    long seed = Seeds.base() + 2000;
    for (Activation act : Activation.values()) {
      cases.add(
          Arguments.of(
              seed++,
              new Spec(act, Weights.EXPANDING, Loss.EVERY, true, false),
              new int[] {100, 3, 5, 9, 4}));
      cases.add(
          Arguments.of(
              seed++,
              new Spec(act, Weights.EXPANDING, Loss.LAST, false, true),
              new int[] {100, 1, 3, 6, 0}));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "seed={0} {1} dims={2}")
  @MethodSource("expanding")
  void expandingRecurrenceMatchesReference(long seed, Spec spec, int[] dims) {
    double rho = RnnProblem.of(spec, dims, seed).expandingSpectralRadius();
    assertTrue(rho > 1, "rho(W_hh) = " + rho + " should exceed 1");
    Shrink.check(seed, dims, d -> RnnHarness.check(spec, seed, d));
  }
}
