package dev.bptt.kernel.training;

import dev.bptt.kernel.internal.Checks;
import java.util.List;
import java.util.Objects;

/**
 * The caller-owned, mutable state of one {@link Optimizer} over n parameters: the step count t and
 * one flat {@code float[n]} buffer per moment, in the parameters' layout, named as in PyTorch's
 * optimizer state ({@code momentum_buffer}, {@code exp_avg}, {@code exp_avg_sq}, {@code
 * max_exp_avg_sq}, {@code square_avg}, {@code grad_avg}). Made by {@link Optimizer#newState(int)},
 * zero-filled with t = 0; every step increments t and updates the buffers in place. Not
 * thread-safe: one per model being trained.
 */
public final class OptimizerState {
  private final int size;
  private final String[] names;
  private final float[][] buffers;
  private long step;

  OptimizerState(int size, String[] names) {
    this.size = size;
    this.names = names;
    this.buffers = new float[names.length][];
    for (int i = 0; i < names.length; i++) {
      buffers[i] = new float[size];
    }
  }

  /** Number of parameters n the state was made for. */
  public int size() {
    return size;
  }

  /** The step count t: the number of steps taken (0 before the first). */
  public long step() {
    return step;
  }

  /**
   * Sets the step count, e.g. when the buffers are restored from a checkpoint (the bias corrections
   * of Adam depend on it; SGD's first momentum step is the one taken at t = 0).
   *
   * @throws IllegalArgumentException if t &lt; 0
   */
  public void setStep(long t) {
    if (t < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + t);
    }
    step = t;
  }

  /** Number of state buffers (0 for SGD without momentum). */
  public int bufferCount() {
    return buffers.length;
  }

  /** The PyTorch name of buffer i (e.g. {@code exp_avg}). */
  public String bufferName(int i) {
    return names[Objects.checkIndex(i, names.length)];
  }

  /** The names of the buffers, in order. */
  public List<String> bufferNames() {
    return List.of(names);
  }

  /**
   * Buffer i itself (not a copy): n floats in the parameters' layout, so {@code
   * layout.tensors(state.buffer(i))} names its views like the parameters.
   */
  public float[] buffer(int i) {
    return buffers[Objects.checkIndex(i, buffers.length)];
  }

  /**
   * The buffer with the given name.
   *
   * @throws IllegalArgumentException if there is none
   */
  public float[] buffer(String name) {
    Checks.notNull("name", name);
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return buffers[i];
      }
    }
    throw new IllegalArgumentException(
        "no state buffer '" + name + "'; this state has " + List.of(names));
  }

  /** Zeroes every buffer and sets t = 0. */
  public void reset() {
    for (float[] b : buffers) {
      java.util.Arrays.fill(b, 0f);
    }
    step = 0;
  }

  String[] names() {
    return names;
  }

  float[] raw(int i) {
    return buffers[i];
  }

  void advance() {
    step++;
  }

  @Override
  public String toString() {
    return "OptimizerState[n=" + size + " t=" + step + " " + List.of(names) + "]";
  }
}
