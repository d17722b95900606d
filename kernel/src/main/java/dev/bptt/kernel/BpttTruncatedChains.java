package dev.bptt.kernel;

import dev.bptt.kernel.internal.BlasSupport;

/**
 * Fixed truncation by linearity: the δ that the loss at step s sends back is its own chain
 * <pre>
 *   δ⁽ˢ⁾_s = ∂L_s/∂h_s ⊙ φ′(h_s),   δ⁽ˢ⁾_t = (δ⁽ˢ⁾_{t+1}·W_hh) ⊙ φ′(h_t)   for t = s−1 … max(1, s−τ+1),
 * </pre>
 * and the weight gradients only need Δ_t = Σ_s δ⁽ˢ⁾_t. Walking t from T down to 1, the chains
 * alive at t are those of the losses s = t … t+τ−1; all of them take the same step through
 * W_hh and φ′(h_t), so they are advanced together as the rows of one GEMM
 * (up to τ·B rows × H × H) instead of τ matrix–vector products, and summed into Δ_t.
 *
 * <p>Rows are kept in increasing s (the new chain of step t first, the one that expires last),
 * double-buffered between steps; Δ_t sums them in that order, so the result is deterministic.
 * Cost: T GEMMs of at most τ·B rows, against T matrix–vector products for full BPTT.
 */
final class BpttTruncatedChains {
  private final int capacity;
  private final int bh;
  private float[] cur;
  private float[] next;
  private int[] curLoss;
  private int[] nextLoss;

  BpttTruncatedChains(RnnLayout layout, int batch, int capacity) {
    this.capacity = capacity;
    this.bh = batch * layout.hiddenSize();
    long n = (long) capacity * bh;
    if (n > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("tau=" + capacity + " B=" + batch + " H=" + layout.hiddenSize()
          + " is too large for one chain buffer");
    }
    this.cur = new float[(int) n];
    this.next = new float[(int) n];
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
   * Δ_t for t = T..1 into delta[(t−1)·B·H] from the states hs [T+1][B][H]; every loss s
   * reaches steps s … max(1, s−τ+1). Requires τ ≤ capacity.
   */
  void deltas(ElmanRnn rnn, float[] params, int batch, int steps, int tau, float[] hs, float[] delta,
              float[] dOut, int dOutOff, boolean[] lossAt) {
    final int h = rnn.layout().hiddenSize(), whh = rnn.layout().offWhh();
    final Activation act = rnn.activation();
    BlasSupport k = Blas.impl();
    int alive = 0;
    for (int t = steps; t >= 1; t--) {
      // Chains of losses s ≥ t + τ have reached depth τ: they are the last rows.
      int kept = alive;
      while (kept > 0 && curLoss[kept - 1] > t + tau - 1) {
        kept--;
      }
      int first = ElmanRnn.hasLoss(lossAt, t) ? 1 : 0;
      int hOff = t * bh;
      if (kept > 0) {
        k.gemm(false, false, kept * batch, h, h, 1f, cur, 0, h, params, whh, h, 0f, next, first * bh, h);
        for (int i = 0; i < kept; i++) {
          int row = (first + i) * bh;
          Blas.activationGradUnchecked(act, bh, hs, hOff, next, row, next, row);
          nextLoss[first + i] = curLoss[i];
        }
      }
      if (first == 1) {
        // The new chain: ∂L_t/∂h_t ⊙ φ′(h_t), with the readout's back product if there is one.
        rnn.deltaSteps(params, batch, t, t, steps, hs, hOff - bh, next, 0, null, 0, dOut, dOutOff, lossAt,
            null, null, null);
        nextLoss[0] = t;
      }
      alive = kept + first;
      int dt = (t - 1) * bh;
      if (alive == 0) {
        java.util.Arrays.fill(delta, dt, dt + bh, 0f);
      } else {
        System.arraycopy(next, 0, delta, dt, bh);
        for (int i = 1; i < alive; i++) {
          k.axpy(bh, 1f, next, i * bh, delta, dt);
        }
      }
      swap();
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
