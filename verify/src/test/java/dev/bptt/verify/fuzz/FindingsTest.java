package dev.bptt.verify.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.ExplosionMonitor;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.spectral.Spectral;
import dev.bptt.kernel.spectral.SpectralEstimate;
import dev.bptt.kernel.spectral.SpectralEstimator;
import dev.bptt.kernel.spectral.SpectralInit;
import dev.bptt.kernel.training.Adam;
import dev.bptt.kernel.training.Checkpoint;
import dev.bptt.kernel.training.CrossEntropyLoss;
import dev.bptt.kernel.training.LrSchedule;
import dev.bptt.kernel.training.MseLoss;
import dev.bptt.kernel.training.Optimizer;
import dev.bptt.kernel.training.OptimizerState;
import dev.bptt.kernel.training.RmsProp;
import dev.bptt.kernel.training.Sgd;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The kernel findings of the fuzz suite, one regression test each, expected to pass once the kernel
 * is fixed (disabled until then so the branch stays green). Each names the fuzz trial that found
 * it: {@code -Dprop.seed=<seed> -Dfuzz.trials=1}.
 */
class FindingsTest {
  /**
   * F1, e.g. seeds 20264131 (symmetricDominant), 20264115 (sigmaMax), 20263503 (spectralRadius).
   */
  @Test
  void subnormalStartVectorGivesAFiniteEstimate() {
    int n = 4;
    float[] a = new float[n * n];
    for (int i = 0; i < n; i++) {
      a[i * n + i] = i + 1;
    }
    float[] v = {1e-41f, 2e-41f, 3e-41f, 4e-41f};
    SpectralEstimate e =
        Spectral.symmetricDominant(
            n, a, 0, n, v, 0, new float[Spectral.symmetricWorkLength(n)], 0, 100, 1e-6);
    assertEquals(4.0, e.value(), 1e-3);
    float[] v2 = {1e-41f, 2e-41f, 3e-41f, 4e-41f};
    SpectralEstimate s =
        Spectral.sigmaMax(
            n, n, a, 0, n, v2, 0, new float[Spectral.sigmaMaxWorkLength(n, n)], 0, 100, 1e-6);
    assertEquals(4.0, s.value(), 1e-3);
  }

  /** F1 (matrix side), e.g. seeds 20261675, 20264128: every entry of W subnormal. */
  @Test
  void subnormalMatrixGivesAFiniteEstimate() {
    int n = 3;
    float[] w = new float[n * n];
    for (int i = 0; i < n; i++) {
      w[i * n + i] = (i + 1) * 1e-40f;
    }
    SpectralEstimate e = SpectralEstimator.square(n).symmetricDominant(w);
    assertTrue(Double.isFinite(e.value()), "value " + e.value());
    SpectralEstimate r = SpectralEstimator.square(n).spectralRadius(w);
    assertTrue(Double.isFinite(r.value()), "value " + r.value());
  }

  /** F2, seed 20266940. */
  @Test
  void storedStatesRejectsSegmentZero() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> BpttStrategy.Checkpointed.storedStates(10, 0));
    assertTrue(e.getMessage().contains("s") || e.getMessage().contains("segment"));
    assertThrows(IllegalArgumentException.class, () -> BpttStrategy.Checkpointed.segments(10, 0));
  }

  /** F3, seeds 20266678 (θ NaN), 20271590 (θ < 0), 20272204 (θ −∞), 20270976 (N NaN). */
  @Test
  void clipRuleCoefficientChecksItsArguments() {
    for (ClipRule r : ClipRule.values()) {
      assertThrows(IllegalArgumentException.class, () -> r.coefficient(Double.NaN, 1));
      assertThrows(IllegalArgumentException.class, () -> r.coefficient(-3.19, 1));
      assertThrows(
          IllegalArgumentException.class, () -> r.coefficient(Double.NEGATIVE_INFINITY, 1));
      assertThrows(IllegalArgumentException.class, () -> r.coefficient(1, Double.NaN));
      assertThrows(IllegalArgumentException.class, () -> r.coefficient(1, -1));
    }
  }

  /** F4, seed 20265156. */
  @Test
  void monitorStaysFiniteAfterAHugeFiniteNorm() {
    ExplosionMonitor m = new ExplosionMonitor(3, 10, 2, 8);
    m.observe(1.0);
    m.observe(2.0);
    m.observe(Double.MAX_VALUE);
    assertTrue(Double.isFinite(m.mean()), "mean " + m.mean());
    // σ ≈ 10³⁰⁸ is finite; σ² is not a double: documented as +∞ (never NaN, and finite again once
    // the spike has decayed). Any norm a float gradient can have (≤ ~10⁴³) keeps σ² finite.
    assertTrue(Double.isFinite(m.standardDeviation()), "σ " + m.standardDeviation());
    assertFalse(Double.isNaN(m.variance()), "variance " + m.variance());
    assertTrue(Double.isFinite(m.spikeThreshold()), "spike threshold " + m.spikeThreshold());
  }

  /** F5, seeds 20265368 (normal), 20265987 (scaledOrthogonal), 20268437, 20266602. */
  @Test
  void initializersRefuseGainsThatOverflow() {
    float[] a = new float[9];
    assertThrows(
        IllegalArgumentException.class,
        () -> SpectralInit.normal(new SplittableRandom(1), Double.MAX_VALUE, 3, 3, a, 0, 3));
    assertThrows(
        IllegalArgumentException.class,
        () -> SpectralInit.scaledOrthogonal(new SplittableRandom(1), Double.MAX_VALUE, 3, a, 0, 3));
    assertThrows(
        IllegalArgumentException.class,
        () -> SpectralInit.gaussianRescaled(new SplittableRandom(1), Double.MAX_VALUE, 3, a, 0, 3));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            SpectralInit.sparseRescaled(new SplittableRandom(1), 2, Double.MAX_VALUE, 3, a, 0, 3));
    for (float x : a) {
      assertEquals(0f, x, "a refused call writes nothing");
    }
  }

  /** F6 (BoundaryTest, T = 2³¹ − 1): (T + s − 1)/s and friends computed in int. */
  @Test
  void checkpointedStoredStatesAtHugeSteps() {
    int t = Integer.MAX_VALUE;
    int s = BpttStrategy.checkpointed().segmentLength(t);
    assertTrue(BpttStrategy.Checkpointed.storedStates(t, s) > 0);
    assertTrue(BpttStrategy.Checkpointed.segments(t, 1000) > 0);
    assertTrue(BpttStrategy.checkpointed(1000).storedStates(t) > 0);
  }

  /**
   * F7, seeds 20261801 (Adam#withLr), 20261389 (Adam#withL1), 20261887 (Sgd#withWeightDecay),
   * 20262695 (RmsProp#withMomentum): a hyper-parameter finite as a double but above Float.MAX_VALUE
   * is accepted, and the float kernel then writes ±∞/NaN into θ and the state.
   */
  @Test
  void hyperParametersThatOverflowAFloatAreRefused() {
    double big = Double.MAX_VALUE;
    List<Supplier<Optimizer>> configs =
        List.of(
            () -> Sgd.of(big),
            () -> Sgd.of(0.1).withWeightDecay(big),
            () -> Sgd.of(0.1).withL1(big),
            () -> Sgd.of(0.1).withMomentum(big),
            () -> Adam.of(big),
            () -> Adam.of().withDecoupledWeightDecay(big),
            () -> Adam.of().withEps(big),
            () -> RmsProp.of().withMomentum(big));
    for (Supplier<Optimizer> c : configs) {
      assertThrows(IllegalArgumentException.class, c::get);
    }
    Sgd sgd = Sgd.of(0.1);
    OptimizerState s = sgd.newState(3);
    float[] p = {1, 2, 3};
    float[] g = {0.5f, 0f, -1f};
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> sgd.step(p, g, s, big));
    assertTrue(e.getMessage().contains("lr"), e.getMessage());
    assertTrue(Arrays.equals(new float[] {1, 2, 3}, p), "a refused step writes nothing");
  }

  /** F8, seed 20263057: η_min ≫ γ₀ cancels γ₀ out of the closed form at e = 0. */
  @Test
  void cosineStartsAtItsBaseRate() {
    LrSchedule s = LrSchedule.cosine(1.0, 10, 1e30);
    assertEquals(1.0, s.lr(0), 1e-12);
    assertEquals(1e30, s.lr(10), 1e18);
  }

  /**
   * F9, seeds 20272515, 20266761 (step), 20272924 (multiStep): a finite gamma &gt; 1 is accepted
   * and lr(e) overflows to +∞ (NaN with γ₀ = 0), a rate Optimizer.step refuses.
   */
  @Test
  void schedulesStayFiniteOrRefuseTheirGamma() {
    List<Supplier<LrSchedule>> schedules =
        List.of(
            () -> LrSchedule.step(0.1, 1, 1e30),
            () -> LrSchedule.multiStep(0.1, new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 1e30),
            () -> LrSchedule.exponential(0.1, 1e30),
            () -> LrSchedule.exponential(0, 1e30),
            () -> LrSchedule.exponential(0.1, Double.MAX_VALUE));
    for (Supplier<LrSchedule> make : schedules) {
      LrSchedule s;
      try {
        s = make.get();
      } catch (IllegalArgumentException refused) {
        continue;
      }
      for (int e : new int[] {0, 1, 2, 11, 100, 1000, Integer.MAX_VALUE}) {
        double lr = s.lr(e);
        assertTrue(lr >= 0 && lr < Double.POSITIVE_INFINITY, "lr(" + e + ") = " + lr);
      }
    }
  }

  /** F10, seeds 20268821, 20269232: batch × outputs overflows in Math.multiplyExact. */
  @Test
  void stepLossRefusesAnOverflowingBlockWithAnIllegalArgument() {
    assertThrows(
        IllegalArgumentException.class,
        () -> MseLoss.of().stepLoss(LossSteps.lastStep(), 3, 1 << 30, 4, new float[8], 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> CrossEntropyLoss.of().stepLoss(LossSteps.none(), 3, 1 << 30, 4, new int[0], 0));
  }

  /**
   * F11, seeds 20270445, 20265924: a state whose buffers are too short for the layout is refused by
   * the TensorView constructor, with a message that names a view but not the state.
   */
  @Test
  void withOptimizerStateNamesATooSmallState() {
    float[] params = new float[8];
    TensorView w = TensorView.matrix("weight", params, 0, 2, 4);
    OptimizerState small = Adam.of().newState(5);
    RuntimeException e =
        assertThrows(
            RuntimeException.class, () -> Checkpoint.of(w).withOptimizerState("optim.", w, small));
    assertTrue(
        e instanceof IllegalArgumentException || e instanceof IndexOutOfBoundsException,
        e.toString());
    assertTrue(e.getMessage().contains("state"), e.getMessage());
  }

  /**
   * Found by the fuzz suite (withMetadata with random strings): an unpaired UTF-16 surrogate has no
   * UTF-8 form, so the header saved it as '?' and the entry did not load back. Now refused when the
   * entry or the tensor is added; a paired surrogate (U+1F600) round-trips.
   */
  @Test
  void unpairedSurrogatesAreRefusedAndPairsRoundTrip() {
    float[] w = {1f, 2f};
    Checkpoint c = Checkpoint.of(TensorView.vector("w", w, 0, 2));
    for (String bad : new String[] {"a\ud800", "\udfffb", "x\ud800y"}) {
      IllegalArgumentException k =
          assertThrows(IllegalArgumentException.class, () -> c.withMetadata(bad, "v"));
      assertTrue(k.getMessage().startsWith("key '") && k.getMessage().contains("surrogate"));
      IllegalArgumentException v =
          assertThrows(IllegalArgumentException.class, () -> c.withMetadata("k", bad));
      assertTrue(v.getMessage().startsWith("value '"), v.getMessage());
      IllegalArgumentException n =
          assertThrows(
              IllegalArgumentException.class,
              () -> Checkpoint.of(bad, TensorView.vector("w", w, 0, 2)));
      assertTrue(n.getMessage().startsWith("tensor name '"), n.getMessage());
    }
    String smile = "\ud83d\ude00";
    Checkpoint s = c.withMetadata("k" + smile, smile);
    assertEquals(smile, s.load(s.toBytes()).get("k" + smile));
  }

  /** Found by a 100,000-trial run (seed 20287218): overlaps(null) threw a bare NPE. */
  @Test
  void overlapsNamesItsNullArgument() {
    TensorView v = TensorView.vector("w", new float[2], 0, 2);
    NullPointerException e = assertThrows(NullPointerException.class, () -> v.overlaps(null));
    assertTrue(e.getMessage().contains("other"), e.getMessage());
  }

  /**
   * Found by a 100,000-trial run (seed 20288782, MseLoss#apply with dyOff mutated): an overlap
   * refusal named the arrays but not the offset argument that made them overlap.
   */
  @Test
  void overlapRefusalsNameTheOffsets() {
    float[] a = new float[40];
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> MseLoss.of().apply(a, 12, new float[17], 0, 17, a, 0, 17));
    assertTrue(e.getMessage().contains("yOff = 12"), e.getMessage());
    assertTrue(e.getMessage().contains("dyOff = 0"), e.getMessage());
  }

  /**
   * Found by a 100,000-trial run (seed 20330577): PyTorch's closed form of LinearLR rounds to
   * −4.2e−17 at the end of a decay to 0; a rate is never negative (−0.0 stays −0.0).
   */
  @Test
  void linearScheduleNeverGoesBelowZero() {
    for (int total = 1; total <= 200; total++) {
      for (double start : new double[] {1, 0.3, 0.1, 1e-3}) {
        LrSchedule s = LrSchedule.linear(0.7, start, 0, total);
        for (int e = 0; e <= total + 1; e++) {
          assertTrue(s.lr(e) >= 0, "lr(" + e + ") = " + s.lr(e) + " for T = " + total);
        }
        assertEquals(0.0, s.lr(total), 1e-15);
      }
    }
  }

  /**
   * Found by a 100,000-trial run (seed 20338189): with α and L₀ one ulp above their bounds the
   * polynomial tail's probability at Δt = 1 rounded to 1.0, outside the documented [0, 1).
   */
  @Test
  void polynomialTailProbabilityStaysBelowOne() {
    double l0 = 1 + Math.ulp(1.0), alpha = 2 + 2 * Math.ulp(2.0);
    double p = dev.bptt.kernel.bptt.TruncationSchedule.polynomialTail(l0, alpha).probability(1);
    assertTrue(p < 1 && p > 0.999, "probability " + p);
  }

  /**
   * Found by a 100,000-trial run (seeds 20283587, 20305958, 20342771): a size argument that makes
   * an operand too long for its array was reported by the operand alone ("A: 3x10 matrix …", "x:
   * offset 0 + length 11 …"), not by the argument the caller got wrong (k of a transposed A, m of
   * ger's and gemvᵀ's x).
   */
  @Test
  void sizeRefusalsNameTheSizeArgument() {
    float[] twenty = new float[20], ten = new float[10], c = new float[100];
    IndexOutOfBoundsException e =
        assertThrows(
            IndexOutOfBoundsException.class,
            () ->
                dev.bptt.kernel.blas.Blas.gemm(
                    dev.bptt.kernel.blas.Transpose.T,
                    dev.bptt.kernel.blas.Transpose.N,
                    10,
                    1,
                    3,
                    1f,
                    twenty,
                    0,
                    10,
                    twenty,
                    0,
                    1,
                    0f,
                    c,
                    0,
                    1));
    assertTrue(e.getMessage().contains("(k x m)"), e.getMessage());
    e =
        assertThrows(
            IndexOutOfBoundsException.class,
            () -> dev.bptt.kernel.blas.Blas.ger(11, 1, 1f, ten, 0, ten, 0, c, 0, 1));
    assertTrue(e.getMessage().startsWith("x: offset 0 + length m=11"), e.getMessage());
    e =
        assertThrows(
            IndexOutOfBoundsException.class,
            () -> dev.bptt.kernel.blas.Blas.gemvT(13, 1, 1f, c, 0, 1, ten, 0, 0f, ten, 0));
    assertTrue(e.getMessage().startsWith("x: offset 0 + length m=13"), e.getMessage());
  }

  /**
   * Found by 300,000-trial runs on 2026-12-02 (seed 295451): gemvᵀ with no rows (m = 0) and α = NaN
   * left y ← β·y, where α·Aᵀ·x + β·y is NaN (α·0) and gemv with n = 0 gives NaN. The other finding
   * of those runs (seeds 20405681, 142137: α = Float.MAX_VALUE with some |xᵢ| &gt; 1 gave ±∞ where
   * α·Aᵀ·x fits) is gemvᵀ's documented α fold, fl(α·xᵢ) first, as the reference BLAS's sgemv("N"):
   * the oracle now exempts calls whose fold overflows, and this test pins that a fold that does not
   * overflow keeps even α = Float.MAX_VALUE exact.
   */
  @Test
  void gemvTransposedAppliesAlphaLikeGemv() {
    float[] y = {1f, -2f, 3f}, none = new float[0];
    dev.bptt.kernel.blas.Blas.gemvT(0, 3, Float.NaN, none, 0, 3, none, 0, 0.5f, y, 0);
    for (float v : y) {
      assertTrue(Float.isNaN(v), Arrays.toString(y));
    }
    float[] z = {1f, -2f, 3f};
    dev.bptt.kernel.blas.Blas.gemv(3, 0, Float.NaN, none, 0, 1, none, 0, 0.5f, z, 0);
    for (float v : z) {
      assertTrue(Float.isNaN(v), Arrays.toString(z));
    }
    // m = 0 with a finite α: y ← β·y, as before.
    float[] w = {1f, -2f, 3f};
    dev.bptt.kernel.blas.Blas.gemvT(0, 3, 2f, none, 0, 3, none, 0, 0.5f, w, 0);
    assertEquals("[0.5, -1.0, 1.5]", Arrays.toString(w));
    // α = MAX with |xᵢ| ≤ 1: fl(α·xᵢ) fits, so α·Aᵀ·x (= MAX/2 + MAX/4, 0.75·MAX) is finite and
    // exact.
    float[] a = {0.5f, 1f, 0.25f, -1f}, x = {1f, 1f}, out = new float[2];
    dev.bptt.kernel.blas.Blas.gemvT(2, 2, Float.MAX_VALUE, a, 0, 2, x, 0, 0f, out, 0);
    assertEquals(0.75f * Float.MAX_VALUE, out[0]);
    assertEquals(0f, out[1]);
  }
}
