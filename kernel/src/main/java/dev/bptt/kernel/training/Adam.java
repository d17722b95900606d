package dev.bptt.kernel.training;

import dev.bptt.kernel.clip.TensorSet;

/**
 * Adam and AdamW, {@code torch.optim.Adam} / {@code torch.optim.AdamW}: with γ the learning rate, t
 * the step (from 1), ĝ the penalized gradient (see {@link Optimizer}) and keep = 1 − γ·λ_d
 * (decoupled decay, AdamW; 1 for Adam),
 *
 * <pre>
 *   m ← β₁·m + (1 − β₁)·ĝ
 *   v ← β₂·v + (1 − β₂)·ĝ²            (AMSGrad: v_max ← max(v_max, v), used for v below)
 *   θ ← θ·keep − (γ / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 *
 * which is θ − γ·m̂/(√v̂ + ε) with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), computed in PyTorch's
 * arrangement (the step size γ/(1 − β₁ᵗ) and 1/√(1 − β₂ᵗ) in double, rounded once per step; the
 * division by √(1 − β₂ᵗ) is a multiply by its reciprocal). Defaults β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸.
 * State: {@code exp_avg}, {@code exp_avg_sq} and with AMSGrad {@code max_exp_avg_sq}.
 */
public final class Adam extends Optimizer {
  private static final String[] PLAIN = {"exp_avg", "exp_avg_sq"};
  private static final String[] AMSGRAD = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};

  private final double beta1;
  private final double beta2;
  private final double eps;
  private final boolean amsgrad;

  private Adam(
      double lr,
      double wd,
      double l1,
      double dwd,
      int[] exempt,
      double beta1,
      double beta2,
      double eps,
      boolean amsgrad) {
    super(lr, wd, l1, dwd, exempt);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.amsgrad = amsgrad;
  }

  /** Adam with PyTorch's defaults: γ = 10⁻³, β = (0.9, 0.999), ε = 10⁻⁸, no penalty. */
  public static Adam of() {
    return of(1e-3);
  }

  /**
   * Adam with learning rate γ and the default β, ε.
   *
   * @throws IllegalArgumentException if γ is negative, NaN or infinite
   */
  public static Adam of(double lr) {
    return new Adam(checkHyper("lr", lr), 0, 0, 0, new int[0], 0.9, 0.999, 1e-8, false);
  }

  /**
   * AdamW with learning rate γ and PyTorch's default decoupled weight decay λ_d = 10⁻²: {@code
   * of(lr).withDecoupledWeightDecay(0.01)}.
   */
  public static Adam adamW(double lr) {
    return of(lr).withDecoupledWeightDecay(0.01);
  }

  /**
   * This optimizer with (β₁, β₂).
   *
   * @throws IllegalArgumentException unless both are in [0, 1)
   */
  public Adam withBetas(double beta1, double beta2) {
    return new Adam(
        lr,
        weightDecay,
        l1,
        decoupledWeightDecay,
        exempt,
        checkUnit("beta1", beta1, false),
        checkUnit("beta2", beta2, false),
        eps,
        amsgrad);
  }

  /**
   * This optimizer with ε.
   *
   * @throws IllegalArgumentException if ε is negative, NaN or infinite
   */
  public Adam withEps(double eps) {
    return new Adam(
        lr,
        weightDecay,
        l1,
        decoupledWeightDecay,
        exempt,
        beta1,
        beta2,
        checkHyper("eps", eps),
        amsgrad);
  }

  /** This optimizer with or without AMSGrad (a third state buffer, {@code max_exp_avg_sq}). */
  public Adam withAmsgrad(boolean on) {
    return new Adam(lr, weightDecay, l1, decoupledWeightDecay, exempt, beta1, beta2, eps, on);
  }

  /** β₁. */
  public double beta1() {
    return beta1;
  }

  /** β₂. */
  public double beta2() {
    return beta2;
  }

  /** ε. */
  public double eps() {
    return eps;
  }

  /** Whether AMSGrad is on. */
  public boolean amsgrad() {
    return amsgrad;
  }

  @Override
  public Adam withLr(double lr) {
    return (Adam) super.withLr(lr);
  }

  @Override
  public Adam withWeightDecay(double lambda) {
    return (Adam) super.withWeightDecay(lambda);
  }

  @Override
  public Adam withL1(double lambda1) {
    return (Adam) super.withL1(lambda1);
  }

  @Override
  public Adam withDecoupledWeightDecay(double lambda) {
    return (Adam) super.withDecoupledWeightDecay(lambda);
  }

  @Override
  public Adam withoutDecay(TensorSet views) {
    return (Adam) super.withoutDecay(views);
  }

  @Override
  public Adam withDecayEverywhere() {
    return (Adam) super.withDecayEverywhere();
  }

  @Override
  Adam copy(double lr, double wd, double l1, double dwd, int[] exempt) {
    return new Adam(lr, wd, l1, dwd, exempt, beta1, beta2, eps, amsgrad);
  }

  @Override
  String[] stateNames() {
    return amsgrad ? AMSGRAD : PLAIN;
  }

  @Override
  void run(
      int off, int n, float[] p, float[] g, OptimizerState s, long t, double lr, boolean decay) {
    double bc1 = 1 - Math.pow(beta1, t);
    double bc2 = 1 - Math.pow(beta2, t);
    KERNELS.adam(
        n,
        p,
        g,
        s.raw(0),
        s.raw(1),
        amsgrad ? s.raw(2) : null,
        off,
        (float) (lr / bc1),
        (float) (1 / Math.sqrt(bc2)),
        (float) eps,
        (float) beta1,
        (float) (1 - beta1),
        (float) beta2,
        (float) (1 - beta2),
        keep(lr, decay),
        l2(decay),
        l1(decay));
  }

  @Override
  public String toString() {
    return "Adam["
        + common()
        + " betas=("
        + beta1
        + ", "
        + beta2
        + ") eps="
        + eps
        + (amsgrad ? " amsgrad" : "")
        + "]";
  }
}
