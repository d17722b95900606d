package dev.bptt.kernel.internal;

import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.NonFiniteStateException;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.StepLoss;

/**
 * The per-call data of one pass, validated by the public entry point and handed to the engines in
 * one piece: run shape, inputs, initial state, loss steps with their compact upstream gradients,
 * optional outputs (∂L/∂h_0, traces) and the flow factors of the randomized strategy. Owned by a
 * workspace and refilled per call (no allocation); {@link #clear()} drops the references to the
 * caller's arrays when the call ends.
 */
public final class StepData {
  /** T and B of this call. */
  public int steps;

  public int batch;

  /** Inputs: x_1 at xOff, [T][B][D]. */
  public float[] x;

  public int xOff;

  /** Carried initial state [B][carry] at s0Off, or null for zeros. */
  public float[] s0;

  public int s0Off;

  /** Loss steps, compact upstream gradients [L][B][O′] at upOff. */
  public LossSteps losses;

  public float[] upstream;
  public int upOff;

  /** Losses of steps before this one are ignored (streaming windows); 1 otherwise. */
  public int lossFrom = 1;

  /** Loss callback or null, and the sum of its values in this call. */
  public StepLoss loss;

  public double lossSum;

  /** Optional outputs. */
  public float[] dInitial;

  public int dInitialOff;
  public float[] traceDh;
  public float[] traceDc;
  public float[] traceDelta;

  /**
   * Flow factor of the recurrent term between steps t and t+1 at index t (t = 0..T−1), or null for
   * all ones.
   */
  public float[] flow;

  /**
   * True when the forward pass scans what it produces for NaN and ±∞ (the non-finite check): the
   * states and outputs passed to {@link #evaluateLoss} and each loss value; set by the workspace
   * after {@link #set}.
   */
  public boolean checkFinite;

  private int inputRow;
  private int outputRow;

  /**
   * Fills this call from a checked sequence holder; x may be replaced by a copy via {@link #input}.
   */
  public void set(Recurrence r, SequenceBatch seq) {
    steps = seq.shape().steps();
    batch = seq.shape().batch();
    x = seq.input();
    xOff = seq.inputOffset();
    s0 = seq.initialState();
    s0Off = seq.initialStateOffset();
    losses = seq.losses();
    upstream = seq.upstream();
    upOff = seq.upstreamOffset();
    lossFrom = 1;
    loss = seq.loss();
    lossSum = 0;
    dInitial = seq.initialStateGradient();
    dInitialOff = seq.initialStateGradientOffset();
    traceDh = seq.traceDh();
    traceDc = seq.traceDc();
    traceDelta = seq.traceDelta();
    flow = null;
    checkFinite = false;
    inputRow = batch * r.inputSize();
    outputRow = batch * r.stepOutputSize();
  }

  /** Reads the inputs from another array (a workspace's copy). */
  public void input(float[] x, int xOff) {
    this.x = x;
    this.xOff = xOff;
  }

  /** Drops every reference to the caller's arrays and objects. */
  public void clear() {
    x = s0 = upstream = dInitial = traceDh = traceDc = traceDelta = flow = null;
    losses = null;
    loss = null;
  }

  /** Offset of x_t in {@link #x}. */
  public int xOffset(int t) {
    return xOff + (t - 1) * inputRow;
  }

  /** True when step t carries a loss in this call. */
  public boolean hasLoss(int t) {
    return t >= lossFrom && losses.index(t, steps) >= 0;
  }

  /** Index of loss step t among the loss steps (its upstream block; the readout's row order). */
  public int lossIndex(int t) {
    return losses.index(t, steps);
  }

  /**
   * Offset of step t's upstream block; step t must carry a loss. Consecutive loss steps have
   * consecutive blocks.
   */
  public int upstreamOffset(int t) {
    return upOff + losses.index(t, steps) * outputRow;
  }

  /** Last step of the run of loss steps that starts at a, not beyond limit. */
  public int runEnd(int a, int limit) {
    int b = a;
    while (b < limit && hasLoss(b + 1)) {
      b++;
    }
    return b;
  }

  /** First step of the run of loss steps that ends at b, not before limit. */
  public int runStart(int b, int limit) {
    int a = b;
    while (a > limit && hasLoss(a - 1)) {
      a--;
    }
    return a;
  }

  /** Flow factor between steps t and t+1 (1 without flow factors). */
  public float flowAt(int t) {
    return flow == null ? 1f : flow[t];
  }

  /**
   * Writes the initial carried state (the caller's, or zeros) into the slot rows at states[off].
   */
  public void initialState(Recurrence r, float[] states, int off) {
    if (s0 != null) {
      r.loadCarry(batch, s0, s0Off, states, off);
    } else {
      java.util.Arrays.fill(states, off, off + batch * r.stateSize(), 0f);
    }
  }

  /**
   * Calls the loss callback (if any) for the loss steps among t1..t2, whose slots start at
   * states[slotOff] (step t1's slot): with outputs separate from the states they are computed into
   * outBuf first, else the slots are the outputs. Adds the returned values to {@link #lossSum}.
   */
  public void evaluateLoss(
      Recurrence r, float[] params, int t1, int t2, float[] states, int slotOff, float[] outBuf) {
    if (checkFinite) {
      scanStates(r, t1, t2, states, slotOff);
    }
    if (loss == null) {
      return;
    }
    int slotRow = batch * r.stateSize();
    float[] y = states;
    int yOff = slotOff;
    int yRow = slotRow;
    if (!r.statesAreOutputs()) {
      boolean any = false;
      for (int t = t1; t <= t2 && !any; t++) {
        any = hasLoss(t);
      }
      if (!any) {
        return;
      }
      r.outputs(params, (t2 - t1 + 1) * batch, states, slotOff, outBuf, 0);
      if (checkFinite) {
        scanOutputs(t1, t2, outBuf, 0, outputRow);
      }
      y = outBuf;
      yOff = 0;
      yRow = outputRow;
    }
    evaluateLoss(t1, t2, y, yOff, yRow);
  }

  /**
   * Calls the loss callback for the loss steps among t1..t2 whose outputs are at y[yOff + (t −
   * t1)·yRow].
   */
  public void evaluateLoss(int t1, int t2, float[] y, int yOff, int yRow) {
    if (loss == null) {
      return;
    }
    for (int t = t1; t <= t2; t++) {
      if (hasLoss(t)) {
        double v = loss.apply(t, y, yOff + (t - t1) * yRow, upstream, upstreamOffset(t));
        if (checkFinite && !Double.isFinite(v)) {
          throw new NonFiniteStateException("forward", "loss", t, -1, losses.index(t, steps), v);
        }
        lossSum += v;
      }
    }
  }

  /**
   * The forward check of the slot rows of steps t1..t2 at states[slotOff]: throws {@link
   * NonFiniteStateException} naming the first non-finite entry.
   */
  public void scanStates(Recurrence r, int t1, int t2, float[] states, int slotOff) {
    int width = r.stateSize();
    int slotRow = batch * width;
    int i = Kernels.blas().firstNonFinite((t2 - t1 + 1) * slotRow, states, slotOff);
    if (i >= 0) {
      int t = t1 + i / slotRow;
      int col = i % slotRow;
      throw new NonFiniteStateException(
          "forward", "states", t, col / width, (t - 1L) * slotRow + col, states[slotOff + i]);
    }
  }

  /**
   * The forward check of the outputs of steps t1..t2 at y[yOff], one row of yRow = B·O′ floats per
   * step: throws {@link NonFiniteStateException} naming the first non-finite entry.
   */
  public void scanOutputs(int t1, int t2, float[] y, int yOff, int yRow) {
    int i = Kernels.blas().firstNonFinite((t2 - t1 + 1) * yRow, y, yOff);
    if (i >= 0) {
      int t = t1 + i / yRow;
      int col = i % yRow;
      throw new NonFiniteStateException(
          "forward", "outputs", t, col / (yRow / batch), (t - 1L) * yRow + col, y[yOff + i]);
    }
  }

  /**
   * The backward check: the first non-finite entry of grads[0..p), then of this call's ∂L/∂(initial
   * state) (B·carry floats), as an exception to throw or record, or null when all are finite.
   */
  public NonFiniteStateException scanBackward(Recurrence r, float[] grads, int p) {
    int i = Kernels.blas().firstNonFinite(p, grads, 0);
    if (i >= 0) {
      return new NonFiniteStateException("backward", "grads", -1, -1, i, grads[i]);
    }
    if (dInitial != null) {
      int carry = r.carrySize();
      i = Kernels.blas().firstNonFinite(batch * carry, dInitial, dInitialOff);
      if (i >= 0) {
        return new NonFiniteStateException(
            "backward", "initialStateGradient", 0, -1, i, dInitial[dInitialOff + i]);
      }
    }
    return null;
  }

  /** Under the ZERO policy: ∂L/∂(initial state), when requested, becomes zeros. */
  public void zeroInitialStateGradient(Recurrence r) {
    if (dInitial != null) {
      java.util.Arrays.fill(dInitial, dInitialOff, dInitialOff + batch * r.carrySize(), 0f);
    }
  }
}
