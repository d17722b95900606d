package dev.bptt.kernel;

/**
 * Engine of streaming TBPTT(k1, k2) (Williams &amp; Peng 1990, BPTT(h; h′) with h = k2, h′ = k1).
 * Windows end at e_j = min((j+1)·k1, T), j = 0, 1, …; at e_j the forward pass has just computed
 * steps e_{j−1}+1..e_j (e_{−1} = 0), and the backward pass runs over steps
 * lo_j = max(1, e_j − k2 + 1) .. e_j with the losses of steps e_{j−1}+1..e_j only, so every loss
 * is backpropagated exactly once, through between k2 − k1 + 1 and k2 steps. Nothing flows into
 * h_{lo_j − 1}: the carried state is detached, not reset.
 *
 * <p>The window's states live in one buffer of k2 + 1 states: before each window the states it
 * no longer needs are dropped from the front (one move of at most k2·B·H floats, against k1 steps
 * of O(B·H²) work). The δ recursion and weight GEMMs run on the window with window-relative step
 * numbers (offsets of x and dOut shifted, a window-local loss mask), so each window is the same
 * computation as a fresh forward + backward of the fused kernels over its steps.
 */
final class BpttStreaming implements BpttEngine {
  private final int steps;
  private final int bh;
  private final int k1Capacity;
  private final int k2Capacity;
  private final float[] winHidden;
  private final float[] winDelta;
  private final float[] winOut;
  private final boolean[] winLoss;
  private int finalOffset;

  BpttStreaming(RnnLayout layout, int steps, int batch, int k1, int k2) {
    this.steps = steps;
    this.bh = batch * layout.hiddenSize();
    this.k1Capacity = Math.min(k1, steps);
    this.k2Capacity = Math.min(k2, steps);
    long states = (long) (k2Capacity + 1) * bh, outs = (long) k1Capacity * batch * layout.outputSize();
    if (states > Integer.MAX_VALUE - 16 || outs > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("k1=" + k1 + " k2=" + k2 + " B=" + batch + " H=" + layout.hiddenSize()
          + " is too large for one array");
    }
    this.winHidden = new float[(int) states];
    this.winDelta = new float[k2Capacity * bh];
    this.winOut = new float[(int) outs];
    this.winLoss = new boolean[k2Capacity];
  }

  @Override
  public String unfit(BpttStrategy strategy) {
    if (!(strategy instanceof BpttStrategy.Streaming s)) {
      return "it holds one streaming window (k1=" + k1Capacity + ", k2=" + k2Capacity + "), not the buffers of "
          + strategy;
    }
    if (Math.min(s.k1(), steps) > k1Capacity || Math.min(s.k2(), steps) > k2Capacity) {
      return "its window holds k1=" + k1Capacity + ", k2=" + k2Capacity + " steps, " + strategy + " needs more";
    }
    return null;
  }

  @Override
  public void run(ElmanRnn rnn, BpttStrategy strategy, BpttCall c, BpttWorkspace ws) {
    final BpttStrategy.Streaming st = (BpttStrategy.Streaming) strategy;
    final RnnLayout layout = rnn.layout();
    final int batch = bh / layout.hiddenSize();
    final int rowX = batch * layout.inputSize(), rowOut = batch * layout.stepOutputSize();
    c.initialState(winHidden, 0, bh);
    int first = 0; // step of the state in slot 0
    int count = 1; // states in the buffer
    int done = 0;  // last step whose loss was backpropagated
    int window = 0;
    while (done < steps) {
      int end = Math.min(steps, done + st.k1());
      int lo = Math.max(1, end - st.k2() + 1);
      int drop = lo - 1 - first;
      if (drop > 0) {
        System.arraycopy(winHidden, drop * bh, winHidden, 0, (count - drop) * bh);
        count -= drop;
        first = lo - 1;
      }
      rnn.forwardSteps(c.params, batch, done + 1, end, c.x, c.xOff, winHidden, (count - 1) * bh);
      count += end - done;
      c.reportOutputs(rnn, batch, done + 1, end, winHidden, (done + 1 - first) * bh, winOut);
      int len = end - lo + 1;
      for (int i = 0; i < len; i++) {
        winLoss[i] = lo + i > done && ElmanRnn.hasLoss(c.lossAt, lo + i);
      }
      int xOff = c.xOff + (lo - 1) * rowX, dOff = c.dOutOff + (lo - 1) * rowOut;
      rnn.deltaSteps(c.params, batch, 1, len, len, winHidden, 0, winDelta, 0, null, 0, c.dOut, dOff, winLoss,
          null, null, null);
      rnn.weightGradSteps(c.params, c.grads, batch, 1, len, winHidden, 0, winDelta, 0, c.x, xOff, c.dOut, dOff,
          winLoss);
      done = end;
      ws.windows = window + 1;
      if (st.listener() != null) {
        st.listener().windowDone(window, lo, end);
      }
      window++;
    }
    finalOffset = (count - 1) * bh;
  }

  @Override
  public int storedStates() {
    return k2Capacity + 1;
  }

  @Override
  public long floats() {
    return (long) winHidden.length + winDelta.length + winOut.length;
  }

  @Override
  public float[] finalStateArray() {
    return winHidden;
  }

  @Override
  public int finalStateOffset() {
    return finalOffset;
  }
}
