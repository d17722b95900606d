package dev.bptt.kernel.rnn;

import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.internal.Checks;
import java.util.ArrayList;
import java.util.List;

/**
 * Immutable layout of a {@link StackedRnn}'s parameters in ONE flat {@code float[]}, tensor for
 * tensor PyTorch's {@code nn.RNN}/{@code nn.GRU}/{@code nn.LSTM} (then an optional {@code
 * nn.Linear} readout), so weights move between the two without reshuffling. With G = {@link
 * CellType#gates()}, D_0 = D and D_k = H for k ≥ 1, the views are, for k = 0..layers−1 in turn:
 *
 * <pre>
 *   weight_ih_l{k}   [G·H][D_k]
 *   weight_hh_l{k}   [G·H][H]
 *   bias_ih_l{k}     [G·H]
 *   bias_hh_l{k}     [G·H]
 *   ln_hh_l{k}.weight [G·H]   (γ, only with layer normalization)
 *   ln_hh_l{k}.bias   [G·H]   (β, only with layer normalization)
 * </pre>
 *
 * then {@code fc.weight} [O][H] and {@code fc.bias} [O] when O &gt; 0, all row-major with ld = cols
 * and the gates stacked in PyTorch's order (i, f, g, o for the LSTM, r, z, n for the GRU).
 * Gradients use the same layout in a second array of {@link #size()} floats.
 *
 * <p>With {@code layerNorm} (see {@link StackedRnn#withLayerNorm()}) each layer's block gains γ and
 * β of the layer normalization of its recurrent pre-activation, gate-major like the gate rows,
 * right after that layer's bias_hh. PyTorch's {@code nn.RNN}/{@code nn.GRU}/{@code nn.LSTM} have no
 * such option: the names are those of a torch module holding, per layer, an {@code nn.LayerNorm}
 * member {@code ln_hh_l{k}} over the G·H recurrent pre-activations (γ, β of G·H), whose gate blocks
 * are normalized separately. Without the option the layout is bit for bit the one above without
 * them.
 *
 * @param cell the cell of every layer
 * @param inputSize D ≥ 0
 * @param hiddenSize H ≥ 1
 * @param layers number of stacked layers ≥ 1 (layer k+1 reads layer k's h_t)
 * @param outputSize O ≥ 0 (0: the network's output is the last layer's h_t)
 * @param layerNorm true when every layer normalizes its recurrent pre-activation (γ, β per layer)
 */
public record StackLayout(
    CellType cell, int inputSize, int hiddenSize, int layers, int outputSize, boolean layerNorm) {

  /**
   * A layout without layer normalization: {@code new StackLayout(cell, D, H, layers, O, false)}.
   *
   * @param cell the cell of every layer
   * @param inputSize D ≥ 0
   * @param hiddenSize H ≥ 1
   * @param layers number of stacked layers ≥ 1
   * @param outputSize O ≥ 0
   */
  public StackLayout(CellType cell, int inputSize, int hiddenSize, int layers, int outputSize) {
    this(cell, inputSize, hiddenSize, layers, outputSize, false);
  }

  /** Validates the sizes and that the total fits an int array. */
  public StackLayout {
    Checks.notNull("cell", cell);
    Checks.nonNegative("inputSize", inputSize);
    Checks.positive("hiddenSize", hiddenSize);
    Checks.positive("layers", layers);
    Checks.nonNegative("outputSize", outputSize);
    long total = longSize(cell, inputSize, hiddenSize, layers, outputSize, layerNorm);
    if (total > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(
          "layout "
              + cell
              + " D="
              + inputSize
              + " H="
              + hiddenSize
              + " layers="
              + layers
              + " O="
              + outputSize
              + (layerNorm ? " layerNorm" : "")
              + " needs "
              + total
              + " floats, more than an array holds");
    }
  }

  private static long longSize(CellType cell, int d, int h, int layers, int o, boolean ln) {
    long gh = (long) cell.gates() * h;
    long vectors = ln ? 4 * gh : 2 * gh;
    long first = gh * d + gh * h + vectors;
    long next = gh * h + gh * h + vectors;
    return first + (layers - 1) * next + (long) o * h + o;
  }

  /** True when there is a readout y_t = W·h_t + b on the last layer. */
  public boolean hasReadout() {
    return outputSize > 0;
  }

  /** Size of the network's per-step output: O with a readout, else H. */
  public int stepOutputSize() {
    return hasReadout() ? outputSize : hiddenSize;
  }

  /** G·H, the rows of each layer's weights and the length of its biases. */
  public int gateRows() {
    return cell.gates() * hiddenSize;
  }

  /** D_k: D for layer 0, H above. */
  public int layerInputSize(int layer) {
    checkLayer(layer);
    return layer == 0 ? inputSize : hiddenSize;
  }

  /** Total number of floats. */
  public int size() {
    return (int) longSize(cell, inputSize, hiddenSize, layers, outputSize, layerNorm);
  }

  // ---- offsets (ints, for kernels: no view allocation in hot paths) ----

  /** Offset of weight_ih_l{layer}. */
  public int offWeightIh(int layer) {
    checkLayer(layer);
    int gh = gateRows();
    int vectors = layerNorm ? 4 * gh : 2 * gh;
    int first = gh * inputSize + gh * hiddenSize + vectors;
    int next = 2 * gh * hiddenSize + vectors;
    return layer == 0 ? 0 : first + (layer - 1) * next;
  }

  /** Offset of weight_hh_l{layer}. */
  public int offWeightHh(int layer) {
    return offWeightIh(layer) + gateRows() * layerInputSize(layer);
  }

  /** Offset of bias_ih_l{layer}. */
  public int offBiasIh(int layer) {
    return offWeightHh(layer) + gateRows() * hiddenSize;
  }

  /** Offset of bias_hh_l{layer}. */
  public int offBiasHh(int layer) {
    return offBiasIh(layer) + gateRows();
  }

  /**
   * Offset of ln_hh_l{layer}.weight (γ, G·H floats) right after bias_hh_l{layer}; without layer
   * normalization the (empty) tensor's offset, the end of the layer's block.
   */
  public int offLayerNormWeight(int layer) {
    return offBiasHh(layer) + gateRows();
  }

  /** Offset of ln_hh_l{layer}.bias (β, G·H floats), after γ; empty without layer normalization. */
  public int offLayerNormBias(int layer) {
    return offLayerNormWeight(layer) + layerNormLength();
  }

  /** G·H with layer normalization, else 0: the length of each γ and β. */
  private int layerNormLength() {
    return layerNorm ? gateRows() : 0;
  }

  /** Offset of the readout weight fc.weight (= the end of the recurrent layers). */
  public int offReadoutWeight() {
    return offLayerNormBias(layers - 1) + layerNormLength();
  }

  /** Offset of the readout bias fc.bias. */
  public int offReadoutBias() {
    return offReadoutWeight() + outputSize * hiddenSize;
  }

  // ---- views ----

  /** weight_ih_l{layer}, [G·H][D_k], over {@code array} (parameters or gradients). */
  public TensorView weightIh(int layer, float[] array) {
    return TensorView.matrix(
        "weight_ih_l" + layer,
        checked(array),
        offWeightIh(layer),
        gateRows(),
        layerInputSize(layer));
  }

  /** weight_hh_l{layer}, [G·H][H]. */
  public TensorView weightHh(int layer, float[] array) {
    return TensorView.matrix(
        "weight_hh_l" + layer, checked(array), offWeightHh(layer), gateRows(), hiddenSize);
  }

  /** bias_ih_l{layer}, [G·H]. */
  public TensorView biasIh(int layer, float[] array) {
    return TensorView.vector("bias_ih_l" + layer, checked(array), offBiasIh(layer), gateRows());
  }

  /** bias_hh_l{layer}, [G·H]. */
  public TensorView biasHh(int layer, float[] array) {
    return TensorView.vector("bias_hh_l" + layer, checked(array), offBiasHh(layer), gateRows());
  }

  /**
   * ln_hh_l{layer}.weight, γ [G·H] of the layer normalization of the recurrent pre-activation
   * (gate-major: the block of gate g scales LN(W_hh,g·h_{t−1})); empty (0 floats) without layer
   * normalization.
   */
  public TensorView layerNormWeight(int layer, float[] array) {
    return TensorView.vector(
        "ln_hh_l" + layer + ".weight",
        checked(array),
        offLayerNormWeight(layer),
        layerNormLength());
  }

  /** ln_hh_l{layer}.bias, β [G·H]; empty (0 floats) without layer normalization. */
  public TensorView layerNormBias(int layer, float[] array) {
    return TensorView.vector(
        "ln_hh_l" + layer + ".bias", checked(array), offLayerNormBias(layer), layerNormLength());
  }

  /** One gate's H entries of ln_hh_l{layer}.weight (γ_g); empty without layer normalization. */
  public TensorView layerNormWeight(int layer, Gate gate, float[] array) {
    int k = gateIndex(gate);
    int n = layerNorm ? hiddenSize : 0;
    return TensorView.vector(
        "ln_hh_l" + layer + ".weight[" + gate + "]",
        checked(array),
        offLayerNormWeight(layer) + k * n,
        n);
  }

  /** One gate's H entries of ln_hh_l{layer}.bias (β_g); empty without layer normalization. */
  public TensorView layerNormBias(int layer, Gate gate, float[] array) {
    int k = gateIndex(gate);
    int n = layerNorm ? hiddenSize : 0;
    return TensorView.vector(
        "ln_hh_l" + layer + ".bias[" + gate + "]",
        checked(array),
        offLayerNormBias(layer) + k * n,
        n);
  }

  /** One gate's H rows of weight_ih_l{layer}, [H][D_k]. */
  public TensorView weightIh(int layer, Gate gate, float[] array) {
    int k = gateIndex(gate);
    int cols = layerInputSize(layer);
    return TensorView.matrix(
        "weight_ih_l" + layer + "[" + gate + "]",
        checked(array),
        offWeightIh(layer) + k * hiddenSize * cols,
        hiddenSize,
        cols);
  }

  /** One gate's H rows of weight_hh_l{layer}, [H][H]. */
  public TensorView weightHh(int layer, Gate gate, float[] array) {
    int k = gateIndex(gate);
    return TensorView.matrix(
        "weight_hh_l" + layer + "[" + gate + "]",
        checked(array),
        offWeightHh(layer) + k * hiddenSize * hiddenSize,
        hiddenSize,
        hiddenSize);
  }

  /** One gate's H entries of bias_ih_l{layer}. */
  public TensorView biasIh(int layer, Gate gate, float[] array) {
    int k = gateIndex(gate);
    return TensorView.vector(
        "bias_ih_l" + layer + "[" + gate + "]",
        checked(array),
        offBiasIh(layer) + k * hiddenSize,
        hiddenSize);
  }

  /**
   * One gate's H entries of bias_hh_l{layer}, e.g. the LSTM forget-gate bias for the common
   * initialization to 1 (Jozefowicz et al. 2015).
   */
  public TensorView biasHh(int layer, Gate gate, float[] array) {
    int k = gateIndex(gate);
    return TensorView.vector(
        "bias_hh_l" + layer + "[" + gate + "]",
        checked(array),
        offBiasHh(layer) + k * hiddenSize,
        hiddenSize);
  }

  /**
   * The readout weight fc.weight, [O][H] (0 rows without a readout); opted out of adaptive
   * clipping, as NFNets exempt their classifier layer.
   */
  public TensorView readoutWeight(float[] array) {
    return TensorView.matrix(
            "fc.weight", checked(array), offReadoutWeight(), outputSize, hiddenSize)
        .withoutAdaptiveClipping();
  }

  /** The readout bias fc.bias, [O] (empty without a readout). */
  public TensorView readoutBias(float[] array) {
    return TensorView.vector("fc.bias", checked(array), offReadoutBias(), outputSize);
  }

  /**
   * Every tensor over {@code array} in layout order, named as in PyTorch's {@code state_dict} (with
   * layer normalization, {@code ln_hh_l{k}.weight} and {@code .bias} after bias_hh_l{k}), as one
   * {@link TensorGroup} for {@link dev.bptt.kernel.clip.GradientClipper}. Views of zero floats
   * (weight_ih_l0 when D = 0) are left out.
   */
  public TensorGroup tensors(float[] array) {
    checked(array);
    List<TensorView> views = new ArrayList<>();
    for (int k = 0; k < layers; k++) {
      for (TensorView v :
          List.of(weightIh(k, array), weightHh(k, array), biasIh(k, array), biasHh(k, array))) {
        if (v.length() > 0) {
          views.add(v);
        }
      }
      if (layerNorm) {
        views.add(layerNormWeight(k, array));
        views.add(layerNormBias(k, array));
      }
    }
    if (hasReadout()) {
      views.add(readoutWeight(array));
      views.add(readoutBias(array));
    }
    return TensorGroup.of(views);
  }

  private int gateIndex(Gate gate) {
    Checks.notNull("gate", gate);
    if (gate.cell() != cell) {
      throw new IllegalArgumentException(
          "gate " + gate + " belongs to " + gate.cell() + ", not to this " + cell + " layout");
    }
    return gate.index();
  }

  private void checkLayer(int layer) {
    if (layer < 0 || layer >= layers) {
      throw new IndexOutOfBoundsException("layer must be in [0, " + layers + "), got " + layer);
    }
  }

  private float[] checked(float[] array) {
    Checks.atLeast("array", array, "layout size", size());
    return array;
  }
}
