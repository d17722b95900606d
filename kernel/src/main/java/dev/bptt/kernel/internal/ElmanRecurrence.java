package dev.bptt.kernel.internal;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.RnnLayout;

/**
 * The Elman cell's segment kernels: h_t = φ(W_xh·x_t + W_hh·h_{t−1} + b_h), optional readout y_t =
 * W_hy·h_t + b_y. A slot is h_t (stateSize = carrySize = deltaSize = H).
 *
 * <p>Structure (the oneDNN/PyTorch CPU structure): the input projection of a segment's rows is one
 * GEMM up front, written straight into the state slots; each step then adds the recurrent product
 * (gemv for B = 1, a small GEMM for B &gt; 1) and applies φ in place while the B·H values are in
 * L1. Backward: ∂L/∂h_t = dy_t·W_hy (or dOut) + f·δ_{t+1}·W_hh, δ_t = ∂L/∂h_t ⊙ φ′(h_t); weight
 * gradients as GEMMs with K = rows after the loop.
 */
public final class ElmanRecurrence implements Recurrence {
  private final RnnLayout layout;
  private final Activation activation;
  private final int d;
  private final int h;
  private final int o;

  /**
   * @param layout sizes and offsets; @param activation φ
   */
  public ElmanRecurrence(RnnLayout layout, Activation activation) {
    this.layout = layout;
    this.activation = activation;
    this.d = layout.inputSize();
    this.h = layout.hiddenSize();
    this.o = layout.outputSize();
  }

  @Override
  public int inputSize() {
    return d;
  }

  @Override
  public int stateSize() {
    return h;
  }

  @Override
  public int carrySize() {
    return h;
  }

  @Override
  public int deltaSize() {
    return h;
  }

  @Override
  public int stepOutputSize() {
    return layout.stepOutputSize();
  }

  @Override
  public boolean statesAreOutputs() {
    return o == 0;
  }

  @Override
  public int parameterCount() {
    return layout.size();
  }

  @Override
  public void forwardSteps(
      float[] params, int batch, int t1, int t2, float[] x, int xOff, float[] states, int base) {
    final int bh = batch * h;
    final int rows = (t2 - t1 + 1) * batch;
    final int first = base + bh;
    Kernels.fillRows(rows, h, params, layout.offBh(), states, first);
    BlasSupport k = Kernels.blas();
    if (d > 0) {
      k.gemm(
          false,
          true,
          rows,
          h,
          d,
          1f,
          x,
          xOff,
          d,
          params,
          layout.offWxh(),
          d,
          1f,
          states,
          first,
          h);
    }
    final int whh = layout.offWhh();
    for (int i = 0; i < t2 - t1 + 1; i++) {
      int prev = base + i * bh;
      int cur = prev + bh;
      if (batch == 1) {
        k.gemv(h, h, 1f, params, whh, h, states, prev, 1f, states, cur);
      } else {
        k.gemm(false, true, batch, h, h, 1f, states, prev, h, params, whh, h, 1f, states, cur, h);
      }
      Kernels.activate(activation, bh, states, cur, states, cur);
    }
  }

  @Override
  public void outputs(float[] params, int rows, float[] states, int off, float[] out, int outOff) {
    if (o == 0) {
      System.arraycopy(states, off, out, outOff, rows * h);
      return;
    }
    Kernels.fillRows(rows, o, params, layout.offBy(), out, outOff);
    Kernels.blas()
        .gemm(
            false,
            true,
            rows,
            o,
            h,
            1f,
            states,
            off,
            h,
            params,
            layout.offWhy(),
            h,
            1f,
            out,
            outOff,
            o);
  }

  @Override
  public void upstreamGrad(
      float[] params, int rows, float[] dy, int dyOff, float[] delta, int dOff) {
    if (o > 0) {
      Kernels.blas()
          .gemm(
              false,
              false,
              rows,
              h,
              o,
              1f,
              dy,
              dyOff,
              o,
              params,
              layout.offWhy(),
              h,
              0f,
              delta,
              dOff,
              h);
    } else {
      System.arraycopy(dy, dyOff, delta, dOff, rows * h);
    }
  }

  /** dst ← f·(src·W_hh) + β·dst: gemvᵀ for one row, a GEMM for more. */
  @Override
  public void recurrentGrad(
      float[] params,
      int rows,
      float f,
      float[] next,
      int nextOff,
      float[] src,
      int srcOff,
      float beta,
      float[] dst,
      int dstOff) {
    int whh = layout.offWhh();
    if (rows == 1) {
      Kernels.blas().gemvT(h, h, f, params, whh, h, src, srcOff, beta, dst, dstOff);
    } else {
      Kernels.blas()
          .gemm(false, false, rows, h, h, f, src, srcOff, h, params, whh, h, beta, dst, dstOff, h);
    }
  }

  @Override
  public void localGrad(int rows, float[] states, int stOff, float[] delta, int dOff) {
    Kernels.activationGrad(activation, rows * h, states, stOff, delta, dOff, delta, dOff);
  }

  @Override
  public double hiddenGradSquares(int rows, float[] delta, int dOff) {
    return Kernels.sumOfSquares(rows * h, delta, dOff);
  }

  /**
   * dW_hh += Σ δ_t·h_{t−1}ᵀ, dW_xh += Σ δ_t·x_tᵀ, db_h += Σ δ_t over all rows, and over the runs of
   * loss steps dW_hy += Σ dy_t·h_tᵀ, db_y += Σ dy_t; every sum in descending (t, b) order.
   */
  @Override
  public void weightGrads(
      float[] params,
      float[] grads,
      int batch,
      int t1,
      int t2,
      float[] states,
      int base,
      float[] delta,
      int dBase,
      StepData in) {
    final int bh = batch * h;
    final int rows = (t2 - t1 + 1) * batch;
    Kernels.addTransposedProductDescending(
        h, h, rows, delta, dBase, h, states, base, h, grads, layout.offWhh(), h);
    if (d > 0) {
      Kernels.addTransposedProductDescending(
          h, d, rows, delta, dBase, h, in.x, in.xOffset(t1), d, grads, layout.offWxh(), d);
    }
    Kernels.addRowSumsDescending(rows, h, delta, dBase, grads, layout.offBh());
    if (o == 0) {
      return;
    }
    for (int b = t2; b >= t1; ) {
      if (!in.hasLoss(b)) {
        b--;
        continue;
      }
      int a = in.runStart(b, t1);
      int runRows = (b - a + 1) * batch;
      int dy = in.upstreamOffset(a);
      int hFirst = base + (a - t1 + 1) * bh;
      Kernels.addTransposedProductDescending(
          o, h, runRows, in.upstream, dy, o, states, hFirst, h, grads, layout.offWhy(), h);
      Kernels.addRowSumsDescending(runRows, o, in.upstream, dy, grads, layout.offBy());
      b = a - 1;
    }
  }
}
