package dev.bptt.verify;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.RnnLayout;
import java.util.Objects;

/**
 * Naive double-precision reference of the Elman RNN and its backpropagation through time, over the
 * same flat parameter layout as {@link dev.bptt.kernel.rnn.ElmanRnn} ({@link RnnLayout}):
 *
 * <pre>
 *   z_t = W_xh·x_t + W_hh·h_{t−1} + b_h,   h_t = φ(z_t),   y_t = W_hy·h_t + b_y   (t = 1..T)
 * </pre>
 *
 * Every quantity is computed element by element with plain loops in {@code double}, in the textbook
 * order (per step, per batch row, per unit), and every parameter gradient is accumulated per step
 * inside the backward loop, which is exactly what the kernel avoids (it defers them to GEMMs with K
 * = T·B). The two share no code and no summation order, so an agreement within a rounding-error
 * bound is evidence for both.
 *
 * <p>Arrays are flat and row-major like the kernel's: inputs [T][B][D], hidden states [T+1][B][H]
 * (h_0 first), pre-activations and deltas [T][B][H], outputs [T][B][O]. The upstream gradient
 * {@code dOut} is ∂L/∂y_t [T][B][O] with a readout and ∂L/∂h_t [T][B][H] without; only steps with
 * {@code lossAt[t−1]} (null: all) are read.
 */
public final class NaiveRnn {
  private final RnnLayout layout;
  private final Activation activation;

  /**
   * @param layout parameter layout (D, H, O)
   * @param activation φ
   */
  public NaiveRnn(RnnLayout layout, Activation activation) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.activation = Objects.requireNonNull(activation, "activation");
  }

  /**
   * The forward pass of T steps for B sequences.
   *
   * @param steps T
   * @param batch B
   * @param z pre-activations z_t [T][B][H] (step t at (t−1)·B·H)
   * @param h hidden states [T+1][B][H] (h_t at t·B·H)
   * @param y readout outputs [T][B][O] (y_t at (t−1)·B·O); empty without readout
   */
  public record Forward(int steps, int batch, double[] z, double[] h, double[] y) {}

  /**
   * The backward pass.
   *
   * @param grads gradient of L with respect to every parameter, in the layout
   * @param dh ∂L/∂h_t [T][B][H] (total: external plus recurrent, before φ′), step t at (t−1)·B·H
   * @param delta δ_t = ∂L/∂z_t [T][B][H], step t at (t−1)·B·H
   * @param dh0 ∂L/∂h_0 [B][H]
   * @param traceDh ‖∂L/∂h_t‖₂ (over the whole batch) at t−1
   * @param traceDelta ‖δ_t‖₂ at t−1
   */
  public record Backward(
      double[] grads,
      double[] dh,
      double[] delta,
      double[] dh0,
      double[] traceDh,
      double[] traceDelta) {}

  /** The layout. */
  public RnnLayout layout() {
    return layout;
  }

  /** φ. */
  public Activation activation() {
    return activation;
  }

  /**
   * Runs h_t = φ(W_xh·x_t + W_hh·h_{t−1} + b_h) and y_t = W_hy·h_t + b_y for t = 1..T.
   *
   * @param params flat parameters ({@link RnnLayout#size()} values)
   * @param steps T ≥ 1
   * @param batch B ≥ 1
   * @param x inputs [T][B][D]
   * @param h0 initial state [B][H], or null for zeros
   */
  public Forward forward(double[] params, int steps, int batch, double[] x, double[] h0) {
    final int d = layout.inputSize(), hs = layout.hiddenSize(), o = layout.outputSize();
    final int wxh = layout.offWxh(), whh = layout.offWhh(), bh = layout.offBh();
    final int why = layout.offWhy(), by = layout.offBy();
    double[] z = new double[steps * batch * hs];
    double[] h = new double[(steps + 1) * batch * hs];
    double[] y = new double[steps * batch * o];
    if (h0 != null) {
      System.arraycopy(h0, 0, h, 0, batch * hs);
    }
    for (int t = 1; t <= steps; t++) {
      for (int b = 0; b < batch; b++) {
        int xRow = ((t - 1) * batch + b) * d;
        int prevRow = ((t - 1) * batch + b) * hs;
        int curRow = (t * batch + b) * hs;
        for (int i = 0; i < hs; i++) {
          double s = params[bh + i];
          for (int j = 0; j < d; j++) {
            s += params[wxh + i * d + j] * x[xRow + j];
          }
          for (int k = 0; k < hs; k++) {
            s += params[whh + i * hs + k] * h[prevRow + k];
          }
          z[prevRow + i] = s; // z_t row (t−1)·B + b has the same index as h_{t−1}'s row
          h[curRow + i] = phi(activation, s);
        }
        for (int k = 0; k < o; k++) {
          double s = params[by + k];
          for (int i = 0; i < hs; i++) {
            s += params[why + k * hs + i] * h[curRow + i];
          }
          y[((t - 1) * batch + b) * o + k] = s;
        }
      }
    }
    return new Forward(steps, batch, z, h, y);
  }

  /**
   * Backpropagation through time from the upstream gradient {@code dOut}: for t = T..1
   *
   * <pre>
   *   ∂L/∂h_t = W_hyᵀ·dy_t (or dOut_t without readout, 0 where lossAt is false) + W_hhᵀ·δ_{t+1}
   *   δ_t = ∂L/∂h_t ⊙ φ′(h_t)
   *   dW_hh += δ_t·h_{t−1}ᵀ,  dW_xh += δ_t·x_tᵀ,  db_h += δ_t,  dW_hy += dy_t·h_tᵀ,  db_y += dy_t
   * </pre>
   *
   * summed over the batch, and ∂L/∂h_0 = W_hhᵀ·δ_1.
   *
   * @param params flat parameters
   * @param fwd the forward pass of these parameters and inputs
   * @param x inputs [T][B][D]
   * @param dOut ∂L/∂y_t [T][B][O] or ∂L/∂h_t [T][B][H]
   * @param lossAt steps that carry a loss (index t−1), or null for all
   */
  public Backward backward(
      double[] params, Forward fwd, double[] x, double[] dOut, boolean[] lossAt) {
    final int steps = fwd.steps(), batch = fwd.batch();
    final int d = layout.inputSize(), hs = layout.hiddenSize(), o = layout.outputSize();
    final int wxh = layout.offWxh(), whh = layout.offWhh(), bh = layout.offBh();
    final int why = layout.offWhy(), by = layout.offBy();
    final double[] h = fwd.h();
    double[] grads = new double[layout.size()];
    double[] dh = new double[steps * batch * hs];
    double[] delta = new double[steps * batch * hs];
    double[] dh0 = new double[batch * hs];
    double[] traceDh = new double[steps];
    double[] traceDelta = new double[steps];
    for (int t = steps; t >= 1; t--) {
      boolean loss = lossAt == null || lossAt[t - 1];
      double sumDh = 0, sumDelta = 0;
      for (int b = 0; b < batch; b++) {
        int row = ((t - 1) * batch + b) * hs; // δ_t, ∂L/∂h_t, z_t
        int nextRow = (t * batch + b) * hs; // δ_{t+1}
        int hRow = (t * batch + b) * hs; // h_t
        int prevRow = ((t - 1) * batch + b) * hs; // h_{t−1}
        int xRow = ((t - 1) * batch + b) * d;
        int dyRow = ((t - 1) * batch + b) * o;
        for (int i = 0; i < hs; i++) {
          double g = 0;
          if (loss) {
            if (o > 0) {
              for (int k = 0; k < o; k++) {
                g += params[why + k * hs + i] * dOut[dyRow + k];
              }
            } else {
              g = dOut[row + i];
            }
          }
          if (t < steps) {
            for (int k = 0; k < hs; k++) {
              g += params[whh + k * hs + i] * delta[nextRow + k];
            }
          }
          double dz = g * phiPrime(activation, h[hRow + i]);
          dh[row + i] = g;
          delta[row + i] = dz;
          sumDh += g * g;
          sumDelta += dz * dz;
        }
        // Parameter gradients accumulated per step (the kernel defers these to GEMMs).
        for (int i = 0; i < hs; i++) {
          double dz = delta[row + i];
          for (int k = 0; k < hs; k++) {
            grads[whh + i * hs + k] += dz * h[prevRow + k];
          }
          for (int j = 0; j < d; j++) {
            grads[wxh + i * d + j] += dz * x[xRow + j];
          }
          grads[bh + i] += dz;
        }
        if (loss) {
          for (int k = 0; k < o; k++) {
            double dy = dOut[dyRow + k];
            for (int i = 0; i < hs; i++) {
              grads[why + k * hs + i] += dy * h[hRow + i];
            }
            grads[by + k] += dy;
          }
        }
      }
      traceDh[t - 1] = Math.sqrt(sumDh);
      traceDelta[t - 1] = Math.sqrt(sumDelta);
    }
    for (int b = 0; b < batch; b++) {
      for (int k = 0; k < hs; k++) {
        double s = 0;
        for (int i = 0; i < hs; i++) {
          s += params[whh + i * hs + k] * delta[b * hs + i];
        }
        dh0[b * hs + k] = s;
      }
    }
    return new Backward(grads, dh, delta, dh0, traceDh, traceDelta);
  }

  /**
   * The linear loss L = Σ_{t with loss} Σ_b ⟨dOut_t,b, out_t,b⟩ whose gradient with respect to the
   * outputs (y_t, or h_t without readout) is {@code dOut} itself, so {@link #backward} with the
   * same {@code dOut} returns ∇L: the function the finite-difference check differentiates.
   */
  public double loss(Forward fwd, double[] dOut, boolean[] lossAt) {
    final int steps = fwd.steps(), batch = fwd.batch();
    final int w = layout.stepOutputSize(), hs = layout.hiddenSize();
    final boolean readout = layout.hasReadout();
    double s = 0;
    for (int t = 1; t <= steps; t++) {
      if (lossAt != null && !lossAt[t - 1]) {
        continue;
      }
      for (int b = 0; b < batch; b++) {
        int row = ((t - 1) * batch + b) * w;
        int outRow = readout ? row : (t * batch + b) * hs;
        double[] out = readout ? fwd.y() : fwd.h();
        for (int k = 0; k < w; k++) {
          s += dOut[row + k] * out[outRow + k];
        }
      }
    }
    return s;
  }

  /** {@link #loss(Forward, double[], boolean[])} of a fresh forward pass. */
  public double loss(
      double[] params,
      int steps,
      int batch,
      double[] x,
      double[] h0,
      double[] dOut,
      boolean[] lossAt) {
    return loss(forward(params, steps, batch, x, h0), dOut, lossAt);
  }

  /** φ(z) in double. */
  public static double phi(Activation a, double z) {
    return switch (a) {
      case TANH -> Math.tanh(z);
      case SIGMOID -> 1.0 / (1.0 + Math.exp(-z));
      case RELU -> z > 0 ? z : 0.0;
      case IDENTITY -> z;
    };
  }

  /** φ′ written with the output h = φ(z), as BPTT evaluates it: 1 − h², h(1 − h), [h &gt; 0], 1. */
  public static double phiPrime(Activation a, double h) {
    return switch (a) {
      case TANH -> 1.0 - h * h;
      case SIGMOID -> h * (1.0 - h);
      case RELU -> h > 0 ? 1.0 : 0.0;
      case IDENTITY -> 1.0;
    };
  }

  /** The n floats from {@code a[off..]} widened to double (exactly). */
  public static double[] toDouble(float[] a, int off, int n) {
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      r[i] = a[off + i];
    }
    return r;
  }
}
