package dev.bptt.kernel;

import dev.bptt.kernel.internal.BlasSupport;

/**
 * Elman RNN forward pass and backpropagation through time over flat buffers:
 * <pre>
 *   h_t = φ(W_xh·x_t + W_hh·h_{t−1} + b_h),   y_t = W_hy·h_t + b_y  (optional readout),  t = 1..T
 * </pre>
 * for a batch of B sequences. Parameters live in one flat array laid out by {@link RnnLayout};
 * inputs are [T][B][D], hidden states [T+1][B][H] (in the {@link RnnWorkspace}), all row-major.
 *
 * <p>Structure (the oneDNN/PyTorch CPU structure): the input projection of all T·B rows is one
 * GEMM up front, written straight into the hidden-state slots; each step then adds the recurrent
 * product (gemv for B = 1, a small GEMM for B &gt; 1) and applies φ in place. Backward runs only
 * the sequential part per step, δ_t = (∂L/∂h_t + W_hhᵀ·δ_{t+1}) ⊙ φ′(h_t), keeps every δ_t, and
 * defers the weight gradients to GEMMs with K = T·B after the loop.
 *
 * <p>"Fused" here means one pass over memory per step: the recurrent product accumulates into the
 * slot that already holds the projected input and bias, and φ (or φ′ from the stored output) then
 * runs over those B·H values while they are still in L1, as one vector loop. Folding φ into the
 * gemv's four-row epilogue instead would apply it four scalars at a time.
 *
 * <p>Instances are immutable and thread-safe; all mutable state is in the workspace.
 */
public final class ElmanRnn {
  private final RnnLayout layout;
  private final Activation activation;

  /**
   * @param layout     parameter layout (D, H, O)
   * @param activation φ
   */
  public ElmanRnn(RnnLayout layout, Activation activation) {
    Checks.notNull("layout", layout);
    Checks.notNull("activation", activation);
    this.layout = layout;
    this.activation = activation;
  }

  /** The parameter layout. */
  public RnnLayout layout() {
    return layout;
  }

  /** The activation φ. */
  public Activation activation() {
    return activation;
  }

  /**
   * Forward pass over T steps for B sequences: writes h_0..h_T into {@code ws.hidden()} and,
   * with a readout, y_1..y_T into {@code ws.output()}. Remembers {@code x} (not copied) for
   * {@link #backward}.
   *
   * @param params flat parameters, at least {@code layout.size()} floats (read)
   * @param ws     workspace sized for this layout (written)
   * @param x      inputs [T][B][D] at xOff (read)
   * @param h0     initial state [B][H] at h0Off, or null for zeros (read)
   */
  public void forward(float[] params, RnnWorkspace ws, float[] x, int xOff, float[] h0, int h0Off) {
    checkWorkspace(ws);
    checkParams("params", params);
    final int steps = ws.steps(), batch = ws.batch();
    final int bh = batch * layout.hiddenSize();
    Checks.vector("x", x, xOff, steps * batch * layout.inputSize());
    if (h0 != null) {
      Checks.vector("h0", h0, h0Off, bh);
    }
    float[] hs = ws.hidden;
    if (h0 != null) {
      System.arraycopy(h0, h0Off, hs, 0, bh);
    } else {
      java.util.Arrays.fill(hs, 0, bh, 0f);
    }
    forwardSteps(params, batch, 1, steps, x, xOff, hs, 0);
    readout(params, steps * batch, hs, bh, ws.output, 0);
    ws.x = x;
    ws.xOff = xOff;
    ws.forwardDone = true;
  }

  /**
   * Full backpropagation through time after {@link #forward}, accumulating into {@code grads}
   * ({@code +=}, so calls over several sequences sum; see {@link #zeroGradients}).
   *
   * <p>{@code dOut} holds ∂L/∂y_t [T][B][O] with a readout, else ∂L/∂h_t [T][B][H]. Only steps
   * with {@code lossAt[t−1] == true} are read (null: every step), so a loss at the last step
   * only costs nothing at the other steps.
   *
   * <p>Computes δ_t = (∂L/∂h_t + W_hhᵀ·δ_{t+1}) ⊙ φ′(h_t) for t = T..1, then
   * dW_hh += Σ_t δ_t·h_{t−1}ᵀ, dW_xh += Σ_t δ_t·x_tᵀ, db_h += Σ_t δ_t (over the batch too),
   * dW_hy += Σ_t dy_t·h_tᵀ, db_y += Σ_t dy_t, and optionally ∂L/∂h_0 = W_hhᵀ·δ_1. The sums
   * over t run in descending t (the order BPTT produces the terms), each as one multiply-add
   * chain per element, so a checkpointed pass that produces them segment by segment gives
   * bitwise the same gradients.
   *
   * @param params     flat parameters (read)
   * @param grads      flat gradients, same layout (read and written, +=); must not be params
   * @param ws         workspace of the preceding forward (read; δ written)
   * @param dOut       upstream gradients at dOutOff (read)
   * @param lossAt     which steps carry a loss (length ≥ T), or null for all
   * @param dh0        receives ∂L/∂h_0 [B][H] at dh0Off (overwritten), or null
   * @param traceDh    receives ‖∂L/∂h_t‖₂ (before φ′, Frobenius over the batch) at t−1, or null
   * @param traceDelta receives ‖δ_t‖₂ at t−1, or null
   */
  public void backward(float[] params, float[] grads, RnnWorkspace ws, float[] dOut, int dOutOff,
                       boolean[] lossAt, float[] dh0, int dh0Off, float[] traceDh, float[] traceDelta) {
    backward(params, grads, ws, dOut, dOutOff, lossAt, dh0, dh0Off, traceDh, traceDelta, null);
  }

  /**
   * BPTT with a per-step flow factor: the recurrent term that reaches step t is multiplied by
   * {@code flow[t]} (t = 0..T−1; flow[0] scales ∂L/∂h_0): 0 cuts the gradient flow there
   * (truncation), 1 is full BPTT, 1/(1−c_t) is the ARTBP compensation. null = all ones.
   */
  void backward(float[] params, float[] grads, RnnWorkspace ws, float[] dOut, int dOutOff,
                boolean[] lossAt, float[] dh0, int dh0Off, float[] traceDh, float[] traceDelta, float[] flow) {
    checkWorkspace(ws);
    if (!ws.forwardDone) {
      throw new IllegalStateException("backward called before forward on this workspace");
    }
    final int steps = ws.steps(), batch = ws.batch();
    checkBackwardArgs(params, grads, steps, batch, ws.x, ws.xOff, dOut, dOutOff, lossAt, dh0, dh0Off,
        traceDh, traceDelta, flow);
    deltaSteps(params, batch, 1, steps, steps, ws.hidden, 0, ws.delta, 0, null, 0,
        dOut, dOutOff, lossAt, flow, traceDh, traceDelta);
    if (dh0 != null) {
      recurrentBack(batch, flowAt(flow, 0), params, ws.delta, 0, 0f, dh0, dh0Off);
    }
    weightGradSteps(params, grads, batch, 1, steps, ws.hidden, 0, ws.delta, 0, ws.x, ws.xOff, dOut, dOutOff, lossAt);
  }

  /** Validates every backward argument before anything is written. */
  void checkBackwardArgs(float[] params, float[] grads, int steps, int batch, float[] x, int xOff,
                         float[] dOut, int dOutOff, boolean[] lossAt, float[] dh0, int dh0Off,
                         float[] traceDh, float[] traceDelta, float[] flow) {
    checkParams("params", params);
    checkParams("grads", grads);
    if (params == grads) {
      throw new IllegalArgumentException("grads must be a different array from params");
    }
    final int rows = steps * batch;
    Checks.vector("dOut", dOut, dOutOff, rows * layout.stepOutputSize());
    if (lossAt != null && lossAt.length < steps) {
      throw new IllegalArgumentException("lossAt has length " + lossAt.length + " < T=" + steps);
    }
    if (dh0 != null) {
      Checks.vector("dh0", dh0, dh0Off, batch * layout.hiddenSize());
    }
    checkTrace("traceDh", traceDh, steps);
    checkTrace("traceDelta", traceDelta, steps);
    if (flow != null && flow.length < steps) {
      throw new IllegalArgumentException("flow has length " + flow.length + " < T=" + steps);
    }
    Checks.vector("x", x, xOff, rows * layout.inputSize());
  }

  // ---- segment primitives (unchecked), shared with the BPTT strategies ----

  /**
   * h_t for t = t1..t2 (1-based) given h_{t1−1} at {@code hs[hsBase]}; h_t is written at
   * hsBase + (t − t1 + 1)·B·H. Input projection of the segment's rows as one GEMM, then per step
   * the recurrent product (gemv for B = 1, GEMM for B &gt; 1) added in place and φ applied.
   * Rows of a GEMM do not depend on how many rows it has (see GemmDriver), so a segment
   * recomputed alone is bitwise the same as inside the full pass.
   */
  void forwardSteps(float[] params, int batch, int t1, int t2, float[] x, int xOff, float[] hs, int hsBase) {
    final int d = layout.inputSize(), h = layout.hiddenSize(), bh = batch * h;
    final int rows = (t2 - t1 + 1) * batch;
    final int first = hsBase + bh;
    fillRows(rows, h, params, layout.offBh(), hs, first);
    BlasSupport k = Blas.impl();
    if (d > 0) {
      k.gemm(false, true, rows, h, d, 1f, x, xOff + (t1 - 1) * batch * d, d, params, layout.offWxh(), d,
          1f, hs, first, h);
    }
    final int whh = layout.offWhh();
    for (int i = 0; i < t2 - t1 + 1; i++) {
      int prev = hsBase + i * bh, cur = prev + bh;
      if (batch == 1) {
        k.gemv(h, h, 1f, params, whh, h, hs, prev, 1f, hs, cur);
      } else {
        k.gemm(false, true, batch, h, h, 1f, hs, prev, h, params, whh, h, 1f, hs, cur, h);
      }
      Blas.activateUnchecked(activation, bh, hs, cur, hs, cur);
    }
  }

  /** Readout Y = H·W_hyᵀ + b_y for {@code rows} rows of H at hs[hOff] into out[outOff]; no-op without readout. */
  void readout(float[] params, int rows, float[] hs, int hOff, float[] out, int outOff) {
    final int h = layout.hiddenSize(), o = layout.outputSize();
    if (o == 0) {
      return;
    }
    fillRows(rows, o, params, layout.offBy(), out, outOff);
    Blas.impl().gemm(false, true, rows, o, h, 1f, hs, hOff, h, params, layout.offWhy(), h, 1f, out, outOff, o);
  }

  /**
   * δ_t for t = t2 down to t1 into delta[dBase + (t − t1)·B·H], with h_t at hsBase + (t − t1 + 1)·B·H:
   * δ_t = (∂L/∂h_t + flow[t]·W_hhᵀ·δ_{t+1}) ⊙ φ′(h_t), where δ_{t2+1} is read from
   * {@code next[nextOff]} (null: none, as at t2 = T). Traces are written at t − 1.
   */
  void deltaSteps(float[] params, int batch, int t1, int t2, int steps, float[] hs, int hsBase,
                  float[] delta, int dBase, float[] next, int nextOff, float[] dOut, int dOutOff,
                  boolean[] lossAt, float[] flow, float[] traceDh, float[] traceDelta) {
    final int h = layout.hiddenSize(), o = layout.outputSize(), bh = batch * h;
    BlasSupport k = Blas.impl();
    // External ∂L/∂h_t into the δ slots: dOut itself, or dy_t·W_hy, over runs of loss steps.
    for (int a = t1; a <= t2; ) {
      int slot = dBase + (a - t1) * bh;
      if (!hasLoss(lossAt, a)) {
        java.util.Arrays.fill(delta, slot, slot + bh, 0f);
        a++;
        continue;
      }
      int b = runEnd(lossAt, a, t2);
      int runRows = (b - a + 1) * batch;
      if (o > 0) {
        k.gemm(false, false, runRows, h, o, 1f, dOut, dOutOff + (a - 1) * batch * o, o,
            params, layout.offWhy(), h, 0f, delta, slot, h);
      } else {
        System.arraycopy(dOut, dOutOff + (a - 1) * bh, delta, slot, runRows * h);
      }
      a = b + 1;
    }
    for (int t = t2; t >= t1; t--) {
      int cur = dBase + (t - t1) * bh;
      float f = t < steps ? flowAt(flow, t) : 0f; // flow has T entries: none is read at t = T
      if (f != 0f) {
        if (t < t2) {
          recurrentBack(batch, f, params, delta, cur + bh, 1f, delta, cur);
        } else if (next != null) {
          recurrentBack(batch, f, params, next, nextOff, 1f, delta, cur);
        }
      }
      if (traceDh != null) {
        traceDh[t - 1] = (float) Math.sqrt(Blas.sumOfSquaresUnchecked(bh, delta, cur));
      }
      Blas.activationGradUnchecked(activation, bh, hs, hsBase + (t - t1 + 1) * bh, delta, cur, delta, cur);
      if (traceDelta != null) {
        traceDelta[t - 1] = (float) Math.sqrt(Blas.sumOfSquaresUnchecked(bh, delta, cur));
      }
    }
  }

  /**
   * Weight gradients of steps t1..t2 (layout as in {@link #deltaSteps}), each sum over rows in
   * descending (t, b) order through negative leading dimensions: dW_hh += Δᵀ·H_prev,
   * dW_xh += Δᵀ·X, db_h += Σ δ rows, and over loss steps dW_hy += DYᵀ·H, db_y += Σ dy rows.
   */
  void weightGradSteps(float[] params, float[] grads, int batch, int t1, int t2, float[] hs, int hsBase,
                       float[] delta, int dBase, float[] x, int xOff, float[] dOut, int dOutOff, boolean[] lossAt) {
    final int d = layout.inputSize(), h = layout.hiddenSize(), o = layout.outputSize(), bh = batch * h;
    final int rows = (t2 - t1 + 1) * batch;
    BlasSupport k = Blas.impl();
    int lastDelta = dBase + (rows - 1) * h;
    k.gemm(true, false, h, h, rows, 1f, delta, lastDelta, -h, hs, hsBase + (rows - 1) * h, -h,
        1f, grads, layout.offWhh(), h);
    if (d > 0) {
      int lastX = xOff + ((t2 - 1) * batch + batch - 1) * d;
      k.gemm(true, false, h, d, rows, 1f, delta, lastDelta, -h, x, lastX, -d, 1f, grads, layout.offWxh(), d);
    }
    addRowSumsDescending(k, rows, h, delta, dBase, grads, layout.offBh());
    if (o == 0) {
      return;
    }
    for (int b = t2; b >= t1; ) {
      if (!hasLoss(lossAt, b)) {
        b--;
        continue;
      }
      int a = runStart(lossAt, b, t1);
      int runRows = (b - a + 1) * batch;
      int dyFirst = dOutOff + (a - 1) * batch * o;
      int hFirst = hsBase + (a - t1 + 1) * bh;
      k.gemm(true, false, o, h, runRows, 1f, dOut, dyFirst + (runRows - 1) * o, -o,
          hs, hFirst + (runRows - 1) * h, -h, 1f, grads, layout.offWhy(), h);
      addRowSumsDescending(k, runRows, o, dOut, dyFirst, grads, layout.offBy());
      b = a - 1;
    }
  }

  /** out ← f·(δ·W_hh) + β·out for B rows: gemvᵀ for B = 1, a GEMM for B &gt; 1. */
  void recurrentBack(int batch, float f, float[] params, float[] src, int srcOff, float beta, float[] out, int outOff) {
    int h = layout.hiddenSize(), whh = layout.offWhh();
    if (batch == 1) {
      Blas.impl().gemvT(h, h, f, params, whh, h, src, srcOff, beta, out, outOff);
    } else {
      Blas.impl().gemm(false, false, batch, h, h, f, src, srcOff, h, params, whh, h, beta, out, outOff, h);
    }
  }

  static float flowAt(float[] flow, int t) {
    return flow == null ? 1f : flow[t];
  }

  /** Last step of the run of loss steps that starts at a, not beyond limit. */
  private static int runEnd(boolean[] lossAt, int a, int limit) {
    int b = a;
    while (b < limit && hasLoss(lossAt, b + 1)) {
      b++;
    }
    return b;
  }

  /** First step of the run of loss steps that ends at b, not before limit. */
  private static int runStart(boolean[] lossAt, int b, int limit) {
    int a = b;
    while (a > limit && hasLoss(lossAt, a - 1)) {
      a--;
    }
    return a;
  }

  /** Sets grads[...] to zero over the whole layout (for overwrite semantics). */
  public void zeroGradients(float[] grads) {
    checkParams("grads", grads);
    java.util.Arrays.fill(grads, 0, layout.size(), 0f);
  }

  static boolean hasLoss(boolean[] lossAt, int t) {
    return lossAt == null || lossAt[t - 1];
  }

  /** dst[dstOff..+cols) += Σ over rows r of src[srcOff + r·cols ..], rows in descending order. */
  private static void addRowSumsDescending(BlasSupport k, int rows, int cols, float[] src, int srcOff,
                                           float[] dst, int dstOff) {
    for (int r = rows - 1; r >= 0; r--) {
      k.axpy(cols, 1f, src, srcOff + r * cols, dst, dstOff);
    }
  }

  /** Copies the row vector src[off..off+cols) into each of rows rows of dst from dstOff. */
  private static void fillRows(int rows, int cols, float[] src, int off, float[] dst, int dstOff) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(src, off, dst, dstOff + r * cols, cols);
    }
  }

  void checkWorkspace(RnnWorkspace ws) {
    Checks.notNull("ws", ws);
    if (!ws.layout().equals(layout)) {
      throw new IllegalArgumentException("workspace layout " + ws.layout() + " does not match RNN layout " + layout);
    }
  }

  void checkParams(String name, float[] p) {
    Checks.notNull(name, p);
    if (p.length < layout.size()) {
      throw new IllegalArgumentException(name + " has length " + p.length + " < layout size " + layout.size());
    }
  }

  private static void checkTrace(String name, float[] trace, int steps) {
    if (trace != null && trace.length < steps) {
      throw new IllegalArgumentException(name + " has length " + trace.length + " < T=" + steps);
    }
  }
}
