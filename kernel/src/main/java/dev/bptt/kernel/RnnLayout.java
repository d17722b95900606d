package dev.bptt.kernel;

import java.util.List;

/**
 * Immutable layout of an Elman RNN's parameters in ONE flat {@code float[]}: input size D,
 * hidden size H, output size O (0 = no readout). The views, in this order, are
 * <pre>
 *   W_xh  H×D   at 0
 *   W_hh  H×H   at H·D
 *   b_h   H     at H·D + H·H
 *   W_hy  O×H   at H·D + H·H + H          (absent when O = 0)
 *   b_y   O     at H·D + H·H + H + O·H    (absent when O = 0)
 * </pre>
 * all row-major with ld = cols. Gradients use the same layout in a second array of
 * {@link #size()} floats, so clipping and optimizers see one contiguous buffer.
 *
 * @param inputSize  D ≥ 0
 * @param hiddenSize H ≥ 1
 * @param outputSize O ≥ 0 (0: the RNN's output is h_t itself)
 */
public record RnnLayout(int inputSize, int hiddenSize, int outputSize) {

  /** A named view into the flat parameter (or gradient) array: rows×cols at offset, ld = cols. */
  public record View(String name, int offset, int rows, int cols) {
    /** Number of floats in the view (rows·cols). */
    public int length() {
      return rows * cols;
    }
  }

  /** Validates the sizes and that the total fits an int array. */
  public RnnLayout {
    Checks.nonNegative("inputSize", inputSize);
    if (hiddenSize < 1) {
      throw new IllegalArgumentException("hiddenSize must be >= 1, got " + hiddenSize);
    }
    Checks.nonNegative("outputSize", outputSize);
    long total = (long) hiddenSize * inputSize + (long) hiddenSize * hiddenSize + hiddenSize
        + (long) outputSize * hiddenSize + outputSize;
    if (total > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("layout D=" + inputSize + " H=" + hiddenSize + " O=" + outputSize
          + " needs " + total + " floats, more than an array holds");
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

  /** W_xh, H×D. */
  public View wxh() {
    return new View("W_xh", 0, hiddenSize, inputSize);
  }

  /** W_hh, H×H. */
  public View whh() {
    return new View("W_hh", hiddenSize * inputSize, hiddenSize, hiddenSize);
  }

  /** b_h, 1×H. */
  public View bh() {
    return new View("b_h", hiddenSize * inputSize + hiddenSize * hiddenSize, 1, hiddenSize);
  }

  /** W_hy, O×H (zero rows without readout). */
  public View why() {
    return new View("W_hy", bh().offset() + hiddenSize, outputSize, hiddenSize);
  }

  /** b_y, 1×O (empty without readout). */
  public View by() {
    return new View("b_y", why().offset() + outputSize * hiddenSize, 1, outputSize);
  }

  /** Every non-empty view in layout order. */
  public List<View> views() {
    return hasReadout() ? List.of(wxh(), whh(), bh(), why(), by()) : List.of(wxh(), whh(), bh());
  }

  /**
   * The layout's views over {@code array} (parameters or gradients) as one {@link TensorGroup}
   * for {@link GradientClipper}: W_xh, W_hh, W_hy as matrices (AGC clips them row by row),
   * b_h, b_y as vectors. W_hy, the readout, is marked to opt out of adaptive clipping, as NFNets
   * exempt their classifier layer (Brock et al. 2021).
   *
   * @param array a flat array of at least {@link #size()} floats
   */
  public TensorGroup tensors(float[] array) {
    Checks.notNull("array", array);
    if (array.length < size()) {
      throw new IllegalArgumentException("array has length " + array.length + " < layout size " + size());
    }
    java.util.List<TensorView> list = new java.util.ArrayList<>();
    list.add(TensorView.matrix("W_xh", array, offWxh(), hiddenSize, inputSize));
    list.add(TensorView.matrix("W_hh", array, offWhh(), hiddenSize, hiddenSize));
    list.add(TensorView.vector("b_h", array, offBh(), hiddenSize));
    if (hasReadout()) {
      list.add(TensorView.matrix("W_hy", array, offWhy(), outputSize, hiddenSize).withoutAdaptiveClipping());
      list.add(TensorView.vector("b_y", array, offBy(), outputSize));
    }
    return TensorGroup.of(list);
  }

  /** Total number of floats: H·D + H·H + H + O·H + O. */
  public int size() {
    return hiddenSize * inputSize + hiddenSize * hiddenSize + hiddenSize + outputSize * hiddenSize + outputSize;
  }

  // Offsets as plain ints for the kernels (no record allocation in hot paths).
  int offWxh() {
    return 0;
  }

  int offWhh() {
    return hiddenSize * inputSize;
  }

  int offBh() {
    return offWhh() + hiddenSize * hiddenSize;
  }

  int offWhy() {
    return offBh() + hiddenSize;
  }

  int offBy() {
    return offWhy() + outputSize * hiddenSize;
  }
}
