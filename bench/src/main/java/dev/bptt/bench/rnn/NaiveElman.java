package dev.bptt.bench.rnn;

/**
 * The baseline a user would write by hand: a tanh Elman RNN with per-step, per-element float loops
 * (no blocking, no SIMD, weight gradients accumulated per step). Same flat layout as {@code
 * dev.bptt.kernel.rnn.RnnLayout} without readout: W_xh H×D, W_hh H×H, b_h H.
 */
final class NaiveElman {
  private NaiveElman() {}

  /** hs[(T+1)·H] ← forward pass from h_0 = 0 (B = 1). */
  static void forward(int steps, int d, int h, float[] p, float[] x, float[] hs) {
    int whh = h * d, bh = whh + h * h;
    java.util.Arrays.fill(hs, 0, h, 0f);
    for (int t = 1; t <= steps; t++) {
      for (int i = 0; i < h; i++) {
        float z = p[bh + i];
        for (int j = 0; j < d; j++) {
          z += p[i * d + j] * x[(t - 1) * d + j];
        }
        for (int j = 0; j < h; j++) {
          z += p[whh + i * h + j] * hs[(t - 1) * h + j];
        }
        hs[t * h + i] = (float) Math.tanh(z);
      }
    }
  }

  /** grads += BPTT of L = Σ_t dOut_t·h_t; uses scratch dh, dz of H floats each. */
  static void backward(
      int steps,
      int d,
      int h,
      float[] p,
      float[] x,
      float[] hs,
      float[] dOut,
      float[] grads,
      float[] dh,
      float[] dz) {
    int whh = h * d, bh = whh + h * h;
    java.util.Arrays.fill(dh, 0f);
    for (int t = steps; t >= 1; t--) {
      for (int i = 0; i < h; i++) {
        float hv = hs[t * h + i];
        dz[i] = (dh[i] + dOut[(t - 1) * h + i]) * (1f - hv * hv);
      }
      for (int i = 0; i < h; i++) {
        grads[bh + i] += dz[i];
        for (int j = 0; j < d; j++) {
          grads[i * d + j] += dz[i] * x[(t - 1) * d + j];
        }
        for (int j = 0; j < h; j++) {
          grads[whh + i * h + j] += dz[i] * hs[(t - 1) * h + j];
        }
      }
      for (int j = 0; j < h; j++) {
        float s = 0f;
        for (int i = 0; i < h; i++) {
          s += p[whh + i * h + j] * dz[i];
        }
        dh[j] = s;
      }
    }
  }
}
