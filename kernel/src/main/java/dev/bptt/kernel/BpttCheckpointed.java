package dev.bptt.kernel;

/**
 * Engine of checkpointed BPTT (Chen et al. 2016 applied to the time axis): the forward pass runs
 * segment by segment through one buffer of s + 1 states, keeping only each segment's first
 * state; the backward pass walks the segments from last to first, recomputes each one's states
 * from its checkpoint (the last segment is still in the buffer), and runs the fused δ recursion
 * and weight-gradient GEMMs on it, carrying δ across the boundary.
 *
 * <p><b>Bitwise equal to full BPTT.</b> A segment recomputed alone gives bitwise the states of
 * the full forward pass (GEMM rows do not depend on the row count), δ_t is the same expression
 * on the same operands, and the weight gradients are sums in descending (t, b) order split into
 * consecutive K ranges processed in that same order, which the GEMM driver sums bitwise like one
 * call.
 */
final class BpttCheckpointed implements BpttEngine {
  private final int steps;
  private final int bh;
  private final int segmentCapacity;
  private final int segmentsCapacity;
  /** h at the start of segments 0..n−2, [n−1][B][H]. */
  private final float[] checkpoints;
  /** h_T, kept because the buffer ends the backward pass holding segment 0 (empty if n = 1). */
  private final float[] last;
  /** States h_{t1−1}..h_{t2} of the segment being processed, [s+1][B][H]. */
  private final float[] segHidden;
  /** δ of that segment, [s][B][H]. */
  private final float[] segDelta;
  /** Outputs of that segment for the loss callback, [s][B][O]. */
  private final float[] segOut;
  /** δ_{t2+1}, the first δ of the later segment, [B][H]. */
  private final float[] carry;
  private float[] finalArray;
  private int finalOffset;

  BpttCheckpointed(RnnLayout layout, int steps, int batch, int segment) {
    this.steps = steps;
    this.bh = batch * layout.hiddenSize();
    this.segmentCapacity = segment;
    this.segmentsCapacity = BpttStrategy.Checkpointed.segments(steps, segment);
    long seg = (long) (segment + 1) * bh, outs = (long) segment * batch * layout.outputSize();
    long cps = (long) (segmentsCapacity - 1) * bh;
    if (seg > Integer.MAX_VALUE - 16 || outs > Integer.MAX_VALUE - 16 || cps > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("T=" + steps + " B=" + batch + " H=" + layout.hiddenSize()
          + " segment=" + segment + " is too large for one array");
    }
    this.checkpoints = new float[(int) cps];
    this.last = new float[segmentsCapacity > 1 ? bh : 0];
    this.segHidden = new float[(int) seg];
    this.segDelta = new float[segment * bh];
    this.segOut = new float[(int) outs];
    this.carry = new float[bh];
  }

  @Override
  public String unfit(BpttStrategy strategy) {
    if (!(strategy instanceof BpttStrategy.Checkpointed c)) {
      return "it holds checkpoints (segment " + segmentCapacity + "), not the buffers of " + strategy;
    }
    int s = c.segmentLength(steps);
    int n = BpttStrategy.Checkpointed.segments(steps, s);
    if (s > segmentCapacity || n > segmentsCapacity) {
      return "it holds " + segmentsCapacity + " segments of at most " + segmentCapacity + " steps, " + strategy
          + " needs " + n + " segments of " + s;
    }
    return null;
  }

  @Override
  public void run(ElmanRnn rnn, BpttStrategy strategy, BpttCall c, BpttWorkspace ws) {
    final int s = ((BpttStrategy.Checkpointed) strategy).segmentLength(steps);
    final int n = BpttStrategy.Checkpointed.segments(steps, s);
    final int batch = bh / rnn.layout().hiddenSize();
    forward(rnn, c, batch, s, n);
    long recomputed = 0;
    for (int k = n - 1; k >= 0; k--) {
      int t1 = k * s + 1, t2 = Math.min(steps, t1 + s - 1);
      boolean lastSegment = k == n - 1;
      if (!lastSegment) {
        System.arraycopy(segDelta, 0, carry, 0, bh); // δ_{t2+1}, before this segment overwrites it
        System.arraycopy(checkpoints, k * bh, segHidden, 0, bh);
        rnn.forwardSteps(c.params, batch, t1, t2, c.x, c.xOff, segHidden, 0);
        recomputed += t2 - t1 + 1;
      }
      rnn.deltaSteps(c.params, batch, t1, t2, steps, segHidden, 0, segDelta, 0, lastSegment ? null : carry, 0,
          c.dOut, c.dOutOff, c.lossAt, null, null, null);
      rnn.weightGradSteps(c.params, c.grads, batch, t1, t2, segHidden, 0, segDelta, 0, c.x, c.xOff,
          c.dOut, c.dOutOff, c.lossAt);
    }
    if (c.dh0 != null) {
      rnn.recurrentBack(batch, 1f, c.params, segDelta, 0, 0f, c.dh0, c.dh0Off);
    }
    ws.recomputedSteps = recomputed;
  }

  /** Forward over all segments: keeps the starts of all but the last, reports outputs, keeps h_T. */
  private void forward(ElmanRnn rnn, BpttCall c, int batch, int s, int n) {
    c.initialState(segHidden, 0, bh);
    int prevLen = 0;
    for (int k = 0; k < n; k++) {
      int t1 = k * s + 1, t2 = Math.min(steps, t1 + s - 1);
      if (k > 0) {
        System.arraycopy(segHidden, prevLen * bh, segHidden, 0, bh); // h_{t1−1} ends the previous segment
      }
      if (k < n - 1) {
        System.arraycopy(segHidden, 0, checkpoints, k * bh, bh);
      }
      rnn.forwardSteps(c.params, batch, t1, t2, c.x, c.xOff, segHidden, 0);
      c.reportOutputs(rnn, batch, t1, t2, segHidden, bh, segOut);
      prevLen = t2 - t1 + 1;
    }
    if (n > 1) {
      System.arraycopy(segHidden, prevLen * bh, last, 0, bh);
      finalArray = last;
      finalOffset = 0;
    } else {
      finalArray = segHidden; // one segment: never recomputed, h_T stays in place
      finalOffset = prevLen * bh;
    }
  }

  @Override
  public int storedStates() {
    return segmentsCapacity - 1 + last.length / bh + segmentCapacity + 1;
  }

  @Override
  public long floats() {
    return (long) checkpoints.length + last.length + segHidden.length + segDelta.length + segOut.length
        + carry.length;
  }

  @Override
  public float[] finalStateArray() {
    return finalArray;
  }

  @Override
  public int finalStateOffset() {
    return finalOffset;
  }
}
