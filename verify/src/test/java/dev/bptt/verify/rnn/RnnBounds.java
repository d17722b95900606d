package dev.bptt.verify.rnn;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.verify.NaiveRnn;

/**
 * Componentwise rounding-error bounds between two evaluations of the same Elman RNN, computed
 * alongside the double reference as running bounds. Nothing here is tuned: every term below is a
 * standard forward-error bound.
 *
 * <h2>Model</h2>
 *
 * Each floating-point operation obeys fl(a ∘ b) = (a ∘ b)(1 + ε) + η with |ε| ≤ u and an underflow
 * term |η| ≤ η₀ (2^-150 for float products; additions underflow exactly). For a sum of n products
 * (or terms), in ANY order and with or without FMA, Higham (Accuracy and Stability, §3.1) gives
 * |fl(Σ a_k b_k) − Σ a_k b_k| ≤ γ_n·Σ|a_k||b_k| with γ_n = n·u/(1 − n·u), because every term passes
 * through at most n roundings. Blocked GEMMs (partial sums added to C block by block), gemv row
 * dots with 4 accumulators, axpy row sums: all are summation trees, so only the term count n
 * matters. α = β = 1 in every kernel call, which is exact.
 *
 * <p>Two evaluations are compared: the kernel in float (u_f = 2^-24) and the reference in double
 * (u_d = 2^-53). Both err from the exact map on their own inputs; the two errors add, and since
 * γ_n(u_f) + γ_n(u_d) ≤ γ_n(u_f + u_d) (x/(1−x) is convex and 0 at 0), every bound uses γ_n with U
 * = u_f + u_d. {@link #referenceVsExact()} sets u_f = 0 and bounds the double reference against
 * exact arithmetic (the finite-difference check needs that).
 *
 * <h2>Activation</h2>
 *
 * The kernel's φ is within 1 ulp of φ(z̃) for tanh (SVML HA via the Vector API, or (float)
 * Math.tanh: ≤ 0.5 ulp + 2.5 double ulps), and 1 ulp ≤ 2u_f·|y| for a normal float y, so its
 * relative error is 2u_f; the sigmoid 1/(1 + exp(−z)) has exp within 1 ulp (2u_f), one add and one
 * divide: relative (1+ε₃)/((1+ε₁′)(1+ε₂)) − 1 ≤ γ_4(u_f). Math.tanh is within 2.5 double ulps
 * (5u_d), the double sigmoid within γ_4(u_d); ReLU and identity are exact. An absolute 2^-126
 * covers underflow (σ(z) when exp(−z) overflows, subnormal tanh).
 *
 * <h2>Forward (E_t bounds |h̃_t − ĥ_t|, kernel h̃ against reference ĥ)</h2>
 *
 * E_0 = 0 (h_0 is copied exactly). With K = D + H + 1 terms (b_h, D input products, H recurrent
 * products) and mean-value theorem on φ over [ẑ − Ez, ẑ + Ez]:
 *
 * <pre>
 *   Ez_t = |W_hh|·E_{t−1} + γ_K·(|b_h| + |W_xh|·|x_t| + |W_hh|·(|ĥ_{t−1}| + E_{t−1})) + K·η₀
 *   E_t  = L_t·Ez_t·(1 + a) + a·|ĥ_t|·(1 + a) + 2^-126
 * </pre>
 *
 * where a is the summed relative activation error above and L_t = max |φ′| over the interval: 1 −
 * tanh²(max(0, |ẑ| − Ez)) for tanh, σ′(max(0, |ẑ| − Ez)) for the sigmoid, [ẑ + Ez &gt; 0] for ReLU
 * (both sides clamp to 0 otherwise), 1 for identity. The readout (K = H + 1): |ỹ − ŷ| ≤ |W_hy|·E_t
 * + γ_{H+1}·(|b_y| + |W_hy|·(|ĥ_t| + E_t)) + (H+1)·η₀.
 *
 * <h2>Backward (Dg bounds ∂L/∂h_t, Dδ bounds δ_t)</h2>
 *
 * ∂L/∂h_t is the sum of O products dy·W_hy (or the exact dOut when O = 0) and H products
 * W_hhᵀ·δ_{t+1}: K = O + H + 1 terms,
 *
 * <pre>
 *   Dg_t = |W_hh|ᵀ·Dδ_{t+1} + γ_K·(ext_t + |W_hh|ᵀ·(|δ̂_{t+1}| + Dδ_{t+1})) + K·η₀
 *   Dδ_t = Dg_t·(|p̂| + P) + |ĝ_t|·P + γ_1·(|ĝ_t| + Dg_t)·(|p̂| + P) + η₀
 * </pre>
 *
 * with ext_t = |W_hy|ᵀ·|dy_t| (or |dOut_t|) at loss steps and 0 elsewhere, p̂ = φ′(ĥ_t) the
 * reference derivative, and P ≥ |p̃ − p̂| the derivative difference: tanh 1 − h² moves by |h̃ +
 * ĥ|·|h̃ − ĥ| ≤ (2|ĥ| + E)·E plus its rounding γ_2·(|1 − h̃²| + h̃²) = γ_2 (|h̃| ≤ 1); sigmoid h(1
 * − h) by |1 − h̃ − ĥ|·E ≤ (|1 − 2ĥ| + E)·E plus γ_2·h̃(1 − h̃) ≤ γ_2/4; ReLU's [h &gt; 0] can flip
 * only where |ẑ| ≤ Ez (then P = 1, else 0); identity P = 0. For ReLU the kernel's branch is
 * observable: its derivative is [h̃ &gt; 0] of the h̃ it stored (checked against ĥ within E on its
 * own), so when the kernel's hidden states are given, P = 1 exactly where [h̃ &gt; 0] ≠ [ĥ &gt; 0]
 * and 0 elsewhere, instead of 1 on every element that merely could have flipped.
 *
 * <h2>Weight gradients (K = T·B products plus the prior gradient G₀)</h2>
 *
 * <pre>
 *   dW_hh: Σ_{t,b} (Dδ_t·|ĥ_{t−1}| + (|δ̂_t| + Dδ_t)·E_{t−1}) + γ_{TB+1}·(|G₀| + Σ (|δ̂_t| + Dδ_t)(|ĥ_{t−1}| + E_{t−1}))
 *   dW_xh: Σ Dδ_t·|x_t| + γ_{TB+1}·(|G₀| + Σ (|δ̂_t| + Dδ_t)·|x_t|)
 *   db_h:  Σ Dδ_t + γ_{TB+1}·(|G₀| + Σ (|δ̂_t| + Dδ_t))
 *   dW_hy: Σ_{loss t,b} |dy_t|·E_t + γ_{K'+1}·(|G₀| + Σ |dy_t|·(|ĥ_t| + E_t)),  K' = (#loss steps)·B
 *   db_y:  γ_{K'+1}·(|G₀| + Σ |dy_t|)
 *   ∂L/∂h_0: |W_hh|ᵀ·Dδ_1 + γ_H·|W_hh|ᵀ·(|δ̂_1| + Dδ_1)
 * </pre>
 *
 * plus (K+1)·η₀ each. The reference's own per-step accumulation order and the test's G₀ + Ĝ
 * addition are covered by the u_d part of γ.
 *
 * <h2>Traces</h2>
 *
 * |‖g̃‖ − ‖ĝ‖| ≤ ‖g̃ − ĝ‖ ≤ ‖Dg‖₂ (triangle inequality); the kernel's float sum of B·H squares
 * (relative γ_{BH}, it redoes it in double when underflow could matter), the square root and the
 * final float rounding add γ_{BH+3}·(‖ĝ‖ + ‖Dg‖), and η₀ for a final rounding into the subnormal
 * range (gradients vanish that far over long sequences). Same for δ.
 *
 * <p>All bounds are evaluated in double from non-negative terms, so their own relative rounding is
 * below γ_{T(H+D+O)}(u_d) ≈ 1e-12; {@link #SLACK} absorbs it.
 */
final class RnnBounds {
  static final double U_FLOAT = 0x1p-24;
  static final double U_DOUBLE = 0x1p-53;

  /** Relative rounding of the bound's own double evaluation (see class comment). */
  static final double SLACK = 1 + 0x1p-30;

  private final double u;
  private final double eta;
  private final double actAbs;
  private final boolean kernel;

  private RnnBounds(double u, double eta, double actAbs, boolean kernel) {
    this.u = u;
    this.eta = eta;
    this.actAbs = actAbs;
    this.kernel = kernel;
  }

  /** Float kernel against the double reference. */
  static RnnBounds kernelVsReference() {
    return new RnnBounds(U_FLOAT + U_DOUBLE, 0x1p-149, 0x1p-126, true);
  }

  /** Double reference against exact arithmetic. */
  static RnnBounds referenceVsExact() {
    return new RnnBounds(U_DOUBLE, Double.MIN_VALUE, Double.MIN_NORMAL, false);
  }

  /** γ_n = n·U/(1 − n·U). */
  double gamma(int n) {
    double nu = n * u;
    if (nu >= 1) {
      throw new IllegalStateException("gamma_" + n + " undefined for u=" + u);
    }
    return nu / (1 - nu);
  }

  /** Relative error of φ: kernel part (2u_f tanh, γ_4(u_f) sigmoid) plus the reference part. */
  double activationRel(Activation a) {
    double ud = U_DOUBLE, uf = U_FLOAT;
    return switch (a) {
      case TANH -> (kernel ? 2 * uf : 0) + 5 * ud;
      case SIGMOID -> (kernel ? 4 * uf / (1 - 4 * uf) : 0) + 5 * ud;
      case RELU, IDENTITY -> 0;
    };
  }

  /**
   * @param z bounds |z̃_t − ẑ_t| [T][B][H] (pre-activations)
   * @param h bounds |h̃_t − ĥ_t| [T+1][B][H] (0 at t = 0)
   * @param y bounds |ỹ_t − ŷ_t| [T][B][O]
   */
  record Forward(double[] z, double[] h, double[] y) {}

  /**
   * @param dh bounds on ∂L/∂h_t [T][B][H]
   * @param delta bounds on δ_t [T][B][H]
   * @param grads bounds on the accumulated gradients, in the layout
   * @param gradsPropagated the part of {@code grads} inherited from the errors in δ and h (the rest
   *     is the γ_{K+1} rounding of the final K-term sum itself)
   * @param dh0 bounds on ∂L/∂h_0 [B][H]
   * @param traceDh bounds on the trace ‖∂L/∂h_t‖ [T]
   * @param traceDelta bounds on the trace ‖δ_t‖ [T]
   */
  record Backward(
      double[] dh,
      double[] delta,
      double[] grads,
      double[] gradsPropagated,
      double[] dh0,
      double[] traceDh,
      double[] traceDelta) {}

  /** Forward bounds for the reference pass {@code ref} of {@code params} on {@code x}. */
  Forward forward(
      RnnLayout layout, Activation act, double[] params, double[] x, NaiveRnn.Forward ref) {
    final int steps = ref.steps(), batch = ref.batch();
    final int d = layout.inputSize(), hs = layout.hiddenSize(), o = layout.outputSize();
    final int wxh = layout.offWxh(), whh = layout.offWhh(), bh = layout.offBh();
    final int why = layout.offWhy(), by = layout.offBy();
    final double gk = gamma(d + hs + 1), gy = gamma(hs + 1), a = activationRel(act);
    final double[] h = ref.h(), z = ref.z();
    double[] ez = new double[steps * batch * hs];
    double[] eh = new double[(steps + 1) * batch * hs];
    double[] ey = new double[steps * batch * o];
    for (int t = 1; t <= steps; t++) {
      for (int b = 0; b < batch; b++) {
        int prevRow = ((t - 1) * batch + b) * hs, curRow = (t * batch + b) * hs;
        int xRow = ((t - 1) * batch + b) * d;
        for (int i = 0; i < hs; i++) {
          double mag = Math.abs(params[bh + i]), prop = 0;
          for (int j = 0; j < d; j++) {
            mag += Math.abs(params[wxh + i * d + j]) * Math.abs(x[xRow + j]);
          }
          for (int k = 0; k < hs; k++) {
            double w = Math.abs(params[whh + i * hs + k]);
            prop += w * eh[prevRow + k];
            mag += w * (Math.abs(h[prevRow + k]) + eh[prevRow + k]);
          }
          double errZ = prop + gk * mag + (d + hs + 1) * eta;
          double lip = localLipschitz(act, z[prevRow + i], errZ);
          ez[prevRow + i] = errZ;
          eh[curRow + i] =
              lip * errZ * (1 + a) + a * Math.abs(h[curRow + i]) * (1 + a) + (a > 0 ? actAbs : 0);
        }
        for (int k = 0; k < o; k++) {
          double mag = Math.abs(params[by + k]), prop = 0;
          for (int i = 0; i < hs; i++) {
            double w = Math.abs(params[why + k * hs + i]);
            prop += w * eh[curRow + i];
            mag += w * (Math.abs(h[curRow + i]) + eh[curRow + i]);
          }
          ey[((t - 1) * batch + b) * o + k] = prop + gy * mag + (hs + 1) * eta;
        }
      }
    }
    return new Forward(ez, eh, ey);
  }

  /** max |φ′(ξ)| over |ξ − z| ≤ err (mean-value theorem on φ). */
  static double localLipschitz(Activation act, double z, double err) {
    double m = Math.max(0, Math.abs(z) - err);
    return switch (act) {
      case TANH -> {
        double t = Math.tanh(m);
        yield 1 - t * t;
      }
      case SIGMOID -> {
        double s = 1 / (1 + Math.exp(-m));
        yield s * (1 - s);
      }
      case RELU -> z + err > 0 ? 1 : 0;
      case IDENTITY -> 1;
    };
  }

  /**
   * P ≥ |p̃ − p̂|: the derivative-from-output difference (see class comment).
   *
   * @param taken the kernel's stored h̃ for this element, or NaN when unknown
   */
  double derivativeDiff(Activation act, double h, double eh, double z, double ez, double taken) {
    return switch (act) {
      case TANH -> (2 * Math.abs(h) + eh) * eh + gamma(2);
      case SIGMOID -> (Math.abs(1 - 2 * h) + eh) * eh + gamma(2) / 4;
      case RELU ->
          Double.isNaN(taken) ? (Math.abs(z) <= ez ? 1 : 0) : ((taken > 0) != (h > 0) ? 1 : 0);
      case IDENTITY -> 0;
    };
  }

  /**
   * Backward bounds for the reference backward {@code ref}.
   *
   * @param g0Abs |G₀|, the magnitudes of the gradients accumulated into (layout order)
   * @param taken the kernel's hidden states [T+1][B][H] (its ReLU branches), or null
   */
  Backward backward(
      RnnLayout layout,
      Activation act,
      double[] params,
      double[] x,
      NaiveRnn.Forward fref,
      Forward fb,
      NaiveRnn.Backward ref,
      double[] dOut,
      boolean[] lossAt,
      double[] g0Abs,
      float[] taken) {
    final int steps = fref.steps(), batch = fref.batch();
    final int d = layout.inputSize(), hs = layout.hiddenSize(), o = layout.outputSize();
    final int wxh = layout.offWxh(), whh = layout.offWhh(), bh = layout.offBh();
    final int why = layout.offWhy(), by = layout.offBy();
    final double[] h = fref.h(), z = fref.z(), eh = fb.h(), ez = fb.z();
    final double[] g = ref.dh(), delta = ref.delta();
    final int kg = o + hs + 1;
    final double gg = gamma(kg), g1 = gamma(1), gTrace = gamma(batch * hs + 3);
    double[] dg = new double[steps * batch * hs];
    double[] dd = new double[steps * batch * hs];
    double[] tDh = new double[steps];
    double[] tDelta = new double[steps];
    for (int t = steps; t >= 1; t--) {
      boolean loss = lossAt == null || lossAt[t - 1];
      double nDg = 0, nG = 0, nDd = 0, nD = 0;
      for (int b = 0; b < batch; b++) {
        int row = ((t - 1) * batch + b) * hs,
            nextRow = (t * batch + b) * hs,
            hRow = (t * batch + b) * hs;
        int dyRow = ((t - 1) * batch + b) * o;
        for (int i = 0; i < hs; i++) {
          double ext = 0, rec = 0, recErr = 0;
          if (loss) {
            if (o > 0) {
              for (int k = 0; k < o; k++) {
                ext += Math.abs(params[why + k * hs + i]) * Math.abs(dOut[dyRow + k]);
              }
            } else {
              ext = Math.abs(dOut[row + i]);
            }
          }
          if (t < steps) {
            for (int k = 0; k < hs; k++) {
              double w = Math.abs(params[whh + k * hs + i]);
              recErr += w * dd[nextRow + k];
              rec += w * (Math.abs(delta[nextRow + k]) + dd[nextRow + k]);
            }
          }
          double errG = recErr + gg * (ext + rec) + kg * eta;
          double p = Math.abs(NaiveRnn.phiPrime(act, h[hRow + i]));
          double pd =
              derivativeDiff(
                  act,
                  h[hRow + i],
                  eh[hRow + i],
                  z[row + i],
                  ez[row + i],
                  taken == null ? Double.NaN : taken[hRow + i]);
          double gAbs = Math.abs(g[row + i]);
          double errD = errG * (p + pd) + gAbs * pd + g1 * (gAbs + errG) * (p + pd) + eta;
          dg[row + i] = errG;
          dd[row + i] = errD;
          nDg += errG * errG;
          nG += g[row + i] * g[row + i];
          nDd += errD * errD;
          nD += delta[row + i] * delta[row + i];
        }
      }
      tDh[t - 1] = Math.sqrt(nDg) + gTrace * (Math.sqrt(nG) + Math.sqrt(nDg)) + eta;
      tDelta[t - 1] = Math.sqrt(nDd) + gTrace * (Math.sqrt(nD) + Math.sqrt(nDd)) + eta;
    }

    double[] eg = new double[layout.size()], egProp = new double[layout.size()];
    final int kw = steps * batch;
    final double gw = gamma(kw + 1);
    // dW_hh, dW_xh, db_h: the propagated part and the magnitude part, per element.
    for (int i = 0; i < hs; i++) {
      for (int k = 0; k < hs; k++) {
        double prop = 0, mag = 0;
        for (int t = 1; t <= steps; t++) {
          for (int b = 0; b < batch; b++) {
            int row = ((t - 1) * batch + b) * hs;
            double dAbs = Math.abs(delta[row + i]) + dd[row + i];
            prop += dd[row + i] * Math.abs(h[row + k]) + dAbs * eh[row + k];
            mag += dAbs * (Math.abs(h[row + k]) + eh[row + k]);
          }
        }
        egProp[whh + i * hs + k] = prop;
        eg[whh + i * hs + k] = prop + gw * (g0Abs[whh + i * hs + k] + mag) + (kw + 1) * eta;
      }
      for (int j = 0; j < d; j++) {
        double prop = 0, mag = 0;
        for (int r = 0; r < kw; r++) {
          double xa = Math.abs(x[r * d + j]);
          prop += dd[r * hs + i] * xa;
          mag += (Math.abs(delta[r * hs + i]) + dd[r * hs + i]) * xa;
        }
        egProp[wxh + i * d + j] = prop;
        eg[wxh + i * d + j] = prop + gw * (g0Abs[wxh + i * d + j] + mag) + (kw + 1) * eta;
      }
      double prop = 0, mag = 0;
      for (int r = 0; r < kw; r++) {
        prop += dd[r * hs + i];
        mag += Math.abs(delta[r * hs + i]) + dd[r * hs + i];
      }
      egProp[bh + i] = prop;
      eg[bh + i] = prop + gw * (g0Abs[bh + i] + mag) + (kw + 1) * eta;
    }
    if (o > 0) {
      int lossRows = 0;
      for (int t = 1; t <= steps; t++) {
        lossRows += lossAt == null || lossAt[t - 1] ? batch : 0;
      }
      final double gy = gamma(lossRows + 1);
      for (int k = 0; k < o; k++) {
        double magB = 0;
        double[] prop = new double[hs], mag = new double[hs];
        for (int t = 1; t <= steps; t++) {
          if (lossAt != null && !lossAt[t - 1]) {
            continue;
          }
          for (int b = 0; b < batch; b++) {
            double dy = Math.abs(dOut[((t - 1) * batch + b) * o + k]);
            int hRow = (t * batch + b) * hs;
            magB += dy;
            for (int i = 0; i < hs; i++) {
              prop[i] += dy * eh[hRow + i];
              mag[i] += dy * (Math.abs(h[hRow + i]) + eh[hRow + i]);
            }
          }
        }
        for (int i = 0; i < hs; i++) {
          egProp[why + k * hs + i] = prop[i];
          eg[why + k * hs + i] =
              prop[i] + gy * (g0Abs[why + k * hs + i] + mag[i]) + (lossRows + 1) * eta;
        }
        eg[by + k] = gy * (g0Abs[by + k] + magB) + (lossRows + 1) * eta;
      }
    }
    double[] edh0 = new double[batch * hs];
    final double gh = gamma(hs);
    for (int b = 0; b < batch; b++) {
      for (int k = 0; k < hs; k++) {
        double prop = 0, mag = 0;
        for (int i = 0; i < hs; i++) {
          double w = Math.abs(params[whh + i * hs + k]);
          prop += w * dd[b * hs + i];
          mag += w * (Math.abs(delta[b * hs + i]) + dd[b * hs + i]);
        }
        edh0[b * hs + k] = prop + gh * mag + hs * eta;
      }
    }
    return new Backward(dg, dd, eg, egProp, edh0, tDh, tDelta);
  }
}
