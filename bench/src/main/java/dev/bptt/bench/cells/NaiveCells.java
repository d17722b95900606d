package dev.bptt.bench.cells;

import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.StackLayout;
import java.util.Arrays;

/**
 * The baseline a user would write by hand for {@code nn.RNN(tanh)}/{@code nn.GRU}/{@code nn.LSTM}
 * stacks: one sequence (B = 1) at a time, per step and per gate row a scalar float dot product over
 * the input and one over the previous state, scalar gate math, and backward per step the weight
 * gradients accumulated as rank-1 updates, δ·W_hh and (above layer 0) δ·W_ih as scalar loops. No
 * blocking, no SIMD, no batching across sequences. Parameters and gradients in the flat PyTorch
 * layout of {@link StackLayout}; buffers are allocated once here, so calls allocate nothing.
 *
 * <p>Equations (PyTorch's, as {@code dev.bptt.kernel.rnn.StackedRnn} documents them), per layer
 * with input x_t (the layer below's h_t above layer 0):
 *
 * <pre>
 *   a = W_ih·x_t + b_ih (input side), a′ = W_hh·h_{t−1} + b_hh (hidden side), per gate row
 *   ELMAN  h = tanh(a + a′)
 *   LSTM   i, f, o = σ(a + a′), g = tanh(a + a′); c = f⊙c_{t−1} + i⊙g; h = o⊙tanh(c)
 *   GRU    r, z = σ(a + a′); n = tanh(a_n + r⊙a′_n); h = (1 − z)⊙n + z⊙h_{t−1}
 * </pre>
 */
final class NaiveCells {
  private final StackLayout layout;
  private final CellType cell;
  private final int steps;
  private final int d;
  private final int h;
  private final int g;
  private final int layers;

  /** h of every layer [layers][(T+1)·H], h_0 = 0. */
  private final float[][] hs;

  /** c of every LSTM layer [layers][(T+1)·H], c_0 = 0. */
  private final float[][] cs;

  /** Activated gates of every layer [layers][T·G·H] (Elman: h). */
  private final float[][] act;

  /** GRU: the hidden-side candidate product W_hn·h_{t−1} + b_hn [layers][T·H]. */
  private final float[][] hn;

  /** Upstream gradient of each layer's h_t [layers][T·H]; the last layer's is copied from dOut. */
  private final float[][] up;

  private final float[] dh;
  private final float[] dhNext;
  private final float[] dcNext;
  private final float[] daIn;
  private final float[] daHid;
  private final float[] preIn;
  private final float[] preHid;

  NaiveCells(StackLayout layout, int steps) {
    this.layout = layout;
    this.cell = layout.cell();
    this.steps = steps;
    this.d = layout.inputSize();
    this.h = layout.hiddenSize();
    this.g = layout.gateRows();
    this.layers = layout.layers();
    hs = new float[layers][(steps + 1) * h];
    cs = new float[layers][cell == CellType.LSTM ? (steps + 1) * h : 0];
    act = new float[layers][steps * g];
    hn = new float[layers][cell == CellType.GRU ? steps * h : 0];
    up = new float[layers][steps * h];
    dh = new float[h];
    dhNext = new float[h];
    dcNext = new float[h];
    daIn = new float[g];
    daHid = new float[g];
    preIn = new float[g];
    preHid = new float[g];
  }

  /** The last layer's h_t (t = 1..T) starts at {@code lastHiddenOffset(t)} of this array. */
  float[] lastHidden() {
    return hs[layers - 1];
  }

  int lastHiddenOffset(int t) {
    return t * h;
  }

  /** Forward pass of one sequence x [T][D] from the zero state. */
  void forward(float[] p, float[] x) {
    for (int k = 0; k < layers; k++) {
      float[] in = k == 0 ? x : hs[k - 1];
      int inBase = k == 0 ? 0 : h; // layer k > 0 reads h_{t+1} of layer k − 1 at step index t
      int dk = k == 0 ? d : h;
      forwardLayer(k, p, in, inBase, dk);
    }
  }

  private void forwardLayer(int k, float[] p, float[] in, int inBase, int dk) {
    int wih = layout.offWeightIh(k), whh = layout.offWeightHh(k);
    int bih = layout.offBiasIh(k), bhh = layout.offBiasHh(k);
    float[] hk = hs[k];
    float[] ck = cs[k];
    float[] ak = act[k];
    Arrays.fill(hk, 0, h, 0f);
    if (cell == CellType.LSTM) {
      Arrays.fill(ck, 0, h, 0f);
    }
    for (int t = 0; t < steps; t++) {
      int xo = inBase + t * dk;
      int ho = t * h; // h_{t−1} in the 0-based step index t
      for (int r = 0; r < g; r++) {
        float a = p[bih + r];
        for (int j = 0; j < dk; j++) {
          a += p[wih + r * dk + j] * in[xo + j];
        }
        float b = p[bhh + r];
        for (int j = 0; j < h; j++) {
          b += p[whh + r * h + j] * hk[ho + j];
        }
        preIn[r] = a;
        preHid[r] = b;
      }
      int ao = t * g;
      for (int i = 0; i < h; i++) {
        float hPrev = hk[ho + i];
        float hNew;
        switch (cell) {
          case ELMAN -> {
            hNew = (float) Math.tanh(preIn[i] + preHid[i]);
            ak[ao + i] = hNew;
          }
          case LSTM -> {
            float ig = sigmoid(preIn[i] + preHid[i]);
            float fg = sigmoid(preIn[h + i] + preHid[h + i]);
            float gg = (float) Math.tanh(preIn[2 * h + i] + preHid[2 * h + i]);
            float og = sigmoid(preIn[3 * h + i] + preHid[3 * h + i]);
            float c = fg * ck[ho + i] + ig * gg;
            ck[ho + h + i] = c;
            hNew = og * (float) Math.tanh(c);
            ak[ao + i] = ig;
            ak[ao + h + i] = fg;
            ak[ao + 2 * h + i] = gg;
            ak[ao + 3 * h + i] = og;
          }
          case GRU -> {
            float rg = sigmoid(preIn[i] + preHid[i]);
            float zg = sigmoid(preIn[h + i] + preHid[h + i]);
            float ng = (float) Math.tanh(preIn[2 * h + i] + rg * preHid[2 * h + i]);
            hn[k][t * h + i] = preHid[2 * h + i];
            hNew = (1f - zg) * ng + zg * hPrev;
            ak[ao + i] = rg;
            ak[ao + h + i] = zg;
            ak[ao + 2 * h + i] = ng;
          }
          default -> throw new IllegalStateException(cell.toString());
        }
        hk[ho + h + i] = hNew;
      }
    }
  }

  /**
   * grads += BPTT of L = Σ_t dOut_t·h_t^(last) after {@link #forward} on the same x; dOut [T][H].
   */
  void backward(float[] p, float[] x, float[] dOut, float[] grads) {
    System.arraycopy(dOut, 0, up[layers - 1], 0, steps * h);
    for (int k = layers - 1; k >= 0; k--) {
      float[] in = k == 0 ? x : hs[k - 1];
      int inBase = k == 0 ? 0 : h;
      int dk = k == 0 ? d : h;
      backwardLayer(k, p, in, inBase, dk, grads, k == 0 ? null : up[k - 1]);
    }
  }

  private void backwardLayer(
      int k, float[] p, float[] in, int inBase, int dk, float[] grads, float[] dIn) {
    int wih = layout.offWeightIh(k), whh = layout.offWeightHh(k);
    int bih = layout.offBiasIh(k), bhh = layout.offBiasHh(k);
    float[] hk = hs[k];
    float[] ck = cs[k];
    float[] ak = act[k];
    float[] uk = up[k];
    Arrays.fill(dhNext, 0f);
    Arrays.fill(dcNext, 0f);
    for (int t = steps - 1; t >= 0; t--) {
      int ho = t * h;
      int ao = t * g;
      for (int i = 0; i < h; i++) {
        dh[i] = uk[ho + i] + dhNext[i];
      }
      for (int i = 0; i < h; i++) {
        float dhi = dh[i];
        float direct = 0f;
        switch (cell) {
          case ELMAN -> {
            float hv = ak[ao + i];
            daIn[i] = dhi * (1f - hv * hv);
            daHid[i] = daIn[i];
          }
          case LSTM -> {
            float ig = ak[ao + i], fg = ak[ao + h + i];
            float gg = ak[ao + 2 * h + i], og = ak[ao + 3 * h + i];
            float tc = (float) Math.tanh(ck[ho + h + i]);
            float dc = dcNext[i] + dhi * og * (1f - tc * tc);
            daIn[i] = dc * gg * ig * (1f - ig);
            daIn[h + i] = dc * ck[ho + i] * fg * (1f - fg);
            daIn[2 * h + i] = dc * ig * (1f - gg * gg);
            daIn[3 * h + i] = dhi * tc * og * (1f - og);
            dcNext[i] = dc * fg;
            daHid[i] = daIn[i];
            daHid[h + i] = daIn[h + i];
            daHid[2 * h + i] = daIn[2 * h + i];
            daHid[3 * h + i] = daIn[3 * h + i];
          }
          case GRU -> {
            float rg = ak[ao + i], zg = ak[ao + h + i], ng = ak[ao + 2 * h + i];
            float hPrev = hk[ho + i];
            float dn = dhi * (1f - zg) * (1f - ng * ng);
            float dr = dn * hn[k][t * h + i];
            float dz = dhi * (hPrev - ng);
            direct = dhi * zg;
            daIn[i] = dr * rg * (1f - rg);
            daIn[h + i] = dz * zg * (1f - zg);
            daIn[2 * h + i] = dn;
            daHid[i] = daIn[i];
            daHid[h + i] = daIn[h + i];
            daHid[2 * h + i] = dn * rg;
          }
          default -> throw new IllegalStateException(cell.toString());
        }
        dhNext[i] = direct;
      }
      int xo = inBase + t * dk;
      for (int r = 0; r < g; r++) {
        float ai = daIn[r], ah = daHid[r];
        grads[bih + r] += ai;
        grads[bhh + r] += ah;
        for (int j = 0; j < dk; j++) {
          grads[wih + r * dk + j] += ai * in[xo + j];
        }
        for (int j = 0; j < h; j++) {
          grads[whh + r * h + j] += ah * hk[ho + j];
        }
        for (int j = 0; j < h; j++) {
          dhNext[j] += p[whh + r * h + j] * ah;
        }
      }
      if (dIn != null) {
        for (int j = 0; j < dk; j++) {
          float s = 0f;
          for (int r = 0; r < g; r++) {
            s += p[wih + r * dk + j] * daIn[r];
          }
          dIn[t * dk + j] = s;
        }
      }
    }
  }

  private static float sigmoid(float v) {
    return (float) (1 / (1 + Math.exp(-v)));
  }
}
