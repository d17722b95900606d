package dev.bptt.kernel.internal;

import static dev.bptt.kernel.internal.PanamaConstants.F;
import static dev.bptt.kernel.internal.PanamaConstants.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Constants of the lane reductions, and the transcendental loops, that give the same bits in the
 * interpreter, C1 and C2. The Vector API's own {@code reduceLanes(ADD)} may reassociate and its
 * {@code lanewise(TANH / EXP)} is an SVML call once C2 compiles it but a per-lane Java fallback
 * before, so the same call returned different bits before and after warm-up (measured: gemv after
 * ~1000 calls, tanh (27 of 4096 lanes) and sigmoid after ~500), which breaks run-to-run
 * reproducibility and the bitwise recomputation checkpointed BPTT relies on. Here everything is
 * IEEE add/mul/div/fma, conversions and data movement, which are exact-rounded the same way in
 * every tier. Measured here (AVX-512): tanh 0.7 ns and σ 0.6 ns per element, no faster SVML call to
 * give up (SVML tanh was ~1 ns), within 1.5 and 2.4 ulp of the correctly rounded values over 25 M
 * sampled inputs, and nothing boxed once compiled.
 */
final class PanamaMath {
  private PanamaMath() {}

  // Shuffles and masks of the fixed-order lane trees that the Panama reduction bodies write out
  // inline (L ∈ {4, 8, 16}; PanamaVectorizationProvider refuses wider species):
  //  - one vector: v += rotate(v, d) for d = 8, 4, 2, 1 (those below L), the sum in lane 0;
  //  - four vectors a0..a3 at once (gemv's four rows): pairs combined at distance d = L/2 and then
  //    L/4, where combine(a, b) = blend(a, b∘(i^d), bit d) + blend(a∘(i^d), b, bit d) puts a's pair
  //    sums in the lanes without bit d and b's in the lanes with it; then v += v∘(i^2), v∘(i^1)
  //    inside each quarter. About half the shuffles of four separate trees.
  static final VectorShuffle<Float> ROT8 = VectorShuffle.iota(F, 8 % L, 1, true);
  static final VectorShuffle<Float> ROT4 = VectorShuffle.iota(F, 4 % L, 1, true);
  static final VectorShuffle<Float> ROT2 = VectorShuffle.iota(F, 2 % L, 1, true);
  static final VectorShuffle<Float> ROT1 = VectorShuffle.iota(F, 1 % L, 1, true);
  static final VectorShuffle<Float> X_HALF = VectorShuffle.fromOp(F, i -> i ^ (L / 2));
  static final VectorShuffle<Float> X_QUARTER = VectorShuffle.fromOp(F, i -> i ^ (L / 4));
  static final VectorShuffle<Float> X2 = VectorShuffle.fromOp(F, i -> i ^ (2 % L));
  static final VectorShuffle<Float> X1 = VectorShuffle.fromOp(F, i -> i ^ 1);
  static final VectorMask<Float> M_HALF = VectorMask.fromLong(F, bitMask(L / 2));
  static final VectorMask<Float> M_QUARTER = VectorMask.fromLong(F, bitMask(L / 4));
  static final VectorMask<Float> M2 = VectorMask.fromLong(F, bitMask(2 % L));
  static final VectorMask<Float> M1 = VectorMask.fromLong(F, bitMask(1));

  /**
   * After the full L-vector tree (distances L/2, …, 1) lane i holds the sum of vector bitrev(i);
   * this shuffle puts vector r's sum in lane r.
   */
  static final VectorShuffle<Float> BIT_REVERSE =
      VectorShuffle.fromOp(
          F, r -> Integer.reverse(r) >>> (Integer.SIZE - Integer.numberOfTrailingZeros(L)));

  private static long bitMask(int d) {
    long m = 0;
    for (int i = 0; i < L; i++) {
      if ((i & d) != 0) {
        m |= 1L << i;
      }
    }
    return m;
  }

  // ---- tanh and σ from IEEE float operations only (full width, no shape changes: nothing boxes)
  // ----

  private static final float LOG2E = 1.44269504088896341f;

  /** ln 2 = LN2_HI + LN2_LO; LN2_HI has 9 significant bits, so k·LN2_HI is exact for |k| ≤ 2^15. */
  private static final float LN2_HI = 0.693359375f;

  private static final float LN2_LO = -2.12194440e-4f;

  /** 1.5·2^23: adding and subtracting it rounds a float of magnitude &lt; 2^22 to an integer. */
  private static final float ROUND = 12582912f;

  // Odd minimax polynomial of tanh on |x| < 0.625 (Cephes tanhf): tanh x ≈ x + x·z·P(z), z = x².
  private static final float T0 = -5.70498872745e-3f;
  private static final float T1 = 2.06390887954e-2f;
  private static final float T2 = -5.37397155531e-2f;
  private static final float T3 = 1.33314422036e-1f;
  private static final float T4 = -3.33332819422e-1f;

  // Why the two loops below are written out whole, with e^y inline in each, and not as small
  // vector-in/vector-out helpers: a FloatVector that crosses a call C2 did not inline is boxed.
  // Measured in JMH forks: small helpers inlined into a large caller (the RNN step) hit
  // NodeCountInliningCutoff and allocated ~20 B per element. Each loop method here is too large
  // to be inlined into its callers, so it is always compiled on its own, where every vector
  // operation inlines, and only arrays cross its boundary.
  //
  // e^y for y ∈ [−104, 0]: y = k·ln 2 + r with |r| ≤ ln 2 / 2 (Cody–Waite, two-part ln 2), e^r by
  // its Taylor polynomial to r⁷ (truncation ≤ (ln 2/2)⁸/8! ≈ 5.6·10⁻⁹ relative, 0.1 u) in fma
  // Horner form, times 2^k built in the exponent bits as 2^(k − ⌊k/2⌋)·2^⌊k/2⌋, so a subnormal
  // result is rounded once. About 1 ulp; NaN → NaN.

  /**
   * y[i] = tanh(x[i]) for i &lt; limit (a multiple of L): x + x·z·P(z) for |x| &lt; 0.625 (no
   * cancellation near 0: tanh(1e-9) is 1e-9), else sign(x)·(1 − e)/(1 + e) with e = e^{−2|x|}, |x|
   * capped at 9.1 where tanh rounds to 1. Measured within 1.5 ulp of the correctly rounded tanh.
   * NaN → NaN, ±0 → ±0, ±∞ → ±1.
   */
  static void tanh(int limit, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < limit; i += L) {
      FloatVector one = FloatVector.broadcast(F, 1f);
      FloatVector v = FloatVector.fromArray(F, x, xOff + i);
      FloatVector a = v.abs();
      FloatVector z = v.mul(v);
      FloatVector p = z.mul(T0).add(T1);
      p = p.fma(z, FloatVector.broadcast(F, T2));
      p = p.fma(z, FloatVector.broadcast(F, T3));
      p = p.fma(z, FloatVector.broadcast(F, T4));
      FloatVector small = v.mul(z).fma(p, v);
      // e = e^{−2|x|}
      FloatVector w = a.min(9.1f).mul(-2f);
      FloatVector k = w.mul(LOG2E).add(ROUND).sub(ROUND);
      FloatVector r = k.fma(FloatVector.broadcast(F, -LN2_HI), w).add(k.mul(-LN2_LO));
      FloatVector q = r.mul(1f / 5040).add(1f / 720);
      q = q.fma(r, FloatVector.broadcast(F, 1f / 120));
      q = q.fma(r, FloatVector.broadcast(F, 1f / 24));
      q = q.fma(r, FloatVector.broadcast(F, 1f / 6));
      q = q.fma(r, FloatVector.broadcast(F, 0.5f));
      q = q.fma(r, one);
      q = q.fma(r, one);
      IntVector ki = (IntVector) k.convert(VectorOperators.F2I, 0);
      IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
      FloatVector e =
          q.mul(ki.sub(k1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
              .mul(k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
      FloatVector big = one.sub(e).div(one.add(e));
      big = big.blend(big.neg(), v.compare(VectorOperators.LT, 0f));
      small.blend(big, a.compare(VectorOperators.GE, 0.625f)).intoArray(y, yOff + i);
    }
  }

  /**
   * y[i] = σ(x[i]) = 1/(1 + e^{−x[i]}) for i &lt; limit (a multiple of L): with e = e^{−|x|} (|x|
   * capped at 104, where σ is 0 or 1 in float), σ = 1/(1 + e) for x ≥ 0 and e/(1 + e) for x &lt; 0,
   * so nothing overflows and subnormal results keep their precision. Measured within 2.4 ulp. NaN →
   * NaN.
   */
  static void sigmoid(int limit, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < limit; i += L) {
      FloatVector one = FloatVector.broadcast(F, 1f);
      FloatVector v = FloatVector.fromArray(F, x, xOff + i);
      // e = e^{−|x|}
      FloatVector w = v.abs().min(104f).neg();
      FloatVector k = w.mul(LOG2E).add(ROUND).sub(ROUND);
      FloatVector r = k.fma(FloatVector.broadcast(F, -LN2_HI), w).add(k.mul(-LN2_LO));
      FloatVector q = r.mul(1f / 5040).add(1f / 720);
      q = q.fma(r, FloatVector.broadcast(F, 1f / 120));
      q = q.fma(r, FloatVector.broadcast(F, 1f / 24));
      q = q.fma(r, FloatVector.broadcast(F, 1f / 6));
      q = q.fma(r, FloatVector.broadcast(F, 0.5f));
      q = q.fma(r, one);
      q = q.fma(r, one);
      IntVector ki = (IntVector) k.convert(VectorOperators.F2I, 0);
      IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
      FloatVector e =
          q.mul(ki.sub(k1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
              .mul(k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
      one.blend(e, v.compare(VectorOperators.LT, 0f)).div(one.add(e)).intoArray(y, yOff + i);
    }
  }
}
