package dev.bptt.kernel.blas;

/**
 * Element-wise activation φ and its derivative expressed from the output h = φ(z), which is what
 * BPTT has stored.
 *
 * <table>
 *   <caption>φ and φ′ written with h = φ(z)</caption>
 *   <tr><th>activation</th><th>φ(z)</th><th>φ′ from h</th></tr>
 *   <tr><td>TANH</td><td>tanh z</td><td>1 − h²</td></tr>
 *   <tr><td>SIGMOID</td><td>1 / (1 + e^−z)</td><td>h·(1 − h)</td></tr>
 *   <tr><td>RELU</td><td>max(z, 0)</td><td>1 if h &gt; 0 else 0</td></tr>
 *   <tr><td>IDENTITY</td><td>z</td><td>1</td></tr>
 * </table>
 */
public enum Activation {
  TANH,
  SIGMOID,
  RELU,
  IDENTITY;

  /**
   * Bound γ on |φ′| over the whole real line (1 for tanh, ReLU and identity, 1/4 for the sigmoid):
   * Pascanu et al. 2013 show gradients can only explode when σ_max(W_hh) &gt; 1/γ.
   *
   * @return sup |φ′(z)|
   */
  public double derivativeBound() {
    return this == SIGMOID ? 0.25 : 1.0;
  }
}
