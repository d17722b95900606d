package dev.bptt.kernel.internal;

/**
 * Fixed truncation by linearity: the δ that the loss at step s sends back is its own chain
 *
 * <pre>
 *   δ⁽ˢ⁾_s = local(∂L_s/∂h_s),   δ⁽ˢ⁾_t = local((∂h_{t+1}/∂h_t)ᵀ·δ⁽ˢ⁾_{t+1})   for t = s−1 … max(1, s−τ+1),
 * </pre>
 *
 * and the weight gradients only need Δ_t = Σ_s δ⁽ˢ⁾_t. Walking t from T down to 1, the chains alive
 * at t are those of the losses s = t … t+τ−1; all of them take the same step back, so they are
 * advanced together as the rows of one recurrent product (up to τ·B rows) instead of τ products of
 * B rows, and summed into Δ_t.
 *
 * <p>Rows are kept in increasing s (the new chain of step t first, the one that expires last),
 * double-buffered between steps; Δ_t sums them in that order, so the result is deterministic. The
 * trace of ∂L/∂h_t is the norm of Σ_s of the chains' ∂L/∂h_t (before the local derivative).
 */
final class TruncatedChains {
  private final int capacity;
  private float[] cur;
  private float[] next;
  private int[] curLoss;
  private int[] nextLoss;

  TruncatedChains(Recurrence r, int batch, int capacity) {
    this.capacity = capacity;
    int n = Sizes.floats("truncation chains", capacity, batch, r.deltaSize());
    this.cur = new float[n];
    this.next = new float[n];
    this.curLoss = new int[capacity];
    this.nextLoss = new int[capacity];
  }

  /** The most chains the buffers hold (τ). */
  int capacity() {
    return capacity;
  }

  long floats() {
    return 2L * cur.length;
  }

  /**
   * Δ_t for t = T..1 into delta[(t−1)·B·Δ] from the slots of steps 0..T at states[0]; every loss s
   * reaches steps s … max(1, s−τ+1). Requires τ ≤ capacity.
   */
  void deltas(Recurrence r, float[] params, StepData in, int tau, float[] states, float[] delta) {
    final int batch = in.batch;
    final int bs = batch * r.stateSize();
    final int bd = batch * r.deltaSize();
    BlasSupport k = Kernels.blas();
    int alive = 0;
    for (int t = in.steps; t >= 1; t--) {
      // Chains of losses s ≥ t + τ have reached depth τ: they are the last rows.
      int kept = alive;
      while (kept > 0 && curLoss[kept - 1] > t + tau - 1) {
        kept--;
      }
      int first = in.hasLoss(t) ? 1 : 0;
      int slotT = t * bs;
      if (kept > 0) {
        r.recurrentGrad(
            params, kept * batch, batch, 1f, states, slotT + bs, cur, 0, 0f, next, first * bd);
        System.arraycopy(curLoss, 0, nextLoss, first, kept);
      }
      if (first == 1) {
        r.upstreamGrad(params, batch, in.upstream, in.upstreamOffset(t), next, 0);
        nextLoss[0] = t;
      }
      alive = kept + first;
      int dt = (t - 1) * bd;
      if (in.traceDh != null) {
        sumRows(k, alive, bd, next, delta, dt);
        in.traceDh[t - 1] = (float) Math.sqrt(r.hiddenGradSquares(batch, delta, dt));
      }
      for (int i = 0; i < alive; i++) {
        r.localGrad(params, batch, states, slotT, next, i * bd);
      }
      sumRows(k, alive, bd, next, delta, dt);
      if (in.traceDc != null) {
        in.traceDc[t - 1] = (float) Math.sqrt(r.cellGradSquares(batch, delta, dt));
      }
      if (in.traceDelta != null) {
        in.traceDelta[t - 1] = (float) Math.sqrt(Kernels.sumOfSquares(bd, delta, dt));
      }
      swap();
    }
  }

  /**
   * dst[dOff..+n) ← Σ of the first {@code rows} blocks of n floats of src, in increasing order (0
   * for none).
   */
  private static void sumRows(BlasSupport k, int rows, int n, float[] src, float[] dst, int dOff) {
    if (rows == 0) {
      java.util.Arrays.fill(dst, dOff, dOff + n, 0f);
      return;
    }
    System.arraycopy(src, 0, dst, dOff, n);
    for (int i = 1; i < rows; i++) {
      k.axpy(n, 1f, src, i * n, dst, dOff);
    }
  }

  private void swap() {
    float[] f = cur;
    cur = next;
    next = f;
    int[] l = curLoss;
    curLoss = nextLoss;
    nextLoss = l;
  }
}
