package dev.bptt.kernel.internal;

/**
 * Unchecked fused passes of the gated cells over one row of n hidden units, with a scalar twin
 * ({@link DefaultCellSupport}) and a Vector API one ({@link PanamaCellSupport}) in the same method
 * order. Each pass reads a row's gate values and states once and writes its results while they are
 * in L1; callers have validated every offset.
 *
 * <p>Notation: σ the logistic function, ⊙ the element-wise product; all formulas per element j &lt;
 * n.
 */
public interface CellSupport {

  /**
   * LSTM step, in place over the gate row [i | f | g | o] (4n pre-activations at gOff, activated on
   * return): i, f, o ← σ(·), g ← tanh(·), c ← f⊙cPrev + i⊙g, h ← o⊙tanh(c).
   */
  void lstmForward(
      int n,
      float[] g,
      int gOff,
      float[] cPrev,
      int cpOff,
      float[] c,
      int cOff,
      float[] h,
      int hOff);

  /**
   * LSTM local gradient. The δ row at dOff is [di | df | dg | do | dc | dh] (6n): on entry dc holds
   * the gradient reaching c_t through c_{t+1} and dh holds ∂L/∂h_t; on return the first 4n hold the
   * gate pre-activation gradients and dc the total ∂L/∂c_t:
   *
   * <pre>
   *   τ = tanh(c),  d_o = dh⊙τ⊙o(1−o),  dc ← dc + dh⊙o⊙(1−τ²),
   *   d_i = dc⊙g⊙i(1−i),  d_f = dc⊙cPrev⊙f(1−f),  d_g = dc⊙i⊙(1−g²)
   * </pre>
   *
   * with the activated gates [i | f | g | o] at gOff.
   */
  void lstmBackward(
      int n,
      float[] g,
      int gOff,
      float[] c,
      int cOff,
      float[] cPrev,
      int cpOff,
      float[] d,
      int dOff);

  /**
   * GRU step (PyTorch's formulation). x holds the input parts [r | z | n] (3n, input projection and
   * b_ih), hh the hidden parts W_hh·h_{t−1} (3n), b the hidden bias b_hh (3n):
   *
   * <pre>
   *   r = σ(x_r + hh_r + b_r),  z = σ(x_z + hh_z + b_z),  hh_n ← hh_n + b_n,
   *   ñ = tanh(x_n + r⊙hh_n),  h = ñ + z⊙(hPrev − ñ)     (= (1−z)⊙ñ + z⊙hPrev)
   * </pre>
   *
   * On return x holds [r | z | ñ] and hh_n holds W_hn·h_{t−1} + b_hn (the backward pass needs
   * both).
   */
  void gruForward(
      int n,
      float[] x,
      int xOff,
      float[] hh,
      int hhOff,
      float[] b,
      int bOff,
      float[] hPrev,
      int hpOff,
      float[] h,
      int hOff);

  /**
   * GRU local gradient. The δ row at dOff is [dx_r | dx_z | dx_n | dh_r | dh_z | dh_n | dh] (7n):
   * dh holds ∂L/∂h_t on entry and is kept; the gate gradients of the input side (dx) and of the
   * hidden side (dh_·, which differ only in the n block) are written:
   *
   * <pre>
   *   dx_n = dh⊙(1−z)⊙(1−ñ²),  dh_n = dx_n⊙r,  dx_r = dh_r = dx_n⊙hn⊙r(1−r),
   *   dx_z = dh_z = dh⊙(hPrev − ñ)⊙z(1−z)
   * </pre>
   *
   * with [r | z | ñ] at gOff and hn = W_hn·h_{t−1} + b_hn at hnOff.
   */
  void gruBackward(
      int n,
      float[] g,
      int gOff,
      float[] hn,
      int hnOff,
      float[] hPrev,
      int hpOff,
      float[] d,
      int dOff);

  /**
   * Layer normalization of one gate block's recurrent product, in place: r (n values at rOff, n ≥
   * 1) becomes x̂ and y gains (or, without {@code add}, is set to) the normalized term:
   *
   * <pre>
   *   μ = Σ r_j / n,  σ² = Σ (r_j − μ)² / n,  s = 1/√(σ² + ε),
   *   x̂_j = (r_j − μ)·s,  y_j ← [y_j +] γ_j·x̂_j + β_j
   * </pre>
   *
   * with both sums in a fixed order (the same bits whatever the row's neighbours).
   *
   * @return s = 1/√(σ² + ε), which the backward pass needs
   */
  float layerNormForward(
      int n,
      double eps,
      float[] r,
      int rOff,
      float[] gamma,
      int gOff,
      float[] beta,
      int bOff,
      boolean add,
      float[] y,
      int yOff);

  /**
   * Layer-normalization backward of one gate block: from dn (n values, the gradient of the
   * normalized term γ⊙x̂ + β), x̂ and s = 1/√(σ² + ε) of the forward pass, the gradient of the
   * recurrent product r:
   *
   * <pre>
   *   dx̂_j = γ_j·dn_j,  m1 = Σ dx̂_j / n,  m2 = Σ dx̂_j·x̂_j / n,
   *   dr_j = s·(dx̂_j − m1 − x̂_j·m2)
   * </pre>
   *
   * with both sums in a fixed order; dr may not overlap dn.
   */
  void layerNormBackward(
      int n,
      float s,
      float[] xhat,
      int xOff,
      float[] gamma,
      int gOff,
      float[] dn,
      int dnOff,
      float[] dr,
      int drOff);

  /** y ← y + α·(a⊙b). */
  void mulAdd(int n, float alpha, float[] a, int aOff, float[] b, int bOff, float[] y, int yOff);
}
