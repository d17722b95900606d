package dev.bptt.kernel;

/**
 * Every buffer one forward/backward pass of an {@link ElmanRnn} needs, for sequences of length
 * T and batch B: after construction, forward and backward allocate nothing.
 *
 * <p>Buffers (all flat, row-major):
 * <ul>
 *   <li>hidden states [T+1][B][H]: h_0 at step 0, h_t at step t ({@link #hiddenOffset});</li>
 *   <li>outputs [T][B][O] when the layout has a readout ({@link #outputOffset}, step t = 1..T);</li>
 *   <li>deltas [T][B][H]: δ_t = ∂L/∂z_t (pre-activation gradients), kept for the deferred
 *       weight-gradient GEMMs ({@link #deltaOffset}).</li>
 * </ul>
 * A workspace is not thread-safe; use one per thread.
 */
public final class RnnWorkspace {
  private final RnnLayout layout;
  private final int steps;
  private final int batch;
  final float[] hidden;
  final float[] output;
  final float[] delta;
  // Set by forward, read by backward: the input sequence (not copied).
  float[] x;
  int xOff;
  boolean forwardDone;

  /**
   * @param layout the RNN layout
   * @param steps  T ≥ 1
   * @param batch  B ≥ 1
   */
  public RnnWorkspace(RnnLayout layout, int steps, int batch) {
    Checks.notNull("layout", layout);
    if (steps < 1) {
      throw new IllegalArgumentException("steps (T) must be >= 1, got " + steps);
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch (B) must be >= 1, got " + batch);
    }
    int h = layout.hiddenSize();
    long states = (long) (steps + 1) * batch * h;
    long outs = (long) steps * batch * layout.outputSize();
    if (states > Integer.MAX_VALUE - 16 || outs > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("T=" + steps + " B=" + batch + " H=" + h + " is too large for one array");
    }
    this.layout = layout;
    this.steps = steps;
    this.batch = batch;
    this.hidden = new float[(int) states];
    this.output = new float[(int) outs];
    this.delta = new float[steps * batch * h];
  }

  /** The layout this workspace was sized for. */
  public RnnLayout layout() {
    return layout;
  }

  /** Sequence length T. */
  public int steps() {
    return steps;
  }

  /** Batch size B. */
  public int batch() {
    return batch;
  }

  /** Hidden states [T+1][B][H]; h_t for batch row b starts at {@code hiddenOffset(t) + b·H}. */
  public float[] hidden() {
    return hidden;
  }

  /** Offset of h_t (t = 0..T) in {@link #hidden()}: t·B·H. */
  public int hiddenOffset(int t) {
    return t * batch * layout.hiddenSize();
  }

  /** Readout outputs [T][B][O]; y_t (t = 1..T) starts at {@link #outputOffset}. Empty without readout. */
  public float[] output() {
    return output;
  }

  /** Offset of y_t (t = 1..T) in {@link #output()}: (t−1)·B·O. */
  public int outputOffset(int t) {
    return (t - 1) * batch * layout.outputSize();
  }

  /** Pre-activation gradients δ_t [T][B][H] of the last backward pass. */
  public float[] delta() {
    return delta;
  }

  /** Offset of δ_t (t = 1..T) in {@link #delta()}: (t−1)·B·H. */
  public int deltaOffset(int t) {
    return (t - 1) * batch * layout.hiddenSize();
  }

}
