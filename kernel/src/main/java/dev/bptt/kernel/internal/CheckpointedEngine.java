package dev.bptt.kernel.internal;

import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.rnn.SequenceShape;

/**
 * Engine of checkpointed BPTT (Chen et al. 2016 applied to the time axis): the forward pass runs
 * segment by segment through one buffer of s + 1 slots, keeping only each segment's first carried
 * state; the backward pass walks the segments from last to first, recomputes each one's slots from
 * its checkpoint (the last segment is still in the buffer), and runs the δ recursion and the
 * weight-gradient products on it, carrying δ (and the slot it flows back through) across the
 * boundary.
 *
 * <p><b>Bitwise equal to full BPTT.</b> A segment recomputed alone gives bitwise the slots of the
 * full forward pass (GEMM rows do not depend on the row count), δ_t is the same expression on the
 * same operands, and the weight gradients are sums in descending (t, b) order, blocked at absolute
 * rows ({@link SumBlocks}), split into consecutive K ranges processed in that same order: each
 * segment hands the sums a boundary leaves open to the next, so they add up bitwise like one call.
 */
final class CheckpointedEngine implements BpttEngine {
  private final int segmentCapacity;
  private final int segmentsCapacity;

  /** Carried state at the start of segments 0..n−2, [n−1][B][carry]. */
  private final float[] checkpoints;

  /** h_T, kept because the buffer ends the backward pass holding segment 0. */
  private final float[] last;

  /** Slots of steps t1−1..t2 of the segment being processed, [s+1][B][S]. */
  private final float[] segStates;

  /** δ of that segment, [s][B][Δ]. */
  private final float[] segDelta;

  /** Outputs of that segment for the loss callback, [s][B][O′]. */
  private final float[] segOut;

  /** δ_{t2+1} and the slot of step t2+1, from the later segment. */
  private final float[] carryDelta;

  private final float[] carrySlot;

  /**
   * The weight-gradient sums left open where a segment boundary cuts a block of rows, handed to the
   * next (earlier) segment: 2 × the parameter count.
   */
  private final SumBlocks sums;

  private long recomputed;
  private int ranSteps = -1;
  private int ranSegment;
  private int ranCarry;
  private int ranSlot;
  private int ranSegments;

  CheckpointedEngine(Recurrence r, SequenceShape capacity, int segment) {
    int steps = capacity.steps(), batch = capacity.batch();
    int bs = Sizes.floats("a state slot", 1, batch, r.stateSize());
    this.segmentCapacity = segment;
    this.segmentsCapacity = BpttStrategy.Checkpointed.segments(steps, segment);
    this.checkpoints =
        new float[Sizes.floats("checkpoints", segmentsCapacity - 1L, batch, r.carrySize())];
    this.last = new float[segmentsCapacity > 1 ? batch * r.carrySize() : 0];
    this.segStates = new float[Sizes.floats("segment states", segment + 1L, batch, r.stateSize())];
    this.segDelta = new float[Sizes.floats("segment deltas", segment, batch, r.deltaSize())];
    this.segOut =
        new float
            [r.statesAreOutputs()
                ? 0
                : Sizes.floats("segment outputs", segment, batch, r.stepOutputSize())];
    this.carryDelta = new float[batch * r.deltaSize()];
    this.carrySlot = new float[bs];
    this.sums = new SumBlocks(r.parameterCount());
  }

  @Override
  public String unfit(BpttStrategy strategy, SequenceShape shape) {
    if (!(strategy instanceof BpttStrategy.Checkpointed c)) {
      return "it holds checkpoints (segment "
          + segmentCapacity
          + "), not the buffers of "
          + strategy;
    }
    int s = segment(c, shape.steps());
    int n = BpttStrategy.Checkpointed.segments(shape.steps(), s);
    if (s > segmentCapacity || n > segmentsCapacity) {
      return "it holds "
          + segmentsCapacity
          + " segments of at most "
          + segmentCapacity
          + " steps, "
          + strategy
          + " needs "
          + n
          + " segments of "
          + s
          + " for T="
          + shape.steps();
    }
    return null;
  }

  /**
   * The strategy's segment length for T steps, capped at the buffers' segment length: a workspace
   * sized for T then runs every shorter T′ with its own strategy (⌈√T′⌉ can exceed ⌈√T⌉'s segment
   * for T′ ≤ 5, and budgets pick longer segments for shorter sequences). Every segment length gives
   * bitwise the same gradient; the cap only changes how many states are recomputed.
   */
  private int segment(BpttStrategy.Checkpointed c, int steps) {
    return Math.min(c.segmentLength(steps), segmentCapacity);
  }

  @Override
  public void run(Recurrence r, BpttStrategy strategy, float[] params, float[] grads, StepData in) {
    final int steps = in.steps;
    final int batch = in.batch;
    final int s = segment((BpttStrategy.Checkpointed) strategy, steps);
    final int n = BpttStrategy.Checkpointed.segments(steps, s);
    final int rs = batch * r.stateSize();
    final int rd = batch * r.deltaSize();
    final int rc = batch * r.carrySize();
    ranSteps = -1;
    forward(r, params, in, s, n, rs, rc);
    recomputed = 0;
    for (int k = n - 1; k >= 0; k--) {
      int t1 = k * s + 1;
      int t2 = Math.min(steps, t1 + s - 1);
      boolean lastSegment = k == n - 1;
      if (!lastSegment) {
        // δ_{t2+1} and the slot of step t2+1, before this segment overwrites them.
        System.arraycopy(segDelta, 0, carryDelta, 0, rd);
        System.arraycopy(segStates, rs, carrySlot, 0, rs);
        r.loadCarry(batch, checkpoints, k * rc, segStates, 0);
        r.forwardSteps(params, batch, t1, t2, in.x, in.xOffset(t1), segStates, 0);
        recomputed += t2 - t1 + 1;
      }
      Backprop.deltas(
          r,
          params,
          in,
          t1,
          t2,
          segStates,
          0,
          segDelta,
          0,
          lastSegment ? null : carryDelta,
          0,
          carrySlot,
          0);
      sums.resume = !lastSegment;
      sums.suspend = k > 0;
      r.weightGrads(params, grads, batch, t1, t2, segStates, 0, segDelta, 0, in, sums);
    }
    Backprop.initialStateGrad(r, params, in, false, 1f, segStates, rs, segDelta, 0);
    ranSteps = steps;
    ranSegment = s;
    ranCarry = rc;
    ranSlot = rs;
    ranSegments = n;
  }

  /**
   * Forward over all segments: keeps the starts of all but the last, evaluates the loss, keeps h_T.
   */
  private void forward(Recurrence r, float[] params, StepData in, int s, int n, int rs, int rc) {
    in.initialState(r, segStates, 0);
    int prevLen = 0;
    for (int k = 0; k < n; k++) {
      int t1 = k * s + 1;
      int t2 = Math.min(in.steps, t1 + s - 1);
      if (k > 0) {
        // The slot ending the previous segment starts this one (only its carried part is read).
        System.arraycopy(segStates, prevLen * rs, segStates, 0, rs);
      }
      if (k < n - 1) {
        r.storeCarry(in.batch, segStates, 0, checkpoints, k * rc);
      }
      r.forwardSteps(params, in.batch, t1, t2, in.x, in.xOffset(t1), segStates, 0);
      in.evaluateLoss(r, params, t1, t2, segStates, rs, segOut);
      prevLen = t2 - t1 + 1;
    }
    if (n > 1) {
      r.storeCarry(in.batch, segStates, prevLen * rs, last, 0);
    }
  }

  @Override
  public int storedStates() {
    return segmentsCapacity - 1 + (last.length > 0 ? 1 : 0) + segmentCapacity + 1;
  }

  @Override
  public long floats() {
    return (long) checkpoints.length
        + last.length
        + segStates.length
        + segDelta.length
        + segOut.length
        + carryDelta.length
        + carrySlot.length
        + sums.l1.length
        + sums.l2.length;
  }

  @Override
  public long recomputedSteps() {
    return recomputed;
  }

  @Override
  public int truncations() {
    return 0;
  }

  @Override
  public int windows() {
    return 1;
  }

  /**
   * Kept after a run: steps 0..s (the first segment, left in the buffer by the backward pass), the
   * checkpoints (multiples of s that start a segment), and step T.
   */
  @Override
  public boolean keepsState(int t) {
    if (t < 0 || t > ranSteps) {
      return false;
    }
    return t <= ranSegment
        || t == ranSteps
        || (t % ranSegment == 0 && t / ranSegment < ranSegments - 1);
  }

  @Override
  public void copyState(Recurrence r, int t, float[] dst, int off) {
    if (t <= ranSegment) {
      r.storeCarry(ranCarry / r.carrySize(), segStates, t * ranSlot, dst, off);
    } else if (t == ranSteps) {
      System.arraycopy(last, 0, dst, off, ranCarry);
    } else {
      System.arraycopy(checkpoints, (t / ranSegment) * ranCarry, dst, off, ranCarry);
    }
  }
}
