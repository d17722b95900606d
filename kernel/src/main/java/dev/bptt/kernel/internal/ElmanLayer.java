package dev.bptt.kernel.internal;

import dev.bptt.kernel.blas.Activation;

/**
 * Elman layer: h_t = φ(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh). Its slot part is h_t alone and its δ
 * part is ∂L/∂h_t, turned in place into δ_t = ∂L/∂h_t ⊙ φ′(h_t): both H floats, so a one-layer
 * stack keeps the compact [T+1][B][H] states of the original kernel.
 */
final class ElmanLayer extends CellLayer {
  /** Slot [h], δ [δ]: the projection and the recurrent product add into h's pre-activation. */
  private static final Columns COLUMNS = new Columns(1, 1, 0, 0, true, true, 0, 0, 0, -1);

  private final Activation activation;

  ElmanLayer(
      Activation activation,
      int h,
      int in,
      int offIh,
      int offHh,
      int offBih,
      int offBhh,
      int offLn) {
    super(COLUMNS, h, 1, in, offIh, offHh, offBih, offBhh, offLn);
    this.activation = activation;
  }

  @Override
  void step(float[] params, int batch, float[] st, int prev, int cur) {
    // Row by row even when the rows are contiguous: the vector body and the scalar tail of tanh and
    // σ round differently, so one flat call over B·H floats would give a row bits that depend on
    // which rows share the call (a batch shard of BatchThreads, a smaller inference batch).
    for (int r = 0; r < batch; r++) {
      Kernels.activate(activation, h, st, cur + r * ldS, st, cur + r * ldS);
    }
  }

  @Override
  void cellLocal(int rows, float[] st, int cur, int prev, float[] d, int dOff) {
    if (ldS == h && ldD == h) {
      Kernels.activationGrad(activation, rows * h, st, cur, d, dOff, d, dOff);
      return;
    }
    for (int r = 0; r < rows; r++) {
      Kernels.activationGrad(
          activation, h, st, cur + r * ldS, d, dOff + r * ldD, d, dOff + r * ldD);
    }
  }

  @Override
  void recurrentExtra(
      int rows,
      int batch,
      float f,
      float[] next,
      int nextOff,
      float[] src,
      int srcOff,
      float beta,
      float[] dst,
      int dstH,
      int ldH,
      int dstC,
      int ldC) {
    // h_t reaches h_{t+1} only through W_hh.
  }
}
