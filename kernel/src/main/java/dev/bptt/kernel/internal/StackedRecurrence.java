package dev.bptt.kernel.internal;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.StackLayout;

/**
 * The segment kernels of a stack of {@link CellLayer}s with an optional readout y_t = W·h_t + b on
 * the last layer's h: the {@link Recurrence} of every public network (the Elman RNN is a one-layer
 * stack with a single bias).
 *
 * <p>Rows: a slot row is the layers' slot parts side by side, a δ row their δ parts. Forward is
 * layer-major within a segment: layer k runs all the segment's steps (its input projection one GEMM
 * over all rows, reading layer k−1's h columns with ld S) before layer k+1. Backward is step-major:
 * {@link #localGrad} walks the layers of one step top-down, each layer's δ sending δ_x·W_ih into
 * the gathered ∂L/∂h of the layer below before that one's local gradient, so truncation chains and
 * segments see one step as one unit. Every layer's sums keep the descending (t, b) order.
 */
public final class StackedRecurrence implements Recurrence {
  private final CellLayer[] layers;
  private final CellLayer top;
  private final int d;
  private final int h;
  private final int o;
  private final int offWy;
  private final int offBy;
  private final int params;
  private final int slot;
  private final int delta;
  private final int carriedVectors;

  private StackedRecurrence(
      CellLayer[] layers, int d, int h, int o, int offWy, int offBy, int params, int carried) {
    this.layers = layers;
    this.top = layers[layers.length - 1];
    this.d = d;
    this.h = h;
    this.o = o;
    this.offWy = offWy;
    this.offBy = offBy;
    this.params = params;
    this.carriedVectors = carried;
    int s = 0, dd = 0;
    for (CellLayer l : layers) {
      s += l.slotWidth();
      dd += l.deltaWidth();
    }
    this.slot = s;
    this.delta = dd;
    s = 0;
    dd = 0;
    for (int k = 0; k < layers.length; k++) {
      layers[k].firstLayer = k == 0;
    }
    for (CellLayer l : layers) {
      l.place(s, dd, slot, delta);
      s += l.slotWidth();
      dd += l.deltaWidth();
    }
  }

  /** The Elman RNN of {@link RnnLayout}: one layer, one bias b_h, optional readout. */
  public static StackedRecurrence elman(RnnLayout layout, Activation activation) {
    int hh = layout.hiddenSize();
    CellLayer l =
        new ElmanLayer(
            activation,
            hh,
            layout.inputSize(),
            layout.offWxh(),
            layout.offWhh(),
            layout.offBh(),
            -1);
    return new StackedRecurrence(
        new CellLayer[] {l},
        layout.inputSize(),
        hh,
        layout.outputSize(),
        layout.offWhy(),
        layout.offBy(),
        layout.size(),
        1);
  }

  /**
   * A stack in PyTorch's layout; {@code activation} is φ of Elman layers (ignored by gated ones).
   */
  public static StackedRecurrence stack(StackLayout layout, Activation activation) {
    CellType cell = layout.cell();
    CellLayer[] ls = new CellLayer[layout.layers()];
    for (int k = 0; k < ls.length; k++) {
      ls[k] =
          CellLayer.of(
              cell,
              activation,
              layout.hiddenSize(),
              layout.layerInputSize(k),
              layout.offWeightIh(k),
              layout.offWeightHh(k),
              layout.offBiasIh(k),
              layout.offBiasHh(k));
    }
    return new StackedRecurrence(
        ls,
        layout.inputSize(),
        layout.hiddenSize(),
        layout.outputSize(),
        layout.offReadoutWeight(),
        layout.offReadoutBias(),
        layout.size(),
        cell.carriedVectors());
  }

  @Override
  public void paramsChanged() {
    for (CellLayer l : layers) {
      l.paramsChanged();
    }
  }

  @Override
  public void reservePacked() {
    for (CellLayer l : layers) {
      l.reservePacked();
    }
  }

  @Override
  public int inputSize() {
    return d;
  }

  @Override
  public int stateSize() {
    return slot;
  }

  @Override
  public int carrySize() {
    return carriedVectors * layers.length * h;
  }

  @Override
  public int deltaSize() {
    return delta;
  }

  @Override
  public int stepOutputSize() {
    return o > 0 ? o : h;
  }

  @Override
  public boolean statesAreOutputs() {
    return o == 0 && slot == h;
  }

  @Override
  public int parameterCount() {
    return params;
  }

  @Override
  public void forwardSteps(
      float[] params, int batch, int t1, int t2, float[] x, int xOff, float[] states, int base) {
    int steps = t2 - t1 + 1;
    int firstRow = base + batch * slot;
    for (int k = 0; k < layers.length; k++) {
      CellLayer l = layers[k];
      if (k == 0) {
        l.forward(params, batch, steps, x, xOff, d, states, base);
      } else {
        l.forward(params, batch, steps, states, firstRow + layers[k - 1].sCol, slot, states, base);
      }
    }
  }

  @Override
  public void outputs(float[] params, int rows, float[] states, int off, float[] out, int outOff) {
    int hOff = off + top.sCol;
    if (o == 0) {
      if (slot == h) {
        System.arraycopy(states, hOff, out, outOff, rows * h);
      } else {
        for (int r = 0; r < rows; r++) {
          System.arraycopy(states, hOff + r * slot, out, outOff + r * h, h);
        }
      }
      return;
    }
    Kernels.fillRows(rows, o, params, offBy, out, outOff, o);
    Kernels.blas()
        .gemm(
            false, true, rows, o, h, 1f, states, hOff, slot, params, offWy, h, 1f, out, outOff, o);
  }

  @Override
  public void upstreamGrad(
      float[] params, int rows, float[] dy, int dyOff, float[] delta, int dOff) {
    int dh = dOff + top.dCol + top.dhCol();
    if (this.delta != h) {
      // Only the last layer's ∂L/∂h receives the loss; every other gathered gradient starts at 0.
      java.util.Arrays.fill(delta, dOff, dOff + rows * this.delta, 0f);
    }
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
              offWy,
              h,
              0f,
              delta,
              dh,
              this.delta);
    } else if (this.delta == h) {
      System.arraycopy(dy, dyOff, delta, dh, rows * h);
    } else {
      for (int r = 0; r < rows; r++) {
        System.arraycopy(dy, dyOff + r * h, delta, dh + r * this.delta, h);
      }
    }
  }

  @Override
  public void recurrentGrad(
      float[] params,
      int rows,
      int batch,
      float f,
      float[] next,
      int nextOff,
      float[] src,
      int srcOff,
      float beta,
      float[] dst,
      int dstOff) {
    for (CellLayer l : layers) {
      layerRecurrentGrad(l, params, rows, batch, f, next, nextOff, src, srcOff, beta, dst, dstOff);
    }
  }

  @Override
  public void localGrad(
      float[] params, int rows, float[] states, int stOff, float[] delta, int dOff) {
    int prev = stOff - rows * slot;
    for (int k = layers.length - 1; k >= 0; k--) {
      CellLayer l = layers[k];
      l.local(rows, states, stOff + l.sCol, prev + l.sCol, delta, dOff + l.dCol);
      if (k > 0) {
        CellLayer below = layers[k - 1];
        l.inputGrad(
            params,
            rows,
            false,
            delta,
            dOff + l.dCol,
            delta,
            dOff + below.dCol + below.dhCol(),
            this.delta);
      }
    }
  }

  /**
   * Layer-major, as cuDNN and PyTorch's CPU path: the last layer's recursion runs over all the
   * segment's steps, then one GEMM over all its rows sends δ_x·W_ih into the gathered ∂L/∂h of the
   * layer below, whose recursion runs next. Per step this touches one layer's weights instead of
   * every layer's (a two-layer H = 256 LSTM at B = 1 fell out of L2 step-major). For one layer it
   * is the same sequence of operations as {@link #localGrad} step by step.
   */
  @Override
  public void deltas(
      float[] params,
      StepData in,
      int t1,
      int t2,
      float[] states,
      int base,
      float[] delta,
      int dBase,
      float[] next,
      int nextOff,
      float[] nextSlot,
      int nextSlotOff) {
    final int batch = in.batch;
    final int bs = batch * slot;
    final int bd = batch * this.delta;
    for (int k = layers.length - 1; k >= 0; k--) {
      CellLayer l = layers[k];
      boolean last = l == top;
      for (int t = t2; t >= t1; t--) {
        int cur = dBase + (t - t1) * bd;
        int slotT = base + (t - t1 + 1) * bs;
        float f = t < in.steps ? in.flowAt(t) : 0f; // flow has T entries: none is read at t = T
        if (f != 0f) {
          if (t < t2) {
            layerRecurrentGrad(
                l, params, batch, batch, f, states, slotT + bs, delta, cur + bd, 1f, delta, cur);
          } else if (next != null) {
            layerRecurrentGrad(
                l, params, batch, batch, f, nextSlot, nextSlotOff, next, nextOff, 1f, delta, cur);
          }
        }
        if (last && in.traceDh != null) {
          in.traceDh[t - 1] = (float) Math.sqrt(l.hiddenGradSquares(batch, delta, cur + l.dCol));
        }
        l.local(batch, states, slotT + l.sCol, slotT - bs + l.sCol, delta, cur + l.dCol);
        if (last && in.traceDc != null) {
          in.traceDc[t - 1] = (float) Math.sqrt(l.cellGradSquares(batch, delta, cur + l.dCol));
        }
      }
      if (k > 0) {
        CellLayer below = layers[k - 1];
        l.inputGrad(
            params,
            (t2 - t1 + 1) * batch,
            true,
            delta,
            dBase + l.dCol,
            delta,
            dBase + below.dCol + below.dhCol(),
            this.delta);
      }
    }
  }

  /** One layer's part of {@link #recurrentGrad}, into the δ rows at dst. */
  private void layerRecurrentGrad(
      CellLayer l,
      float[] params,
      int rows,
      int batch,
      float f,
      float[] next,
      int nextOff,
      float[] src,
      int srcOff,
      float beta,
      float[] dst,
      int dstOff) {
    int part = dstOff + l.dCol;
    l.recurrentGrad(
        params,
        rows,
        batch,
        f,
        next,
        nextOff + l.sCol,
        src,
        srcOff + l.dCol,
        beta,
        dst,
        part + l.dhCol(),
        delta,
        part + l.dcCol(),
        delta);
  }

  @Override
  public double hiddenGradSquares(int rows, float[] delta, int dOff) {
    return top.hiddenGradSquares(rows, delta, dOff + top.dCol);
  }

  @Override
  public double cellGradSquares(int rows, float[] delta, int dOff) {
    return top.cellGradSquares(rows, delta, dOff + top.dCol);
  }

  @Override
  public void loadCarry(int rows, float[] src, int srcOff, float[] slots, int slotOff) {
    int n = layers.length;
    for (int k = 0; k < n; k++) {
      layers[k].loadCarry(
          rows, src, srcOff + k * rows * h, srcOff + (n + k) * rows * h, slots, slotOff);
    }
  }

  @Override
  public void storeCarry(int rows, float[] slots, int slotOff, float[] dst, int dstOff) {
    int n = layers.length;
    for (int k = 0; k < n; k++) {
      layers[k].storeCarry(
          rows, slots, slotOff, dst, dstOff + k * rows * h, dstOff + (n + k) * rows * h);
    }
  }

  @Override
  public void initialStateGrad(
      float[] params,
      int rows,
      float f,
      float[] slot1,
      int slot1Off,
      float[] delta1,
      int d1Off,
      float[] dst,
      int dstOff) {
    int n = layers.length;
    for (int k = 0; k < n; k++) {
      CellLayer l = layers[k];
      l.recurrentGrad(
          params,
          rows,
          rows,
          f,
          slot1,
          slot1Off + l.sCol,
          delta1,
          d1Off + l.dCol,
          0f,
          dst,
          dstOff + k * rows * h,
          h,
          dstOff + (n + k) * rows * h,
          h);
    }
  }

  /**
   * Deferred parameter gradients of steps t1..t2: every layer's GEMMs over the segment's rows
   * (layer k's inputs are layer k−1's h of the same steps), then the readout's over the runs of
   * loss steps; every sum in descending (t, b) order.
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
    final int bs = batch * slot;
    final int rows = (t2 - t1 + 1) * batch;
    for (int k = 0; k < layers.length; k++) {
      CellLayer l = layers[k];
      if (k == 0) {
        l.weightGrads(
            grads, rows, states, base + l.sCol, in.x, in.xOffset(t1), d, delta, dBase + l.dCol);
      } else {
        l.weightGrads(
            grads,
            rows,
            states,
            base + l.sCol,
            states,
            base + bs + layers[k - 1].sCol,
            slot,
            delta,
            dBase + l.dCol);
      }
    }
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
      int hFirst = base + (a - t1 + 1) * bs + top.sCol;
      Kernels.addTransposedProductDescending(
          o, h, runRows, in.upstream, dy, o, states, hFirst, slot, grads, offWy, h);
      Kernels.addRowSumsDescending(runRows, o, in.upstream, dy, o, grads, offBy);
      b = a - 1;
    }
  }
}
