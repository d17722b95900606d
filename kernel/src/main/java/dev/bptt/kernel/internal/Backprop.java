package dev.bptt.kernel.internal;

/**
 * The cell-independent parts of a forward + backward pass, written once against {@link Recurrence}
 * and used by every engine: the δ recursion over a segment and the full backward pass over stored
 * states.
 */
public final class Backprop {
  private Backprop() {}

  /**
   * δ_t for t = t2 down to t1 into delta[dBase + (t − t1)·B·Δ], with the slot of step t at base +
   * (t − t1 + 1)·B·S:
   *
   * <pre>
   *   ∂L/∂h_t = upstream_t (loss steps only) + flow[t]·(∂h_{t+1}/∂h_t)ᵀ·δ_{t+1},   δ_t = local(∂L/∂h_t)
   * </pre>
   *
   * δ_{t2+1} and the slot of step t2+1 are read from {@code next}/{@code nextSlot} (next null:
   * nothing flows in at t2, as at t2 = T or at a window's end). Traces, when the call has them, are
   * written at t − 1.
   */
  public static void deltas(
      Recurrence r,
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
    final int bd = in.batch * r.deltaSize();
    // Upstream ∂L/∂h_t into the δ slots over runs of consecutive loss steps (one product per run).
    for (int a = r.deltasGatherUpstream(in) ? t2 + 1 : t1; a <= t2; ) {
      int slot = dBase + (a - t1) * bd;
      if (!in.hasLoss(a)) {
        java.util.Arrays.fill(delta, slot, slot + bd, 0f);
        a++;
        continue;
      }
      int b = in.runEnd(a, t2);
      r.upstreamGrad(
          params, (b - a + 1) * in.batch, in.upstream, in.upstreamOffset(a), delta, slot);
      a = b + 1;
    }
    r.deltas(params, in, t1, t2, states, base, delta, dBase, next, nextOff, nextSlot, nextSlotOff);
    if (in.traceDelta != null) {
      for (int t = t1; t <= t2; t++) {
        in.traceDelta[t - 1] =
            (float) Math.sqrt(Kernels.sumOfSquares(bd, delta, dBase + (t - t1) * bd));
      }
    }
  }

  /**
   * Full BPTT over the stored slots of steps 0..T at states[0] (flow factors from the call, if
   * any): δ_T..δ_1 into delta[0], ∂L/∂h_0 = flow[0]·(∂h_1/∂h_0)ᵀ·δ_1 when asked, and the weight
   * gradients of all T steps: in one call when {@code chunks} is null, else chunked: the steps go
   * from T down in chunks of {@link #chunkSteps} steps ending at multiples of it, each chunk's δ
   * recursion followed at once by its weight-gradient sums, while its δ and states are still in
   * cache (a 256-step pass at B = 32 otherwise reads 25–58 MB of δ back from DRAM). A chunk holds
   * whole blocks of {@link SumBlocks#BLOCK} rows, so no sum is left open between chunks and the
   * holder needs no carry buffers; the δ recursion is split as checkpointed BPTT splits it. Same
   * bits as one call.
   */
  public static void full(
      Recurrence r,
      float[] params,
      float[] grads,
      StepData in,
      float[] states,
      float[] delta,
      SumBlocks chunks) {
    final int steps = in.steps, batch = in.batch;
    final int c = chunkSteps(batch);
    if (chunks == null || c >= steps) {
      deltas(r, params, in, 1, steps, states, 0, delta, 0, null, 0, null, 0);
      initialStateGrad(r, params, in, false, in.flowAt(0), states, batch * r.stateSize(), delta, 0);
      r.weightGrads(params, grads, batch, 1, steps, states, 0, delta, 0, in, null);
      return;
    }
    final int bs = batch * r.stateSize(), bd = batch * r.deltaSize();
    for (int t2 = steps, t1; t2 >= 1; t2 = t1 - 1) {
      t1 = (t2 - 1) / c * c + 1;
      boolean top = t2 == steps;
      deltas(
          r,
          params,
          in,
          t1,
          t2,
          states,
          (t1 - 1) * bs,
          delta,
          (t1 - 1) * bd,
          top ? null : delta,
          t2 * bd,
          top ? null : states,
          (t2 + 1) * bs);
      chunks.resume = !top;
      chunks.suspend = t1 > 1;
      // Beside the next chunk's δ recursion, with a team: its threads even out in the pieces.
      chunks.beside = true;
      r.weightGrads(
          params, grads, batch, t1, t2, states, (t1 - 1) * bs, delta, (t1 - 1) * bd, in, chunks);
    }
    chunks.beside = false;
    r.finishWeightGrads();
    initialStateGrad(r, params, in, false, in.flowAt(0), states, bs, delta, 0);
  }

  /**
   * Steps per chunk of {@link #full}: the fewest whose rows (steps·B) are a multiple of {@link
   * SumBlocks#BLOCK} (8 at B = 32, 256 at B = 1), so every chunk boundary is a block boundary.
   */
  static int chunkSteps(int batch) {
    return SumBlocks.BLOCK / gcd(batch, SumBlocks.BLOCK);
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  /**
   * ∂L/∂(initial state) ← f·(∂s_1/∂s_0)ᵀ·δ_1 into the call's output, if it has one; {@code packed}
   * as in {@link Recurrence#initialStateGrad}: the product's form the caller's backward uses per
   * step, so this once-per-call product runs code the JIT has compiled.
   */
  public static void initialStateGrad(
      Recurrence r,
      float[] params,
      StepData in,
      boolean packed,
      float f,
      float[] slot1,
      int slot1Off,
      float[] delta1,
      int d1Off) {
    if (in.dInitial != null) {
      r.initialStateGrad(
          params, in.batch, packed, f, slot1, slot1Off, delta1, d1Off, in.dInitial, in.dInitialOff);
    }
  }
}
