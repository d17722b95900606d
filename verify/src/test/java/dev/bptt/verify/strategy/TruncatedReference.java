package dev.bptt.verify.strategy;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.verify.NaiveBptt;
import dev.bptt.verify.Tolerance;

/**
 * The per-step quantities behind the traces, in double, loss by loss exactly as {@link NaiveBptt}
 * forms them (each loss s sends its own chain back through steps s..max(1, s − reach + 1)): ∂L/∂h_t
 * = Σ_s of the chains' gradient reaching h_t before the local derivative, and δ_t = Σ_s of the
 * chains' δ after it, with Σ|terms| of each entry. Reach ≥ T is full BPTT, reach = τ fixed
 * truncation.
 *
 * <p>{@link #traceBound} turns them into the bound on a float trace ‖·‖₂ from the same rounding
 * model as {@link Tolerance#bound}: every entry ê_i of the kernel's vector is within e_i =
 * bound(depth, Σ|terms|_i, underflows) of the reference (depth as {@link NaiveBptt} counts it for
 * δ: per chain step 2H + 5, summing up to reach chains 2 per chain, the external gradient 2O + 2),
 * so |‖ê‖ − ‖e‖| ≤ ‖(e_i)‖₂ by the triangle inequality; the kernel's norm (float sum of n = B·H
 * squares, any order, depth n, redone in double when squares may have flushed; a square root in
 * double; one rounding to float) adds at most γ_{n+2}·‖ê‖.
 */
final class TruncatedReference {
  /** ∂L/∂h_t and δ_t [T][B][H] (index (t − 1)·B·H), with their magnitudes. */
  final double[] dh;

  final double[] dhMag;
  final double[] delta;
  final double[] deltaMag;
  final long depth;
  final double underflows;
  private final int bh;

  TruncatedReference(RnnCase c, float[] hs, int reach) {
    int steps = c.steps, batch = c.batch, h = c.layout.hiddenSize(), o = c.layout.outputSize();
    int outW = c.layout.stepOutputSize(), whh = c.layout.offWhh(), why = c.layout.offWhy();
    float[] params = c.params, dOut = c.dOut;
    Activation act = c.act;
    this.bh = batch * h;
    dh = new double[steps * bh];
    dhMag = new double[steps * bh];
    delta = new double[steps * bh];
    deltaMag = new double[steps * bh];
    double[] v = new double[h], vm = new double[h], prev = new double[h], prevM = new double[h];
    for (int s = 1; s <= steps; s++) {
      if (c.lossAt != null && !c.lossAt[s - 1]) {
        continue;
      }
      int lo = Math.max(1, s - reach + 1);
      for (int b = 0; b < batch; b++) {
        int dy = ((s - 1) * batch + b) * outW;
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
          int ht = t * bh + b * h, at = (t - 1) * bh + b * h;
          for (int j = 0; j < h; j++) {
            if (t < s) {
              double acc = 0, mag = 0;
              for (int i = 0; i < h; i++) {
                acc += prev[i] * params[whh + i * h + j];
                mag += prevM[i] * Math.abs(params[whh + i * h + j]);
              }
              v[j] = acc;
              vm[j] = mag;
            } else {
              v[j] = prev[j];
              vm[j] = prevM[j];
            }
            dh[at + j] += v[j];
            dhMag[at + j] += vm[j];
            v[j] *= NaiveBptt.derivative(act, hs[ht + j]);
            vm[j] *= derivativeMagnitude(act, hs[ht + j]);
            delta[at + j] += v[j];
            deltaMag[at + j] += vm[j];
          }
          System.arraycopy(v, 0, prev, 0, h);
          System.arraycopy(vm, 0, prevM, 0, h);
        }
      }
    }
    long chain = Math.min(reach, steps);
    this.depth = chain * (2L * h + 5) + 2 * chain + (2L * o + 2);
    this.underflows = (double) steps * steps * batch * (h + o + c.layout.inputSize() + 4);
  }

  /** ‖v_t‖₂ of one step's block of {@code v} (dh or delta), 1 ≤ t ≤ T. */
  double norm(double[] v, int t) {
    double s = 0;
    for (int i = 0; i < bh; i++) {
      double e = v[(t - 1) * bh + i];
      s += e * e;
    }
    return Math.sqrt(s);
  }

  /** The bound on |trace_t − ‖v_t‖| for the reference v (dh or delta) and its magnitudes. */
  double traceBound(double[] v, double[] mag, int t) {
    double errSq = 0;
    for (int i = 0; i < bh; i++) {
      double e = Tolerance.bound(depth, mag[(t - 1) * bh + i], underflows);
      errSq += e * e;
    }
    double err = Math.sqrt(errSq) * (1 + Tolerance.gammaDouble(bh + 2));
    return err
        + Tolerance.gamma(bh + 2L) * (norm(v, t) + err)
        + Tolerance.gammaDouble(bh + 2L) * norm(v, t);
  }

  /** As {@code NaiveBptt.derivativeMagnitude}: what the float evaluation of φ′ is accurate to. */
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
