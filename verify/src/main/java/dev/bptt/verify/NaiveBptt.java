package dev.bptt.verify;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.RnnLayout;

/**
 * Double-precision reference of the BPTT gradient of an Elman RNN, written loss by loss: the loss
 * at step s sends back its own chain
 *
 * <pre>
 *   δ⁽ˢ⁾_s = g_s ⊙ φ′(h_s),   δ⁽ˢ⁾_t = flow[t]·(δ⁽ˢ⁾_{t+1}·W_hh) ⊙ φ′(h_t)   for t = s−1 … max(1, s − reach + 1),
 * </pre>
 *
 * with g_s = dy_s·W_hy (readout) or dOut_s, and reaches h_0 (dh0 += flow[0]·δ⁽ˢ⁾_1·W_hh) when its
 * chain covers step 1. Then Δ_t = Σ_s δ⁽ˢ⁾_t and dW_hh = Σ Δ_t·h_{t−1}ᵀ, dW_xh = Σ Δ_t·x_tᵀ, db_h =
 * Σ Δ_t, dW_hy = Σ_{loss t} dy_t·h_tᵀ, db_y = Σ dy_t (over the batch too). {@code reach ≥ T} and no
 * flow is full BPTT; {@code reach = τ} is fixed truncation; a flow of zeros and 1/(1 − c_t) is
 * ARTBP. Quadratic in T on purpose: nothing is shared between losses, so it checks the strategies'
 * bookkeeping, not just their algebra.
 *
 * <p>It backpropagates through given float states h_0..h_T (the kernel's own forward pass), so a
 * comparison checks the backward pass alone. Alongside each value it sums the same terms in
 * absolute value (φ′ replaced by the magnitude its float evaluation is accurate to), which {@link
 * Result#check} turns into the derived bound of {@link Tolerance#bound}.
 */
public final class NaiveBptt {
  private NaiveBptt() {}

  /**
   * Reference gradients (flat, {@link RnnLayout} order), ∂L/∂h_0, and their magnitudes.
   *
   * @param grads reference gradients
   * @param gradMagnitude Σ|terms| of each gradient
   * @param dh0 reference ∂L/∂h_0 [B][H]
   * @param dh0Magnitude Σ|terms| of each
   * @param depth the most roundings any term passes through in the kernels
   * @param underflows a bound on the number of roundings that may underflow
   */
  public record Result(
      double[] grads,
      double[] gradMagnitude,
      double[] dh0,
      double[] dh0Magnitude,
      long depth,
      double underflows) {

    /**
     * Null if every gradient (and dh0 when given) is within {@link Tolerance#bound} of the
     * reference, else a message naming the first coordinate that is not.
     */
    public String check(String what, float[] kernelGrads, float[] kernelDh0) {
      String m = check(what + " grads", kernelGrads, grads, gradMagnitude);
      return m != null || kernelDh0 == null
          ? m
          : check(what + " dh0", kernelDh0, dh0, dh0Magnitude);
    }

    private String check(String what, float[] got, double[] exp, double[] mag) {
      for (int p = 0; p < exp.length; p++) {
        double bound = Tolerance.bound(depth, mag[p], underflows);
        double err = Math.abs(got[p] - exp[p]);
        if (!(err <= bound)) {
          return what
              + "["
              + p
              + "]: got "
              + got[p]
              + ", expected "
              + exp[p]
              + ", |error| "
              + err
              + " > bound "
              + bound;
        }
      }
      return null;
    }
  }

  /**
   * @param layout the parameter layout (D, H, O)
   * @param act φ
   * @param params flat parameters
   * @param steps T
   * @param batch B
   * @param x inputs [T][B][D] at xOff
   * @param hs states h_0..h_T [T+1][B][H] at hsOff
   * @param dOut upstream gradients [T][B][O′] at dOutOff
   * @param lossAt loss steps (index t−1), or null for all
   * @param flow factor of the flow into step t at flow[t] (t = 0..T−1), or null for ones
   * @param reach steps each loss's chain covers (≥ T: all)
   */
  public static Result backward(
      RnnLayout layout,
      Activation act,
      float[] params,
      int steps,
      int batch,
      float[] x,
      int xOff,
      float[] hs,
      int hsOff,
      float[] dOut,
      int dOutOff,
      boolean[] lossAt,
      float[] flow,
      int reach) {
    final int d = layout.inputSize(),
        h = layout.hiddenSize(),
        o = layout.outputSize(),
        bh = batch * h;
    final int outW = layout.stepOutputSize();
    final int whh = layout.offWhh(), why = layout.offWhy();
    double[] delta = new double[steps * bh], deltaMag = new double[steps * bh];
    double[] dh0 = new double[bh], dh0Mag = new double[bh];
    double[] v = new double[h], vm = new double[h], prev = new double[h], prevM = new double[h];
    for (int s = 1; s <= steps; s++) {
      if (lossAt != null && !lossAt[s - 1]) {
        continue;
      }
      int lo = Math.max(1, s - reach + 1);
      for (int b = 0; b < batch; b++) {
        int dy = dOutOff + ((s - 1) * batch + b) * outW;
        for (int i = 0; i < h; i++) {
          if (o == 0) {
            prev[i] = dOut[dy + i];
            prevM[i] = Math.abs(dOut[dy + i]);
          } else {
            double g = 0, gm = 0;
            for (int k = 0; k < o; k++) {
              g += (double) dOut[dy + k] * params[why + k * h + i];
              gm += Math.abs((double) dOut[dy + k] * params[why + k * h + i]);
            }
            prev[i] = g;
            prevM[i] = gm;
          }
        }
        for (int t = s; t >= lo; t--) {
          int ht = hsOff + t * bh + b * h;
          for (int j = 0; j < h; j++) {
            if (t < s) {
              double f = flow == null ? 1 : flow[t], acc = 0, mag = 0;
              for (int i = 0; i < h; i++) {
                acc += prev[i] * params[whh + i * h + j];
                mag += prevM[i] * Math.abs(params[whh + i * h + j]);
              }
              v[j] = f * acc;
              vm[j] = Math.abs(f) * mag;
            } else {
              v[j] = prev[j];
              vm[j] = prevM[j];
            }
            v[j] *= derivative(act, hs[ht + j]);
            vm[j] *= derivativeMagnitude(act, hs[ht + j]);
            delta[(t - 1) * bh + b * h + j] += v[j];
            deltaMag[(t - 1) * bh + b * h + j] += vm[j];
          }
          System.arraycopy(v, 0, prev, 0, h);
          System.arraycopy(vm, 0, prevM, 0, h);
        }
        if (lo == 1) {
          double f = flow == null ? 1 : flow[0];
          for (int j = 0; j < h; j++) {
            double acc = 0, mag = 0;
            for (int i = 0; i < h; i++) {
              acc += prev[i] * params[whh + i * h + j];
              mag += prevM[i] * Math.abs(params[whh + i * h + j]);
            }
            dh0[b * h + j] += f * acc;
            dh0Mag[b * h + j] += Math.abs(f) * mag;
          }
        }
      }
    }
    double[] grads = new double[layout.size()], mag = new double[layout.size()];
    weightGradients(
        layout, steps, batch, x, xOff, hs, hsOff, dOut, dOutOff, lossAt, delta, deltaMag, grads,
        mag);
    long chain = Math.min(reach, steps);
    // Per chain step: one GEMM/gemv element with H products and a scaled operand (2H + 2, see
    // Tolerance.scaledProductSum) and φ′ (3); the external gradient (2O + 2); summing up to
    // `chain` chains (2 per axpy); the weight GEMMs over K = T·B rows (2TB + 2); dh0 (2H + 2).
    long depth =
        chain * (2L * h + 5) + 2 * chain + (2L * o + 2) + (2L * steps * batch + 2) + (2L * h + 2);
    double underflows = (double) steps * steps * batch * (h + o + d + 4);
    return new Result(grads, mag, dh0, dh0Mag, depth, underflows);
  }

  private static void weightGradients(
      RnnLayout layout,
      int steps,
      int batch,
      float[] x,
      int xOff,
      float[] hs,
      int hsOff,
      float[] dOut,
      int dOutOff,
      boolean[] lossAt,
      double[] delta,
      double[] deltaMag,
      double[] g,
      double[] m) {
    final int d = layout.inputSize(),
        h = layout.hiddenSize(),
        o = layout.outputSize(),
        bh = batch * h;
    final int wxh = layout.offWxh(), whh = layout.offWhh(), bhOff = layout.offBh();
    final int why = layout.offWhy(), by = layout.offBy();
    for (int t = 1; t <= steps; t++) {
      for (int b = 0; b < batch; b++) {
        int dt = (t - 1) * bh + b * h, hPrev = hsOff + (t - 1) * bh + b * h, hCur = hPrev + bh;
        int xt = xOff + ((t - 1) * batch + b) * d;
        for (int i = 0; i < h; i++) {
          double di = delta[dt + i], mi = deltaMag[dt + i];
          for (int j = 0; j < h; j++) {
            g[whh + i * h + j] += di * hs[hPrev + j];
            m[whh + i * h + j] += mi * Math.abs(hs[hPrev + j]);
          }
          for (int k = 0; k < d; k++) {
            g[wxh + i * d + k] += di * x[xt + k];
            m[wxh + i * d + k] += mi * Math.abs(x[xt + k]);
          }
          g[bhOff + i] += di;
          m[bhOff + i] += mi;
        }
        if (o > 0 && (lossAt == null || lossAt[t - 1])) {
          int dy = dOutOff + ((t - 1) * batch + b) * o;
          for (int k = 0; k < o; k++) {
            for (int i = 0; i < h; i++) {
              g[why + k * h + i] += (double) dOut[dy + k] * hs[hCur + i];
              m[why + k * h + i] += Math.abs((double) dOut[dy + k] * hs[hCur + i]);
            }
            g[by + k] += dOut[dy + k];
            m[by + k] += Math.abs(dOut[dy + k]);
          }
        }
      }
    }
  }

  /** φ′ written with the output h = φ(z), exactly. */
  public static double derivative(Activation act, float h) {
    double v = h;
    return switch (act) {
      case TANH -> 1 - v * v;
      case SIGMOID -> v * (1 - v);
      case RELU -> h > 0f ? 1 : 0;
      case IDENTITY -> 1;
    };
  }

  /**
   * What the float evaluation of φ′ is accurate to (see {@link Tolerance#tanhGrad}): tanh's 1 − h²
   * cancels as |h| → 1, so its rounding is relative to |1 − h²| + h²; the sigmoid's h·(1 − h) has
   * no cancellation; ReLU and identity are exact.
   */
  static double derivativeMagnitude(Activation act, float h) {
    double v = h;
    return switch (act) {
      case TANH -> Math.abs(1 - v * v) + v * v;
      case SIGMOID -> Math.abs(v * (1 - v));
      case RELU -> h > 0f ? 1 : 0;
      case IDENTITY -> 1;
    };
  }
}
