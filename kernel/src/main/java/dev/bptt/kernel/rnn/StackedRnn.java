package dev.bptt.kernel.rnn;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.internal.Checks;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A stack of recurrent layers over flat buffers, parameter for parameter PyTorch's {@code nn.RNN},
 * {@code nn.GRU} and {@code nn.LSTM} (gate order, separate input and hidden biases, row-major
 * weights: see {@link StackLayout}), with an optional linear readout on the last layer. Per layer k
 * = 0..layers−1 and step t, with x_t^(0) = x_t and x_t^(k) = h_t^(k−1):
 *
 * <pre>
 *   ELMAN: h_t = φ(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh)
 *   GRU:   r = σ(W_ir·x_t + b_ir + W_hr·h_{t−1} + b_hr),  z = σ(W_iz·x_t + b_iz + W_hz·h_{t−1} + b_hz),
 *          n = tanh(W_in·x_t + b_in + r⊙(W_hn·h_{t−1} + b_hn)),  h_t = (1 − z)⊙n + z⊙h_{t−1}
 *   LSTM:  i, f, o = σ(·), g = tanh(·) of W_i·x_t + b_i + W_h·h_{t−1} + b_h (per gate),
 *          c_t = f⊙c_{t−1} + i⊙g,  h_t = o⊙tanh(c_t)
 *   readout (optional): y_t = W_fc·h_t^(last) + b_fc
 * </pre>
 *
 * <p><b>Layer normalization</b> ({@link #withLayerNorm()}, Ba, Kiros &amp; Hinton 2016) of the
 * recurrent pre-activation, in every layer: per gate block g (one for Elman; r, z, n for the GRU;
 * i, f, g, o for the LSTM), sequence and step, r_g = W_hh,g·h_{t−1} (H values, without b_hh), μ =
 * mean(r_g), σ² = mean((r_g − μ)²) (biased, as {@code torch.nn.LayerNorm}), x̂ = (r_g − μ)/√(σ² +
 * ε) with ε = 10⁻⁵, and LN_g(r_g) = γ_g⊙x̂ + β_g replaces W_hh,g·h_{t−1} wherever the cell uses it;
 * b_hh is still added:
 *
 * <pre>
 *   ELMAN: h_t = φ(W_ih·x_t + b_ih + LN(W_hh·h_{t−1}) + b_hh)
 *   GRU:   r, z as the LSTM's gates,  n = tanh(W_in·x_t + b_in + r⊙(LN_n(W_hn·h_{t−1}) + b_hn))
 *   LSTM:  gates = W_ih·x_t + b_ih + LN_g(W_hh,g·h_{t−1}) + b_hh (per gate block)
 * </pre>
 *
 * γ and β ({@code ln_hh_l{k}.weight}, {@code ln_hh_l{k}.bias}, G·H floats each, gate-major) follow
 * bias_hh_l{k} in the layout ({@link StackLayout}). PyTorch's recurrent modules have no such
 * option: the names are those of a torch module with {@code nn.LayerNorm} members {@code
 * ln_hh_l{k}}. The forward pass keeps x̂ and 1/√(σ² + ε) per gate, sequence and step; the backward
 * pass sends dn (the gradient of the normalized term) to ∂L/∂β += dn, ∂L/∂γ += dn⊙x̂ and ∂L/∂r =
 * (dx̂ − mean(dx̂) − x̂·mean(dx̂⊙x̂))/√(σ² + ε) with dx̂ = γ⊙dn, which feeds W_hh's gradient and
 * W_hhᵀ·∂L/∂r.
 *
 * <p>Structure, as for {@link ElmanRnn}: per layer one input-projection GEMM over all T·B rows up
 * front, then per step one recurrent product for all gates at once (gemv for B = 1, a GEMM for B
 * &gt; 1) and one fused pass for the gate nonlinearities and the state update while the row is in
 * L1; backward per step only the sequential part (the W_hhᵀ product and the fused local gradient),
 * weight gradients as GEMMs with K = T·B after the loop, each element one sum in descending (t, b)
 * order blocked at fixed rows (runs of 32 rows, blocks of 256: about the accuracy of a pairwise
 * sum; checkpointed BPTT is bitwise full BPTT). Every strategy of {@code
 * dev.bptt.kernel.bptt.BpttRunner} runs it; {@link #forward}/{@link #backward} here are full BPTT
 * over an {@link RnnWorkspace}.
 *
 * <p>The carried state per sequence is h of every layer (and c for the LSTM): S = layers·H (LSTM
 * 2·layers·H), laid out as PyTorch's h_0 [layers][B][H] (then c_0) — see {@link SequenceBatch}.
 *
 * <p>Instances are immutable values (equal when layout and activation are) and thread-safe.
 */
public final class StackedRnn implements RecurrentNetwork {
  private final StackLayout layout;
  private final Activation activation;

  private StackedRnn(StackLayout layout, Activation activation) {
    this.layout = layout;
    this.activation = activation;
  }

  /**
   * A one-layer LSTM without readout, PyTorch's {@code nn.LSTM(inputSize, hiddenSize)}.
   *
   * @param inputSize D ≥ 0
   * @param hiddenSize H ≥ 1
   */
  public static StackedRnn lstm(int inputSize, int hiddenSize) {
    return new StackedRnn(
        new StackLayout(CellType.LSTM, inputSize, hiddenSize, 1, 0), Activation.TANH);
  }

  /** A one-layer GRU without readout, PyTorch's {@code nn.GRU(inputSize, hiddenSize)}. */
  public static StackedRnn gru(int inputSize, int hiddenSize) {
    return new StackedRnn(
        new StackLayout(CellType.GRU, inputSize, hiddenSize, 1, 0), Activation.TANH);
  }

  /**
   * A one-layer Elman RNN in PyTorch's {@code nn.RNN} layout (two biases) without readout.
   *
   * @param activation φ: TANH or RELU are {@code nn.RNN}'s nonlinearities; SIGMOID and IDENTITY run
   *     too
   */
  public static StackedRnn elman(int inputSize, int hiddenSize, Activation activation) {
    Checks.notNull("activation", activation);
    return new StackedRnn(new StackLayout(CellType.ELMAN, inputSize, hiddenSize, 1, 0), activation);
  }

  /** The network for a given layout (φ applies to Elman layers; gated cells ignore it). */
  public static StackedRnn of(StackLayout layout, Activation activation) {
    Checks.notNull("layout", layout);
    Checks.notNull("activation", activation);
    return new StackedRnn(layout, layout.cell() == CellType.ELMAN ? activation : Activation.TANH);
  }

  /** A copy with {@code layers} ≥ 1 stacked layers ({@code num_layers}). */
  public StackedRnn withLayers(int layers) {
    return new StackedRnn(
        new StackLayout(
            layout.cell(),
            layout.inputSize(),
            layout.hiddenSize(),
            layers,
            layout.outputSize(),
            layout.layerNorm()),
        activation);
  }

  /** A copy with a readout of {@code outputSize} ≥ 0 outputs (0: none). */
  public StackedRnn withReadout(int outputSize) {
    return new StackedRnn(
        new StackLayout(
            layout.cell(),
            layout.inputSize(),
            layout.hiddenSize(),
            layout.layers(),
            outputSize,
            layout.layerNorm()),
        activation);
  }

  /**
   * A copy whose every layer normalizes its recurrent pre-activation per gate block (see the class
   * comment): h_t uses γ_g⊙(r_g − μ)/√(σ² + ε) + β_g in place of r_g = W_hh,g·h_{t−1}, ε = 10⁻⁵.
   * The layout gains ln_hh_l{k}.weight (γ) and ln_hh_l{k}.bias (β), [G·H] each, after each
   * bias_hh_l{k}; PyTorch's modules initialize γ = 1, β = 0, which the caller writes.
   */
  public StackedRnn withLayerNorm() {
    return new StackedRnn(
        new StackLayout(
            layout.cell(),
            layout.inputSize(),
            layout.hiddenSize(),
            layout.layers(),
            layout.outputSize(),
            true),
        activation);
  }

  /** True when every layer normalizes its recurrent pre-activation ({@link #withLayerNorm()}). */
  public boolean layerNorm() {
    return layout.layerNorm();
  }

  /** The parameter layout. */
  public StackLayout layout() {
    return layout;
  }

  /** The cell of every layer. */
  public CellType cell() {
    return layout.cell();
  }

  /** φ of Elman layers (TANH for gated cells, whose activations are fixed). */
  public Activation activation() {
    return activation;
  }

  /** D. */
  @Override
  public int inputSize() {
    return layout.inputSize();
  }

  /** layers·H, or 2·layers·H for the LSTM (h and c of every layer). */
  @Override
  public int stateSize() {
    return layout.cell().carriedVectors() * layout.layers() * layout.hiddenSize();
  }

  /** O with a readout, else H. */
  @Override
  public int stepOutputSize() {
    return layout.stepOutputSize();
  }

  /** {@link StackLayout#size()}. */
  @Override
  public int parameterCount() {
    return layout.size();
  }

  /**
   * Forward pass over the T steps and B sequences of {@code seq}: copies the inputs into the
   * workspace, writes every step's states and outputs (y_t, or the last layer's h_t) into it, and
   * calls the sequence's loss callback, if any, for its loss steps.
   *
   * @param params flat parameters, at least {@code layout().size()} floats (read)
   * @param seq inputs, initial state, loss (read; the callback writes the upstream gradients)
   * @param ws workspace of this network whose capacity holds {@code seq.shape()} (written)
   * @return the sum of the loss callback's values (0 without a callback)
   */
  public double forward(float[] params, SequenceBatch seq, RnnWorkspace ws) {
    return Passes.forward(this, params, seq, ws);
  }

  /**
   * Full backpropagation through time after {@link #forward} on the same workspace, accumulating
   * into {@code grads} (+=): every tensor's gradient, ∂L/∂(initial state) and the traces if the
   * sequence asks for them.
   *
   * @param params flat parameters (read; the ones the forward pass used)
   * @param grads flat gradients, same layout, not params (read and written, +=)
   * @param seq the sequence batch of the forward pass
   * @param ws workspace of the preceding forward (read; δ written)
   * @throws IllegalStateException if the workspace holds no forward pass of this shape
   */
  public void backward(float[] params, float[] grads, SequenceBatch seq, RnnWorkspace ws) {
    Passes.backward(this, params, grads, seq, ws);
  }

  /**
   * Streaming inference: advances {@code state} by {@code steps} steps over inputs x [steps][B][D]
   * at xOff in O(B·S) memory; bitwise equal to the same steps of {@link #forward}.
   */
  public void advance(float[] params, float[] x, int xOff, int steps, RnnStreamState state) {
    Passes.advance(this, params, x, xOff, steps, state);
  }

  /**
   * New parameters drawn as PyTorch initializes this network: every weight and bias U(−1/√H, 1/√H)
   * with H the hidden size ({@code reset_parameters} of {@code nn.RNN}, {@code nn.LSTM} and {@code
   * nn.GRU}; the readout's {@code nn.Linear} has fan-in H, so the same bound), drawn in flat-layout
   * order as (float)(b·(2r − 1)) with r = {@code rng.nextDouble()} (so |θᵢ| ≤ fl(b), b = 1/√H);
   * with layer normalization, γ = 1 and β = 0 ({@code nn.LayerNorm}) after their draws. The same
   * rng state gives the same array; the values are not PyTorch's (its generator and draw order
   * differ).
   *
   * @param rng the source of r
   * @return θ, {@code parameterCount()} floats
   * @throws NullPointerException if rng is null
   */
  public float[] initialParameters(RandomGenerator rng) {
    Checks.notNull("rng", rng);
    float[] p = new float[layout.size()];
    double bound = 1 / Math.sqrt(layout.hiddenSize());
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) (bound * (2 * rng.nextDouble() - 1));
    }
    if (layout.layerNorm()) {
      for (int k = 0; k < layout.layers(); k++) {
        TensorView g = layout.layerNormWeight(k, p);
        TensorView b = layout.layerNormBias(k, p);
        Arrays.fill(p, g.offset(), g.offset() + g.length(), 1f);
        Arrays.fill(p, b.offset(), b.offset() + b.length(), 0f);
      }
    }
    return p;
  }

  /** Sets grads to zero over the whole layout. */
  public void zeroGradients(float[] grads) {
    Passes.zeroGradients(this, grads);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StackedRnn s && s.layout.equals(layout) && s.activation == activation;
  }

  @Override
  public int hashCode() {
    return layout.hashCode() * 31 + activation.hashCode();
  }

  /**
   * E.g. {@code "StackedRnn[LSTM, D=3, H=8, layers=2, O=0]"}, {@code ", layerNorm"} before the
   * bracket with layer normalization.
   */
  @Override
  public String toString() {
    return "StackedRnn["
        + layout.cell()
        + (layout.cell() == CellType.ELMAN ? "(" + activation + ")" : "")
        + ", D="
        + layout.inputSize()
        + ", H="
        + layout.hiddenSize()
        + ", layers="
        + layout.layers()
        + ", O="
        + layout.outputSize()
        + (layout.layerNorm() ? ", layerNorm" : "")
        + "]";
  }
}
