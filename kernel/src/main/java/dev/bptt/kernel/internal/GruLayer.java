package dev.bptt.kernel.internal;

/**
 * GRU layer (PyTorch's nn.GRU cell). Slot part [h | r z ñ | hh_r hh_z hn] (7H: the carried h_t; the
 * input projection with b_ih, activated in place by the step pass; the recurrent product
 * W_hh·h_{t−1}, whose n block keeps hn = W_hn·h_{t−1} + b_hn for the backward pass). One recurrent
 * product for all three gates needs its own area because r multiplies only the hidden part of n. δ
 * part [dx_r dx_z dx_n | dh_r dh_z dh_n | dh] (7H: the input-side and hidden-side gate gradients,
 * which differ in the n block, and the gathered ∂L/∂h_t, which the recurrent gradient needs: h_t
 * reaches h_{t+1} directly through z_{t+1}⊙h_t).
 */
final class GruLayer extends CellLayer {
  /** Slot [h | r z ñ | hh_r hh_z hn], δ [dx | dh_gates | dh]; b_hh added by the step pass. */
  private static final Columns COLUMNS = new Columns(7, 7, 1, 4, false, false, 0, 3, 6, -1);

  GruLayer(int h, int in, int offIh, int offHh, int offBih, int offBhh, int offLn) {
    super(COLUMNS, h, 3, in, offIh, offHh, offBih, offBhh, offLn);
  }

  @Override
  void step(float[] params, int batch, float[] st, int prev, int cur) {
    CellSupport c = Kernels.cells();
    for (int r = 0; r < batch; r++) {
      int row = cur + r * ldS;
      c.gruForward(h, st, row + h, st, row + 4 * h, params, offBhh, st, prev + r * ldS, st, row);
    }
  }

  @Override
  void cellLocal(int rows, float[] st, int cur, int prev, float[] d, int dOff) {
    CellSupport c = Kernels.cells();
    for (int r = 0; r < rows; r++) {
      int row = cur + r * ldS;
      c.gruBackward(h, st, row + h, st, row + 6 * h, st, prev + r * ldS, d, dOff + r * ldD);
    }
  }

  /** ∂L/∂h_t += f·(z_{t+1}⊙∂L/∂h_{t+1}) (after the W_hhᵀ product, which applied β). */
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
    CellSupport c = Kernels.cells();
    for (int r = 0; r < rows; r++) {
      int z = nextOff + (r % batch) * ldS + 2 * h; // z of step t+1: gates start at H
      c.mulAdd(h, f, src, srcOff + r * ldD + 6 * h, next, z, dst, dstH + r * ldH);
    }
  }
}
