package dev.bptt.kernel.rnn;

/**
 * The recurrent cells of a {@link StackedRnn}, with PyTorch's gate order (the rows of {@code
 * weight_ih_l{k}}, {@code weight_hh_l{k}} and the biases are the gates stacked in this order).
 *
 * <table>
 *   <caption>cells, gates and carried states</caption>
 *   <tr><th>cell</th><th>PyTorch module</th><th>gates (row blocks of H)</th><th>carried state</th></tr>
 *   <tr><td>ELMAN</td><td>{@code nn.RNN}</td><td>1: h</td><td>h</td></tr>
 *   <tr><td>GRU</td><td>{@code nn.GRU}</td><td>3: r, z, n</td><td>h</td></tr>
 *   <tr><td>LSTM</td><td>{@code nn.LSTM}</td><td>4: i, f, g, o</td><td>h, c</td></tr>
 * </table>
 */
public enum CellType {
  /** h_t = φ(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh). */
  ELMAN(1, 1),
  /**
   * r, z = σ(W_i·x_t + b_i + W_h·h_{t−1} + b_h), n = tanh(W_in·x_t + b_in + r⊙(W_hn·h_{t−1} +
   * b_hn)), h_t = (1−z)⊙n + z⊙h_{t−1}.
   */
  GRU(3, 1),
  /**
   * i, f, o = σ(·), g = tanh(·) of W_i·x_t + b_i + W_h·h_{t−1} + b_h; c_t = f⊙c_{t−1} + i⊙g, h_t =
   * o⊙tanh(c_t).
   */
  LSTM(4, 2);

  private final int gates;
  private final int carried;

  CellType(int gates, int carried) {
    this.gates = gates;
    this.carried = carried;
  }

  /** G, the number of H-row blocks in the cell's weight matrices (1, 3 or 4). */
  public int gates() {
    return gates;
  }

  /** Vectors of H carried from step to step per layer: 1 (h), or 2 for the LSTM (h and c). */
  public int carriedVectors() {
    return carried;
  }
}
