package dev.bptt.kernel.internal;

import static dev.bptt.kernel.internal.PanamaConstants.BITS;
import static dev.bptt.kernel.internal.PanamaConstants.F;
import static dev.bptt.kernel.internal.PanamaConstants.L;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Lane reductions and transcendental functions that give the same bits in the interpreter, C1
 * and C2. The Vector API's own {@code reduceLanes(ADD)} may reassociate and its
 * {@code lanewise(TANH / EXP)} is an SVML call once C2 compiles it but a per-lane Java fallback
 * before, so the same call returned different bits before and after warm-up (measured: gemv after
 * ~1000 calls, tanh (27 of 4096 lanes) and sigmoid after ~500), which breaks
 * run-to-run reproducibility and the bitwise recomputation checkpointed BPTT relies on. Here
 * everything is IEEE add/mul/div/fma, conversions and data movement, which are exact-rounded
 * the same way in every tier.
 */
final class PanamaMath {
  private PanamaMath() {}

  // Rotations by 8, 4, 2, 1 lanes (mod L), for the fixed pairwise tree of sumLanes.
  private static final VectorShuffle<Float> ROT8 = VectorShuffle.iota(F, 8 % L, 1, true);
  private static final VectorShuffle<Float> ROT4 = VectorShuffle.iota(F, 4 % L, 1, true);
  private static final VectorShuffle<Float> ROT2 = VectorShuffle.iota(F, 2 % L, 1, true);
  private static final VectorShuffle<Float> ROT1 = VectorShuffle.iota(F, 1 % L, 1, true);

  /**
   * Σ of the lanes as a fixed pairwise tree: lane i + lane i+L/2, then + lane i+L/4, … (L ≤ 16),
   * the result in lane 0.
   */
  static float sumLanes(FloatVector v) {
    if (L >= 16) {
      v = v.add(v.rearrange(ROT8));
    }
    if (L >= 8) {
      v = v.add(v.rearrange(ROT4));
    }
    if (L >= 4) {
      v = v.add(v.rearrange(ROT2));
    }
    if (L >= 2) {
      v = v.add(v.rearrange(ROT1));
    }
    return v.lane(0);
  }

  /** Floats of half F's width: LH lanes, which widen to one double vector of F's width. */
  static final VectorSpecies<Float> FH = VectorSpecies.of(float.class, VectorShape.forBitSize(BITS / 2));
  static final VectorSpecies<Double> D = VectorSpecies.of(double.class, VectorShape.forBitSize(BITS));
  /** Lanes of FH and D. */
  static final int LH = FH.length();
  /**
   * Whether tanh and σ run vectorized: C2 does not intrinsify 64-bit float vectors, so below
   * 256-bit F the half-width species would box every vector; the scalar loop is used instead.
   */
  static final boolean TRANSCENDENTALS = BITS >= 256;

  private static final double INV_LN2 = 1.4426950408889634;
  /** ln 2 in two parts: LN2_HI has 32 significant bits, so k·LN2_HI is exact for |k| &lt; 2^20. */
  private static final double LN2_HI = 0.6931471803691238;
  private static final double LN2_LO = 1.9082149292705877e-10;
  /** 1.5·2^52: adding and subtracting it rounds a double of magnitude &lt; 2^51 to an integer. */
  private static final double ROUND = 6755399441055744.0;

  /**
   * e^y for y in [−700, 0] (double lanes): y = k·ln 2 + r, |r| ≤ ln 2 / 2 (Cody–Waite), e^r by
   * its Taylor polynomial to r¹¹ (remainder ≤ (ln 2/2)¹²/12! ≈ 6·10⁻¹⁵ relative), times 2^k
   * built in the exponent bits.
   */
  static DoubleVector expNonPositive(DoubleVector y) {
    DoubleVector k = y.mul(INV_LN2).add(ROUND).sub(ROUND);
    DoubleVector r = k.fma(DoubleVector.broadcast(D, -LN2_HI), y);
    r = k.fma(DoubleVector.broadcast(D, -LN2_LO), r);
    DoubleVector p = r.mul(1.0 / 39916800).add(1.0 / 3628800);
    p = p.fma(r, DoubleVector.broadcast(D, 1.0 / 362880));
    p = p.fma(r, DoubleVector.broadcast(D, 1.0 / 40320));
    p = p.fma(r, DoubleVector.broadcast(D, 1.0 / 5040));
    p = p.fma(r, DoubleVector.broadcast(D, 1.0 / 720));
    p = p.fma(r, DoubleVector.broadcast(D, 1.0 / 120));
    p = p.fma(r, DoubleVector.broadcast(D, 1.0 / 24));
    p = p.fma(r, DoubleVector.broadcast(D, 1.0 / 6));
    p = p.fma(r, DoubleVector.broadcast(D, 0.5));
    p = p.fma(r, DoubleVector.broadcast(D, 1.0));
    p = p.fma(r, DoubleVector.broadcast(D, 1.0));
    LongVector bits = ((LongVector) k.convert(VectorOperators.D2L, 0)).add(1023).lanewise(VectorOperators.LSHL, 52);
    return p.mul(bits.reinterpretAsDoubles());
  }

  /**
   * tanh of LH float lanes, in double: x·(odd Taylor polynomial to x¹³) for |x| &lt; 1/8
   * (remainder ≤ 4·10⁻¹⁶ relative), else sign(x)·(1 − e)/(1 + e) with e = e^{−2|x|}, |x| capped
   * at 20 (tanh(20) is 1 in float). Relative error ~10⁻¹³ before the one rounding to float, so the
   * result is the correctly rounded tanh except within ~10⁻¹³ of a rounding midpoint.
   * NaN → NaN, ±0 → ±0, ±∞ → ±1.
   */
  static FloatVector tanh(FloatVector xh) {
    DoubleVector x = (DoubleVector) xh.convertShape(VectorOperators.F2D, D, 0);
    DoubleVector a = x.abs();
    DoubleVector one = DoubleVector.broadcast(D, 1.0);
    DoubleVector e = expNonPositive(a.min(20.0).mul(-2.0));
    DoubleVector big = one.sub(e).div(one.add(e));
    big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0.0));
    DoubleVector x2 = x.mul(x);
    DoubleVector q = x2.mul(21844.0 / 6081075).add(-1382.0 / 155925);
    q = q.fma(x2, DoubleVector.broadcast(D, 62.0 / 2835));
    q = q.fma(x2, DoubleVector.broadcast(D, -17.0 / 315));
    q = q.fma(x2, DoubleVector.broadcast(D, 2.0 / 15));
    q = q.fma(x2, DoubleVector.broadcast(D, -1.0 / 3));
    q = q.fma(x2, one);
    DoubleVector t = x.mul(q).blend(big, a.compare(VectorOperators.GE, 0.125));
    return (FloatVector) t.convertShape(VectorOperators.D2F, FH, 0);
  }

  /**
   * σ(x) = 1/(1 + e^{−x}) of LH float lanes, in double: with e = e^{−|x|} (|x| capped at 120,
   * where σ is 0 or 1 in float), σ = 1/(1 + e) for x ≥ 0 and e/(1 + e) for x &lt; 0, so nothing
   * overflows and float subnormal results come out right. Relative error ~10⁻¹⁴ before the
   * rounding to float. NaN → NaN.
   */
  static FloatVector sigmoid(FloatVector xh) {
    DoubleVector x = (DoubleVector) xh.convertShape(VectorOperators.F2D, D, 0);
    DoubleVector one = DoubleVector.broadcast(D, 1.0);
    DoubleVector e = expNonPositive(x.abs().min(120.0).neg());
    DoubleVector num = one.blend(e, x.compare(VectorOperators.LT, 0.0));
    return (FloatVector) num.div(one.add(e)).convertShape(VectorOperators.D2F, FH, 0);
  }
}
