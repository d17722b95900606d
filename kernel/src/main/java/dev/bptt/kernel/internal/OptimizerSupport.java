package dev.bptt.kernel.internal;

/**
 * Unchecked fused optimizer passes over the range [off, off + n) of flat buffers that share one
 * layout (parameters p, gradient g, one state buffer per moment), with a scalar twin ({@link
 * DefaultOptimizerSupport}) and a Vector API one ({@link PanamaOptimizerSupport}) in the same
 * method order. Each pass reads every buffer once and writes p and the state once. Both twins
 * perform the same float operations in the same order (no fused multiply-add), so they agree
 * bitwise.
 *
 * <p>Every pass starts from the penalized gradient, with sgn(0) = 0:
 *
 * <pre>  ĝ = g + l2·θ + l1·sgn(θ)     (ĝ = g exactly when l2 = l1 = 0)</pre>
 *
 * and ends with θ ← θ·keep − (step term), where keep = 1 − γ·λ_decoupled (1 when there is no
 * decoupled decay). The gradient is never written. Callers have validated every argument.
 */
public interface OptimizerSupport {

  /** Momentum mode of {@link #sgd}: no momentum buffer (b is not read and may be null). */
  int SGD_PLAIN = 0;

  /** Momentum mode of {@link #sgd}: the first step, b ← ĝ (PyTorch's clone of the gradient). */
  int SGD_FIRST = 1;

  /** Momentum mode of {@link #sgd}: b ← μ·b + damp·ĝ. */
  int SGD_MOMENTUM = 2;

  /**
   * SGD: with mode {@link #SGD_PLAIN} d = ĝ; otherwise b ← ĝ ({@link #SGD_FIRST}) or b ← μ·b +
   * damp·ĝ ({@link #SGD_MOMENTUM}), then d = ĝ + μ·b (Nesterov) or d = b; finally θ ← θ·keep −
   * lr·d.
   */
  void sgd(
      int n,
      float[] p,
      float[] g,
      float[] b,
      int off,
      float lr,
      float keep,
      float l2,
      float l1,
      float mu,
      float damp,
      int mode,
      boolean nesterov);

  /**
   * Adam: m ← b1·m + c1·ĝ, v ← b2·v + c2·ĝ², (AMSGrad, when vMax is not null: vMax ← max(vMax, v),
   * used in place of v), θ ← θ·keep − stepSize·m / (√v·invBc2 + eps).
   */
  void adam(
      int n,
      float[] p,
      float[] g,
      float[] m,
      float[] v,
      float[] vMax,
      int off,
      float stepSize,
      float invBc2,
      float eps,
      float b1,
      float c1,
      float b2,
      float c2,
      float keep,
      float l2,
      float l1);

  /**
   * RMSprop: v ← a·v + c·ĝ²; centered (gAvg not null): gAvg ← a·gAvg + c·ĝ, s = √max(v − gAvg², 0)
   * + eps, else s = √v + eps; with a momentum buffer (buf not null): buf ← mu·buf + ĝ/s, θ ← θ·keep
   * − lr·buf; else θ ← θ·keep − lr·(ĝ/s).
   */
  void rmsprop(
      int n,
      float[] p,
      float[] g,
      float[] v,
      float[] gAvg,
      float[] buf,
      int off,
      float lr,
      float a,
      float c,
      float eps,
      float mu,
      float keep,
      float l2,
      float l1);
}
