package dev.bptt.verify.rnn;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.verify.Bits;
import dev.bptt.verify.NaiveRnn;
import dev.bptt.verify.rnn.RnnHarness.KernelResult;

/**
 * Step-local consistency of a kernel run, valid for ANY conditioning of W_hh: every output is
 * compared with the exact operation (in double) applied to the kernel's OWN stored inputs: h̃_t
 * from φ(W_xh·x_t + W_hh·h̃_{t−1} + b_h), δ̃_t from (ext_t + W_hhᵀ·δ̃_{t+1}) ⊙ φ′(h̃_t), the
 * gradients from the stored δ̃ and h̃, ∂L/∂h_0 from δ̃_1, the traces from the same sums.
 *
 * <p>Nothing propagates, so each bound is the one-operation bound of {@link RnnBounds} with E_{t−1}
 * = 0 and Dδ_{t+1} = 0: γ_K·Σ|terms| for a K-term sum, the activation's relative error and, through
 * the mean-value theorem, L·ez for φ of a perturbed argument; for δ̃ the derivative is the kernel's
 * own φ′(h̃_t), so only its rounding (γ_2 for tanh, γ_2/4 for the sigmoid, none for ReLU and
 * identity) enters. Where the global comparison with the reference must stay with well-conditioned
 * weights (its bound grows like ρ(|W_hh|)^T), this check shows that each step of the kernel is the
 * exact step up to rounding, for every T and every ρ(W_hh).
 */
final class RnnStepCheck {
  private RnnStepCheck() {}

  /**
   * First violation of a step-local bound in the kernel run k of p (accumulated into p.grads0), or
   * null.
   */
  static String check(RnnProblem p, KernelResult k) {
    RnnLayout l = p.layout;
    Activation act = p.spec.activation();
    RnnBounds u = RnnBounds.kernelVsReference();
    final int steps = p.steps,
        batch = p.batch,
        d = l.inputSize(),
        hs = l.hiddenSize(),
        o = l.outputSize();
    final int bh = batch * hs;
    final double[] w = p.paramsD(), x = p.xD(), dOut = p.dOutD();
    final int wxh = l.offWxh(), whh = l.offWhh(), bhOff = l.offBh();
    final int why = l.offWhy(), by = l.offBy();
    final float[] hidden = k.ws().hidden(), delta = k.ws().delta();
    final double eta = 0x1p-149, a = u.activationRel(act), actAbs = a > 0 ? 0x1p-126 : 0;

    // h_0 is copied (or zeroed) exactly.
    double[] h0 = p.h0 == null ? new double[bh] : p.h0D();
    String m =
        RnnHarness.within(
            "h_0", hidden, 0, h0, new double[bh], bh, RnnHarness.stepIndex(0, batch, hs));
    if (m != null) {
      return m;
    }
    // Forward, one step at a time from the kernel's h̃_{t−1}.
    double[] hExp = new double[steps * bh], hBound = new double[steps * bh];
    double[] yExp = new double[steps * batch * o], yBound = new double[steps * batch * o];
    final int kz = d + hs + 1;
    for (int t = 1; t <= steps; t++) {
      for (int b = 0; b < batch; b++) {
        int prev = ((t - 1) * batch + b) * hs, cur = prev + bh, xRow = ((t - 1) * batch + b) * d;
        for (int i = 0; i < hs; i++) {
          double z = w[bhOff + i], mag = Math.abs(z);
          for (int j = 0; j < d; j++) {
            z += w[wxh + i * d + j] * x[xRow + j];
            mag += Math.abs(w[wxh + i * d + j] * x[xRow + j]);
          }
          for (int c = 0; c < hs; c++) {
            z += w[whh + i * hs + c] * hidden[prev + c];
            mag += Math.abs(w[whh + i * hs + c] * hidden[prev + c]);
          }
          double ez = u.gamma(kz) * mag + kz * eta;
          double hLoc = NaiveRnn.phi(act, z);
          hExp[prev + i] = hLoc;
          hBound[prev + i] =
              RnnBounds.localLipschitz(act, z, ez) * ez * (1 + a)
                  + a * Math.abs(hLoc) * (1 + a)
                  + actAbs;
        }
        for (int c = 0; c < o; c++) {
          double y = w[by + c], mag = Math.abs(y);
          for (int i = 0; i < hs; i++) {
            y += w[why + c * hs + i] * hidden[cur + i];
            mag += Math.abs(w[why + c * hs + i] * hidden[cur + i]);
          }
          yExp[((t - 1) * batch + b) * o + c] = y;
          yBound[((t - 1) * batch + b) * o + c] = u.gamma(hs + 1) * mag + (hs + 1) * eta;
        }
      }
    }
    m =
        Bits.first(
            RnnHarness.within(
                "h (step-local)",
                hidden,
                bh,
                hExp,
                hBound,
                steps * bh,
                RnnHarness.stepIndex(1, batch, hs)),
            RnnHarness.within(
                "y (step-local)",
                k.ws().output(),
                0,
                yExp,
                yBound,
                steps * batch * o,
                RnnHarness.stepIndex(1, batch, o)));
    if (m != null) {
      return m;
    }

    // Backward, one step at a time from the kernel's δ̃_{t+1} and h̃_t.
    double[] dExp = new double[steps * bh], dBound = new double[steps * bh];
    double[] tDh = new double[steps],
        tDhBound = new double[steps],
        tDelta = new double[steps],
        tDeltaBound = new double[steps];
    final int kg = o + hs + 1;
    final double pRound =
        switch (act) {
          case TANH -> u.gamma(2);
          case SIGMOID -> u.gamma(2) / 4;
          case RELU, IDENTITY -> 0;
        };
    for (int t = steps; t >= 1; t--) {
      boolean loss = p.hasLoss(t);
      double nG = 0, nEg = 0, nD = 0;
      for (int b = 0; b < batch; b++) {
        int row = ((t - 1) * batch + b) * hs, next = row + bh, hRow = (t * batch + b) * hs;
        int dyRow = ((t - 1) * batch + b) * o;
        for (int i = 0; i < hs; i++) {
          double g = 0, mag = 0;
          if (loss && o > 0) {
            for (int c = 0; c < o; c++) {
              g += w[why + c * hs + i] * dOut[dyRow + c];
              mag += Math.abs(w[why + c * hs + i] * dOut[dyRow + c]);
            }
          } else if (loss) {
            g = dOut[row + i];
            mag = Math.abs(g);
          }
          if (t < steps) {
            for (int c = 0; c < hs; c++) {
              g += w[whh + c * hs + i] * delta[next + c];
              mag += Math.abs(w[whh + c * hs + i] * delta[next + c]);
            }
          }
          double eg = u.gamma(kg) * mag + kg * eta;
          double pd = Math.abs(NaiveRnn.phiPrime(act, hidden[hRow + i]));
          dExp[row + i] = g * NaiveRnn.phiPrime(act, hidden[hRow + i]);
          dBound[row + i] =
              eg * (pd + pRound)
                  + Math.abs(g) * pRound
                  + u.gamma(1) * (Math.abs(g) + eg) * (pd + pRound)
                  + eta;
          nG += g * g;
          nEg += eg * eg;
          nD += (double) delta[row + i] * delta[row + i];
        }
      }
      double gt = u.gamma(bh + 3);
      tDh[t - 1] = Math.sqrt(nG);
      // Plus 2^-149: the final rounding to float may land in the subnormal range.
      tDhBound[t - 1] = Math.sqrt(nEg) + gt * (Math.sqrt(nG) + Math.sqrt(nEg)) + eta;
      tDelta[t - 1] = Math.sqrt(nD);
      tDeltaBound[t - 1] = gt * Math.sqrt(nD) + eta;
    }
    RnnHarness.Index step = i -> "[t=" + (i + 1) + "]";
    m =
        Bits.first(
            RnnHarness.within(
                "delta (step-local)",
                delta,
                0,
                dExp,
                dBound,
                steps * bh,
                RnnHarness.stepIndex(1, batch, hs)),
            RnnHarness.within("traceDh (step-local)", k.traceDh(), 0, tDh, tDhBound, steps, step),
            RnnHarness.within(
                "traceDelta (step-local)", k.traceDelta(), 0, tDelta, tDeltaBound, steps, step));
    if (m != null) {
      return m;
    }

    // Gradients from the stored δ̃, h̃, x and dOut: K-term sums onto G₀.
    int n = l.size();
    double[] gExp = p.grads0D(), gBound = new double[n];
    for (int i = 0; i < n; i++) {
      gBound[i] = Math.abs(gExp[i]);
    }
    final int rows = steps * batch;
    for (int r = 0; r < rows; r++) {
      int dRow = r * hs, hPrev = r * hs, xRow = r * d;
      for (int i = 0; i < hs; i++) {
        double dv = delta[dRow + i];
        for (int c = 0; c < hs; c++) {
          gExp[whh + i * hs + c] += dv * hidden[hPrev + c];
          gBound[whh + i * hs + c] += Math.abs(dv * hidden[hPrev + c]);
        }
        for (int j = 0; j < d; j++) {
          gExp[wxh + i * d + j] += dv * x[xRow + j];
          gBound[wxh + i * d + j] += Math.abs(dv * x[xRow + j]);
        }
        gExp[bhOff + i] += dv;
        gBound[bhOff + i] += Math.abs(dv);
      }
    }
    int lossRows = 0;
    for (int t = 1; t <= steps; t++) {
      if (!p.hasLoss(t)) {
        continue;
      }
      for (int b = 0; b < batch; b++) {
        lossRows++;
        int dyRow = ((t - 1) * batch + b) * o, hRow = (t * batch + b) * hs;
        for (int c = 0; c < o; c++) {
          for (int i = 0; i < hs; i++) {
            gExp[why + c * hs + i] += dOut[dyRow + c] * hidden[hRow + i];
            gBound[why + c * hs + i] += Math.abs(dOut[dyRow + c] * hidden[hRow + i]);
          }
          gExp[by + c] += dOut[dyRow + c];
          gBound[by + c] += Math.abs(dOut[dyRow + c]);
        }
      }
    }
    for (int i = 0; i < n; i++) {
      boolean readout = i >= why;
      int kw = (readout ? lossRows : rows) + 1;
      gBound[i] = u.gamma(kw) * gBound[i] + kw * eta;
    }
    double[] dh0Exp = new double[bh], dh0Bound = new double[bh];
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < hs; c++) {
        double s = 0, mag = 0;
        for (int i = 0; i < hs; i++) {
          s += w[whh + i * hs + c] * delta[b * hs + i];
          mag += Math.abs(w[whh + i * hs + c] * delta[b * hs + i]);
        }
        dh0Exp[b * hs + c] = s;
        dh0Bound[b * hs + c] = u.gamma(hs) * mag + hs * eta;
      }
    }
    return Bits.first(
        RnnHarness.within(
            "grads (step-local)", k.grads(), 0, gExp, gBound, n, RnnHarness.layoutIndex(l)),
        RnnHarness.within(
            "dh0 (step-local)",
            k.dh0(),
            k.dh0Off(),
            dh0Exp,
            dh0Bound,
            bh,
            RnnHarness.stepIndex(0, batch, hs)));
  }
}
