package dev.bptt.kernel;

/**
 * The arguments of one {@link BpttRunner#run} call, validated by the runner and handed to the
 * workspace's engine in one piece. Owned by the workspace (no allocation per call); the array
 * references are cleared when the call ends so a workspace does not keep the caller's data alive.
 */
final class BpttCall {
  float[] params;
  float[] grads;
  float[] x;
  int xOff;
  float[] h0;
  int h0Off;
  BpttLoss loss;
  float[] dOut;
  int dOutOff;
  boolean[] lossAt;
  float[] dh0;
  int dh0Off;

  void set(float[] params, float[] grads, float[] x, int xOff, float[] h0, int h0Off, BpttLoss loss,
           float[] dOut, int dOutOff, boolean[] lossAt, float[] dh0, int dh0Off) {
    this.params = params;
    this.grads = grads;
    this.x = x;
    this.xOff = xOff;
    this.h0 = h0;
    this.h0Off = h0Off;
    this.loss = loss;
    this.dOut = dOut;
    this.dOutOff = dOutOff;
    this.lossAt = lossAt;
    this.dh0 = dh0;
    this.dh0Off = dh0Off;
  }

  void clear() {
    set(null, null, null, 0, null, 0, null, null, 0, null, null, 0);
  }

  /** Writes h_0 (the caller's, or zeros) into states[off..off+B·H). */
  void initialState(float[] states, int off, int bh) {
    if (h0 != null) {
      System.arraycopy(h0, h0Off, states, off, bh);
    } else {
      java.util.Arrays.fill(states, off, off + bh, 0f);
    }
  }

  /** Passes outputs already computed for steps t1..t2 to the loss callback, if any. */
  void report(int t1, int t2, float[] out, int outOff) {
    if (loss != null) {
      loss.outputs(t1, t2, out, outOff);
    }
  }

  /**
   * Reports the outputs of steps t1..t2 to the loss callback, if any: with a readout it first
   * computes y_t for those steps from h_t at states[hOff] into outBuf; without one the outputs
   * are the states themselves.
   */
  void reportOutputs(ElmanRnn rnn, int batch, int t1, int t2, float[] states, int hOff, float[] outBuf) {
    if (loss == null) {
      return;
    }
    if (rnn.layout().hasReadout()) {
      rnn.readout(params, (t2 - t1 + 1) * batch, states, hOff, outBuf, 0);
      loss.outputs(t1, t2, outBuf, 0);
    } else {
      loss.outputs(t1, t2, states, hOff);
    }
  }
}
