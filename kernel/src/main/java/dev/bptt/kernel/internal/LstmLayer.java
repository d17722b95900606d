package dev.bptt.kernel.internal;

/**
 * LSTM layer (PyTorch's nn.LSTM cell). Slot part [h | c | i f g o] (6H: the carried h_t, c_t, then
 * the activated gates, into which the input projection with b_ih + b_hh and the recurrent product
 * accumulate before the step pass); δ part [d_i d_f d_g d_o | dc | dh] (6H: the gate pre-activation
 * gradients, the total ∂L/∂c_t, and the gathered ∂L/∂h_t). The state c_t reaches c_{t+1} through
 * f_{t+1}: ∂L/∂c_t gains f_{t+1}⊙∂L/∂c_{t+1}.
 */
final class LstmLayer extends CellLayer {
  /** Slot [h | c | i f g o], δ [d_i d_f d_g d_o | dc | dh]. */
  private static final Columns COLUMNS = new Columns(6, 6, 2, 2, true, true, 0, 0, 5, 4);

  LstmLayer(int h, int in, int offIh, int offHh, int offBih, int offBhh, int offLn) {
    super(COLUMNS, h, 4, in, offIh, offHh, offBih, offBhh, offLn);
  }

  @Override
  void step(float[] params, int batch, float[] st, int prev, int cur) {
    CellSupport c = Kernels.cells();
    for (int r = 0; r < batch; r++) {
      int row = cur + r * ldS;
      c.lstmForward(h, st, row + 2 * h, st, prev + r * ldS + h, st, row + h, st, row);
    }
  }

  @Override
  void cellLocal(int rows, float[] st, int cur, int prev, float[] d, int dOff) {
    CellSupport c = Kernels.cells();
    for (int r = 0; r < rows; r++) {
      int row = cur + r * ldS;
      c.lstmBackward(h, st, row + 2 * h, st, row + h, st, prev + r * ldS + h, d, dOff + r * ldD);
    }
  }

  /** ∂L/∂c_t ← β·∂L/∂c_t + f·(f_{t+1}⊙∂L/∂c_{t+1}). */
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
      int out = dstC + r * ldC;
      if (beta == 0f) {
        java.util.Arrays.fill(dst, out, out + h, 0f);
      } else if (beta != 1f) {
        Kernels.blas().scale(h, beta, dst, out);
      }
      int forget = nextOff + (r % batch) * ldS + 3 * h; // f of step t+1: gates start at 2H
      c.mulAdd(h, f, src, srcOff + r * ldD + 4 * h, next, forget, dst, out);
    }
  }
}
