package dev.bptt.verify.gated;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.verify.NaiveStack;
import dev.bptt.verify.Shrink;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Validates the double reference {@link NaiveStack} itself: its full backward pass against central
 * finite differences of its own forward pass, for every parameter and every entry of the initial
 * state (h_0 and c_0 of every layer), on small sizes: all three cells in turn, 1–3 layers, with and
 * without readout, every/last/random loss steps, without and with layer normalization (γ and β
 * included in "every parameter").
 *
 * <p>Tolerance, as in {@code RnnGradientCheckTest}: the loss is the linear L = Σ⟨dOut_t, out_t⟩;
 * D_k = (L(θ + kε) − L(θ − kε))/(2kε), k ∈ {1, 2, 4}, ε = 2⁻¹² (θ ± kε exact in double), two
 * Richardson levels R2 = (16·R1(ε) − R1(2ε))/15 remove the ε² and ε⁴ terms, and
 *
 * <pre>
 *   |g_ref − R2| ≤ ρ_g + (64/45)|r_1| + (4/9)|r_2| + (1/45)|r_4| + 16·u_d·max|D_k| + |R2 − R1(ε)|
 * </pre>
 *
 * with ρ_g the reference's own backward bound against exact arithmetic ({@link
 * NaiveStack.Model#DOUBLE}), r_k = (η₊ + η₋)/(2kε) + u_d·|D_k| from the loss bound η of each
 * evaluation ({@link NaiveStack#loss}, same model), and |R2 − R1(ε)| bounding the ε⁶ remainder.
 * ReLU Elman: coordinates whose perturbed passes change which states are positive are skipped.
 */
class NaiveStackGradientCheckTest {
  private static final double EPS = 0x1p-12;
  private static final int[] KS = {1, 2, 4};
  private static final double UD = 0x1p-53;

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void referenceGradientMatchesFiniteDifferences(long seed) {
    for (CellType cell : CellType.values()) {
      java.util.SplittableRandom r = new java.util.SplittableRandom(seed ^ cell.ordinal());
      int[] dims = {
        1 + r.nextInt(4),
        1 + r.nextInt(2),
        r.nextInt(4),
        1 + r.nextInt(3),
        1 + r.nextInt(3),
        r.nextInt(3)
      };
      for (boolean ln : new boolean[] {false, true}) {
        Shrink.check(
            seed,
            dims,
            d -> GatedCase.valid(d) ? check(new GatedCase(seed, cell, d, null, ln, 1f)) : null);
      }
    }
  }

  private static String check(GatedCase c) {
    NaiveStack ref = c.reference(NaiveStack.Model.DOUBLE);
    double[] p = c.paramsD(), x = c.xD(), s0 = c.s0D(), dOut = c.dOutD();
    NaiveStack.Forward base = ref.forward(p, c.steps, c.batch, x, s0);
    NaiveStack.Backward b = ref.backward(p, base, dOut, c.lossAt, null, NaiveStack.Mode.full());
    for (int i = 0; i < p.length; i++) {
      String m =
          coordinate(c, ref, base, p, x, s0, dOut, p, i, b.grads()[i], b.gradsErr()[i], "param");
      if (m != null) {
        return c.describe() + " " + m;
      }
    }
    for (int i = 0; i < s0.length; i++) {
      String m = coordinate(c, ref, base, p, x, s0, dOut, s0, i, b.ds0()[i], b.ds0Err()[i], "s0");
      if (m != null) {
        return c.describe() + " " + m;
      }
    }
    return null;
  }

  private static String coordinate(
      GatedCase c,
      NaiveStack ref,
      NaiveStack.Forward base,
      double[] p,
      double[] x,
      double[] s0,
      double[] dOut,
      double[] var,
      int i,
      double gRef,
      double rhoG,
      String name) {
    double v = var[i];
    double[] dk = new double[KS.length], rk = new double[KS.length];
    boolean smooth = true;
    for (int j = 0; j < KS.length; j++) {
      double step = KS[j] * EPS;
      var[i] = v + step;
      NaiveStack.Forward fp = ref.forward(p, c.steps, c.batch, x, s0);
      double[] lp = ref.loss(fp, dOut, c.lossAt);
      var[i] = v - step;
      NaiveStack.Forward fm = ref.forward(p, c.steps, c.batch, x, s0);
      double[] lm = ref.loss(fm, dOut, c.lossAt);
      var[i] = v;
      smooth &= samePattern(base, fp) && samePattern(base, fm);
      dk[j] = (lp[0] - lm[0]) / (2 * step);
      rk[j] = (lp[1] + lm[1]) / (2 * step) + UD * Math.abs(dk[j]);
    }
    if (c.act == Activation.RELU && c.layout.cell() == CellType.ELMAN && !smooth) {
      return null;
    }
    double r1 = (4 * dk[0] - dk[1]) / 3, r1b = (4 * dk[1] - dk[2]) / 3;
    double r2 = (16 * r1 - r1b) / 15;
    double maxD = Math.max(Math.abs(dk[0]), Math.max(Math.abs(dk[1]), Math.abs(dk[2])));
    double tol =
        rhoG
            + 64.0 / 45 * rk[0]
            + 4.0 / 9 * rk[1]
            + rk[2] / 45
            + 16 * UD * maxD
            + Math.abs(r2 - r1);
    double diff = Math.abs(gRef - r2);
    if (!(diff <= tol)) {
      return name
          + "["
          + i
          + "]: reference backward="
          + gRef
          + " finite differences="
          + r2
          + " |diff|="
          + diff
          + " > tol="
          + tol;
    }
    return null;
  }

  private static boolean samePattern(NaiveStack.Forward a, NaiveStack.Forward b) {
    for (int k = 0; k < a.h.length; k++) {
      for (int i = 0; i < a.h[k].length; i++) {
        if ((a.h[k][i] > 0) != (b.h[k][i] > 0)) {
          return false;
        }
      }
    }
    return true;
  }
}
