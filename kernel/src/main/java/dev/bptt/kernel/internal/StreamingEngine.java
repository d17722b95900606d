package dev.bptt.kernel.internal;

import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.rnn.SequenceShape;

/**
 * Engine of streaming TBPTT(k1, k2) (Williams &amp; Peng 1990, BPTT(h; h′) with h = k2, h′ = k1).
 * Windows end at e_j = min((j+1)·k1, T), j = 0, 1, …; at e_j the forward pass has just computed
 * steps e_{j−1}+1..e_j (e_{−1} = 0), and the backward pass runs over steps lo_j = max(1, e_j − k2 +
 * 1) .. e_j with the losses of steps e_{j−1}+1..e_j only, so every loss is backpropagated exactly
 * once, through between k2 − k1 + 1 and k2 steps. Nothing flows into h_{lo_j − 1}: the carried
 * state is detached, not reset.
 *
 * <p>The window's slots live in one buffer of k2 + 1 slots: before each window the slots it no
 * longer needs are dropped from the front (one move of at most k2·B·S floats, against k1 steps of
 * O(B·H²) work). A trace entry is written by every window that reaches its step, so after the run
 * it holds the value of the last one.
 */
final class StreamingEngine implements BpttEngine {
  private final int k1Capacity;
  private final int k2Capacity;
  private final float[] winStates;
  private final float[] winDelta;
  private final float[] winOut;
  private int windows;
  private int ranSteps = -1;
  private int finalOffset;
  private int ranBatch;

  StreamingEngine(Recurrence r, SequenceShape capacity, int k1, int k2) {
    int steps = capacity.steps(), batch = capacity.batch();
    this.k1Capacity = Math.min(k1, steps);
    this.k2Capacity = Math.min(k2, steps);
    this.winStates =
        new float[Sizes.floats("window states", k2Capacity + 1L, batch, r.stateSize())];
    this.winDelta = new float[Sizes.floats("window deltas", k2Capacity, batch, r.deltaSize())];
    this.winOut =
        new float
            [r.statesAreOutputs()
                ? 0
                : Sizes.floats("window outputs", k1Capacity, batch, r.stepOutputSize())];
  }

  @Override
  public String unfit(BpttStrategy strategy, SequenceShape shape) {
    if (!(strategy instanceof BpttStrategy.Streaming s)) {
      return "it holds one streaming window (k1="
          + k1Capacity
          + ", k2="
          + k2Capacity
          + "), not the buffers of "
          + strategy;
    }
    if (Math.min(s.k1(), shape.steps()) > k1Capacity
        || Math.min(s.k2(), shape.steps()) > k2Capacity) {
      return "its window holds k1="
          + k1Capacity
          + ", k2="
          + k2Capacity
          + " steps, "
          + strategy
          + " needs more";
    }
    return null;
  }

  @Override
  public void run(Recurrence r, BpttStrategy strategy, float[] params, float[] grads, StepData in) {
    final BpttStrategy.Streaming st = (BpttStrategy.Streaming) strategy;
    final int steps = in.steps;
    final int batch = in.batch;
    final int bs = batch * r.stateSize();
    ranSteps = -1;
    windows = 0;
    in.initialState(r, winStates, 0);
    int first = 0; // step of the slot at index 0
    int count = 1; // slots in the buffer
    int done = 0; // last step whose loss was backpropagated
    try {
      while (done < steps) {
        int end = Math.min(steps, done + st.k1());
        int lo =
            st.chunkAligned()
                ? Math.max(1, done + 1 - (st.k2() - st.k1()))
                : Math.max(1, end - st.k2() + 1);
        int drop = lo - 1 - first;
        if (drop > 0) {
          System.arraycopy(winStates, drop * bs, winStates, 0, (count - drop) * bs);
          count -= drop;
          first = lo - 1;
        }
        r.forwardSteps(
            params, batch, done + 1, end, in.x, in.xOffset(done + 1), winStates, (count - 1) * bs);
        count += end - done;
        in.lossFrom = done + 1;
        in.evaluateLoss(r, params, done + 1, end, winStates, (done + 1 - first) * bs, winOut);
        Backprop.deltas(r, params, in, lo, end, winStates, 0, winDelta, 0, null, 0, null, 0);
        r.weightGrads(params, grads, batch, lo, end, winStates, 0, winDelta, 0, in, null);
        done = end;
        windows++;
        st.listener().windowDone(windows - 1, lo, end);
        r.paramsChanged(); // the listener may have updated the parameters
      }
    } finally {
      in.lossFrom = 1;
    }
    finalOffset = (count - 1) * bs;
    ranBatch = batch;
    ranSteps = steps;
  }

  @Override
  public int storedStates() {
    return k2Capacity + 1;
  }

  @Override
  public long floats() {
    return (long) winStates.length + winDelta.length + winOut.length;
  }

  @Override
  public long recomputedSteps() {
    return 0;
  }

  @Override
  public int truncations() {
    return 0;
  }

  @Override
  public int windows() {
    return windows;
  }

  /** Kept after a run: step T only. */
  @Override
  public boolean keepsState(int t) {
    return t == ranSteps;
  }

  @Override
  public void copyState(Recurrence r, int t, float[] dst, int off) {
    r.storeCarry(ranBatch, winStates, finalOffset, dst, off);
  }
}
