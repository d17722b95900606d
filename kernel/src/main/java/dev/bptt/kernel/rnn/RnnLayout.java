package dev.bptt.kernel.rnn;

import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.internal.Checks;

/**
 * Immutable layout of an Elman RNN's parameters in ONE flat {@code float[]}: input size D, hidden
 * size H, output size O (0 = no readout). The views, in this order, are
 *
 * <pre>
 *   W_xh  H×D   at 0
 *   W_hh  H×H   at H·D
 *   b_h   H     at H·D + H·H
 *   W_hy  O×H   at H·D + H·H + H          (absent when O = 0)
 *   b_y   O     at H·D + H·H + H + O·H    (absent when O = 0)
 * </pre>
 *
 * all row-major with ld = cols. Gradients use the same layout in a second array of {@link #size()}
 * floats, so clipping and optimizers see one contiguous buffer.
 *
 * @param inputSize D ≥ 0
 * @param hiddenSize H ≥ 1
 * @param outputSize O ≥ 0 (0: the RNN's output is h_t itself)
 */
public record RnnLayout(int inputSize, int hiddenSize, int outputSize) {

  /** Validates the sizes and that the total fits an int array. */
  public RnnLayout {
    Checks.nonNegative("inputSize", inputSize);
    Checks.positive("hiddenSize", hiddenSize);
    Checks.nonNegative("outputSize", outputSize);
    long total =
        (long) hiddenSize * inputSize
            + (long) hiddenSize * hiddenSize
            + hiddenSize
            + (long) outputSize * hiddenSize
            + outputSize;
    if (total > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(
          "layout D="
              + inputSize
              + " H="
              + hiddenSize
              + " O="
              + outputSize
              + " needs "
              + total
              + " floats, more than an array holds");
    }
  }

  /** True when there is a readout y_t = W_hy·h_t + b_y. */
  public boolean hasReadout() {
    return outputSize > 0;
  }

  /** Size of the RNN's per-step output: O with a readout, else H. */
  public int stepOutputSize() {
    return hasReadout() ? outputSize : hiddenSize;
  }

  /** W_xh, H×D at 0, as a view of {@code array} (parameters or gradients of this layout). */
  public TensorView wxh(float[] array) {
    return TensorView.matrix("W_xh", checked(array), offWxh(), hiddenSize, inputSize);
  }

  /** W_hh, H×H at H·D, as a view of {@code array}. */
  public TensorView whh(float[] array) {
    return TensorView.matrix("W_hh", checked(array), offWhh(), hiddenSize, hiddenSize);
  }

  /** b_h, H at H·D + H·H, as a view of {@code array}. */
  public TensorView bh(float[] array) {
    return TensorView.vector("b_h", checked(array), offBh(), hiddenSize);
  }

  /**
   * W_hy, O×H, as a view of {@code array} (0 rows without a readout); marked to opt out of adaptive
   * clipping, as NFNets exempt their classifier layer (Brock et al. 2021).
   */
  public TensorView why(float[] array) {
    return TensorView.matrix("W_hy", checked(array), offWhy(), outputSize, hiddenSize)
        .withoutAdaptiveClipping();
  }

  /** b_y, O, as a view of {@code array} (empty without a readout). */
  public TensorView by(float[] array) {
    return TensorView.vector("b_y", checked(array), offBy(), outputSize);
  }

  /**
   * The layout's non-empty views over {@code array} (parameters or gradients) in layout order as
   * one {@link TensorGroup} for {@link dev.bptt.kernel.clip.GradientClipper}: W_xh, W_hh, W_hy as
   * matrices (AGC clips them row by row), b_h, b_y as vectors, W_hy opted out of AGC.
   *
   * @param array a flat array of at least {@link #size()} floats
   */
  public TensorGroup tensors(float[] array) {
    checked(array);
    return hasReadout()
        ? TensorGroup.of(wxh(array), whh(array), bh(array), why(array), by(array))
        : TensorGroup.of(wxh(array), whh(array), bh(array));
  }

  private float[] checked(float[] array) {
    Checks.atLeast("array", array, "layout size", size());
    return array;
  }

  /** Total number of floats: H·D + H·H + H + O·H + O. */
  public int size() {
    return hiddenSize * inputSize
        + hiddenSize * hiddenSize
        + hiddenSize
        + outputSize * hiddenSize
        + outputSize;
  }

  // Offsets as plain ints for the kernels (no view allocation in hot paths).

  /** Offset of W_xh: 0. */
  public int offWxh() {
    return 0;
  }

  /** Offset of W_hh: H·D. */
  public int offWhh() {
    return hiddenSize * inputSize;
  }

  /** Offset of b_h: H·D + H·H. */
  public int offBh() {
    return offWhh() + hiddenSize * hiddenSize;
  }

  /** Offset of W_hy: H·D + H·H + H. */
  public int offWhy() {
    return offBh() + hiddenSize;
  }

  /** Offset of b_y: H·D + H·H + H + O·H. */
  public int offBy() {
    return offWhy() + outputSize * hiddenSize;
  }
}
