package dev.bptt.verify.rnn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.verify.NaiveRnn;
import dev.bptt.verify.Shrink;
import dev.bptt.verify.rnn.RnnProblem.Loss;
import dev.bptt.verify.rnn.RnnProblem.Spec;
import dev.bptt.verify.rnn.RnnProblem.Weights;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Validates the double reference itself: its backward pass against central finite differences of
 * its own forward pass, for every parameter and every entry of h_0, on small sizes. (The kernel is
 * compared with the reference in {@link RnnForwardBackwardTest}.)
 *
 * <h2>Tolerance</h2>
 *
 * The loss is the linear L(θ) = Σ ⟨dOut_t, out_t⟩ (so ∂L/∂out = dOut, what the backward takes).
 * With D_k = (L(θ + kε) − L(θ − kε))/(2kε), k ∈ {1, 2, 4}, Taylor gives D_k = L′ + a·k² + c·k⁴ +
 * e·k⁶ + r_k with a = L‴ε²/6, c = L⁽⁵⁾ε⁴/120, e = L⁽⁷⁾ε⁶/5040 and r_k the rounding. Two Richardson
 * levels remove a and c:
 *
 * <pre>
 *   R1(ε) = (4D_1 − D_2)/3,  R1(2ε) = (4D_2 − D_4)/3,  R2 = (16·R1(ε) − R1(2ε))/15
 *   R2 − L′ = 64e + (64/45)·r_1 − (4/9)·r_2 + (1/45)·r_4
 * </pre>
 *
 * Rounding: each L is evaluated in double with |L̂ − L| ≤ η (the {@link
 * RnnBounds#referenceVsExact()} forward bound on the outputs, weighted by |dOut|, plus
 * γ_n·Σ|dOut|·|out| for the n-term dot), the difference adds u_d·|L₊ − L₋|, and 2kε is a power of
 * two, so |r_k| ≤ (η₊ + η₋)/(2kε) + u_d·|D_k|; the extrapolation's own few double operations add
 * 16·u_d·max|D_k|. The ε⁶ remainder 64|e| = 64·|L⁽⁷⁾|·ε⁶/5040 (≈ 3e-24·|L⁽⁷⁾| at ε = 2^-12) has no
 * a-priori bound; as usual for Richardson tables it is bounded by the last correction |R2 − R1(ε)|
 * (the ε⁴ term), which exceeds it whenever the Taylor terms decrease. The reference gradient itself
 * is within the {@link RnnBounds#referenceVsExact()} backward bound ρ_g of the exact one. So the
 * check is
 *
 * <pre>
 *   |g_ref − R2| ≤ ρ_g + (64/45)|r_1| + (4/9)|r_2| + (1/45)|r_4| + 16·u_d·max|D_k| + |R2 − R1(ε)|
 * </pre>
 *
 * which is about 1e-11 here: a wrong term in the reference is caught at any size.
 *
 * <p>ReLU: L is smooth in θ only while no pre-activation changes sign; a coordinate whose perturbed
 * forward passes change the sign pattern of z is skipped (counted; rare).
 */
class RnnGradientCheckTest {
  /** ε = 2^-12: θ ± kε is exact in double for every float θ of these magnitudes. */
  private static final double EPS = 0x1p-12;

  private static final int[] KS = {1, 2, 4};
  private static final double UD = RnnBounds.U_DOUBLE;

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void referenceGradientMatchesFiniteDifferences(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Activation act = Activation.values()[r.nextInt(Activation.values().length)];
    Spec spec =
        new Spec(act, Weights.STANDARD, Loss.values()[r.nextInt(3)], r.nextBoolean(), false);
    int[] dims = {1 + r.nextInt(6), 1 + r.nextInt(3), r.nextInt(5), 1 + r.nextInt(4), r.nextInt(4)};
    AtomicInteger checked = new AtomicInteger();
    Shrink.check(seed, dims, d -> check(spec, seed, d, checked));
    assertTrue(checked.get() > 0, "no coordinate was checked (all ReLU-kinked)");
  }

  /** Checks every parameter and h_0 entry; returns the first violation or null. */
  static String check(Spec spec, long seed, int[] dims, AtomicInteger checked) {
    RnnProblem p = RnnProblem.of(spec, dims, seed);
    NaiveRnn ref = new NaiveRnn(p.layout, spec.activation());
    double[] theta = p.paramsD(), x = p.xD(), dOut = p.dOutD();
    double[] h0 = p.h0 == null ? new double[p.batch * p.layout.hiddenSize()] : p.h0D();
    NaiveRnn.Forward fwd = ref.forward(theta, p.steps, p.batch, x, h0);
    NaiveRnn.Backward bwd = ref.backward(theta, fwd, x, dOut, p.lossAt);
    RnnBounds exact = RnnBounds.referenceVsExact();
    RnnBounds.Forward fb = exact.forward(p.layout, spec.activation(), theta, x, fwd);
    RnnBounds.Backward bb =
        exact.backward(
            p.layout,
            spec.activation(),
            theta,
            x,
            fwd,
            fb,
            bwd,
            dOut,
            p.lossAt,
            new double[p.layout.size()],
            null);
    for (int i = 0; i < theta.length; i++) {
      String m =
          coordinate(
              p,
              ref,
              fwd,
              theta,
              x,
              h0,
              dOut,
              theta,
              i,
              bwd.grads()[i],
              bb.grads()[i],
              "d" + RnnHarness.layoutIndex(p.layout).name(i).substring(1),
              checked);
      if (m != null) {
        return p + ": " + m;
      }
    }
    for (int i = 0; i < h0.length; i++) {
      String m =
          coordinate(
              p,
              ref,
              fwd,
              theta,
              x,
              h0,
              dOut,
              h0,
              i,
              bwd.dh0()[i],
              bb.dh0()[i],
              "dh0" + RnnHarness.stepIndex(0, p.batch, p.layout.hiddenSize()).name(i),
              checked);
      if (m != null) {
        return p + ": " + m;
      }
    }
    return null;
  }

  /** Finite differences in coordinate i of {@code var} (theta or h0), restored afterwards. */
  private static String coordinate(
      RnnProblem p,
      NaiveRnn ref,
      NaiveRnn.Forward base,
      double[] theta,
      double[] x,
      double[] h0,
      double[] dOut,
      double[] var,
      int i,
      double gRef,
      double rhoG,
      String name,
      AtomicInteger checked) {
    double v = var[i];
    double[] dk = new double[KS.length], rk = new double[KS.length];
    boolean smooth = true;
    for (int j = 0; j < KS.length; j++) {
      double step = KS[j] * EPS;
      var[i] = v + step;
      Eval plus = eval(p, ref, theta, x, h0, dOut);
      var[i] = v - step;
      Eval minus = eval(p, ref, theta, x, h0, dOut);
      var[i] = v;
      smooth &= samePattern(base, plus.fwd()) && samePattern(base, minus.fwd());
      dk[j] = (plus.loss() - minus.loss()) / (2 * step);
      rk[j] = (plus.eta() + minus.eta()) / (2 * step) + UD * Math.abs(dk[j]);
    }
    if (p.spec.activation() == Activation.RELU && !smooth) {
      return null;
    }
    checked.incrementAndGet();
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
    if (!(diff <= tol * RnnBounds.SLACK)) {
      return name
          + ": reference backward="
          + gRef
          + " finite differences="
          + r2
          + " (D_1="
          + dk[0]
          + ") |diff|="
          + diff
          + " > tol="
          + tol;
    }
    return null;
  }

  /** A loss value, its rounding bound η against exact arithmetic, and the forward pass. */
  private record Eval(double loss, double eta, NaiveRnn.Forward fwd) {}

  private static Eval eval(
      RnnProblem p, NaiveRnn ref, double[] theta, double[] x, double[] h0, double[] dOut) {
    NaiveRnn.Forward f = ref.forward(theta, p.steps, p.batch, x, h0);
    double loss = ref.loss(f, dOut, p.lossAt);
    RnnBounds exact = RnnBounds.referenceVsExact();
    RnnBounds.Forward fb = exact.forward(p.layout, p.spec.activation(), theta, x, f);
    boolean readout = p.layout.hasReadout();
    int w = p.layout.stepOutputSize(), hs = p.layout.hiddenSize();
    double prop = 0, mag = 0;
    int n = 0;
    for (int t = 1; t <= p.steps; t++) {
      if (!p.hasLoss(t)) {
        continue;
      }
      for (int b = 0; b < p.batch; b++) {
        int row = ((t - 1) * p.batch + b) * w, outRow = readout ? row : (t * p.batch + b) * hs;
        double[] out = readout ? f.y() : f.h(), err = readout ? fb.y() : fb.h();
        for (int k = 0; k < w; k++) {
          double c = Math.abs(dOut[row + k]);
          prop += c * err[outRow + k];
          mag += c * (Math.abs(out[outRow + k]) + err[outRow + k]);
          n++;
        }
      }
    }
    return new Eval(loss, prop + exact.gamma(Math.max(n, 1)) * mag, f);
  }

  /** True if every pre-activation has the same sign (z &gt; 0) in both passes. */
  private static boolean samePattern(NaiveRnn.Forward a, NaiveRnn.Forward b) {
    for (int i = 0; i < a.z().length; i++) {
      if ((a.z()[i] > 0) != (b.z()[i] > 0)) {
        return false;
      }
    }
    return true;
  }
}
