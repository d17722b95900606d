package dev.bptt.kernel.training;

import dev.bptt.kernel.clip.TensorSet;

/**
 * RMSprop, {@code torch.optim.RMSprop}: with γ the learning rate, α the smoothing constant, ĝ the
 * penalized gradient (see {@link Optimizer}) and keep = 1 − γ·λ_d,
 *
 * <pre>
 *   v ← α·v + (1 − α)·ĝ²
 *   centered:  a ← α·a + (1 − α)·ĝ,  s = √max(v − a², 0) + ε;   else  s = √v + ε
 *   momentum μ &gt; 0:  b ← μ·b + ĝ/s,  θ ← θ·keep − γ·b;   else  θ ← θ·keep − γ·ĝ/s
 * </pre>
 *
 * (the max with 0 guards the rounding of v − a², which is ≥ 0 exactly). No bias correction, as in
 * PyTorch; the momentum buffer starts at 0. Defaults γ = 10⁻², α = 0.99, ε = 10⁻⁸. State: {@code
 * square_avg}, then {@code momentum_buffer} (μ &gt; 0) and {@code grad_avg} (centered).
 */
public final class RmsProp extends Optimizer {
  private final double alpha;
  private final double eps;
  private final double momentum;
  private final boolean centered;
  private final String[] names;

  private RmsProp(
      double lr,
      double wd,
      double l1,
      double dwd,
      int[] exempt,
      double alpha,
      double eps,
      double momentum,
      boolean centered) {
    super(lr, wd, l1, dwd, exempt);
    this.alpha = alpha;
    this.eps = eps;
    this.momentum = momentum;
    this.centered = centered;
    this.names =
        momentum != 0
            ? centered
                ? new String[] {"square_avg", "momentum_buffer", "grad_avg"}
                : new String[] {"square_avg", "momentum_buffer"}
            : centered ? new String[] {"square_avg", "grad_avg"} : new String[] {"square_avg"};
  }

  /** RMSprop with PyTorch's defaults: γ = 10⁻², α = 0.99, ε = 10⁻⁸. */
  public static RmsProp of() {
    return of(1e-2);
  }

  /**
   * RMSprop with learning rate γ and the default α, ε.
   *
   * @throws IllegalArgumentException if γ is negative, NaN or infinite
   */
  public static RmsProp of(double lr) {
    return new RmsProp(checkHyper("lr", lr), 0, 0, 0, new int[0], 0.99, 1e-8, 0, false);
  }

  /**
   * This optimizer with smoothing constant α.
   *
   * @throws IllegalArgumentException unless α is in [0, 1]
   */
  public RmsProp withAlpha(double alpha) {
    return new RmsProp(
        lr,
        weightDecay,
        l1,
        decoupledWeightDecay,
        exempt,
        checkUnit("alpha", alpha, true),
        eps,
        momentum,
        centered);
  }

  /**
   * This optimizer with ε.
   *
   * @throws IllegalArgumentException if ε is negative, NaN or infinite
   */
  public RmsProp withEps(double eps) {
    return new RmsProp(
        lr,
        weightDecay,
        l1,
        decoupledWeightDecay,
        exempt,
        alpha,
        checkHyper("eps", eps),
        momentum,
        centered);
  }

  /**
   * This optimizer with momentum μ (a {@code momentum_buffer} when μ &gt; 0).
   *
   * @throws IllegalArgumentException if μ is negative, NaN or infinite
   */
  public RmsProp withMomentum(double mu) {
    return new RmsProp(
        lr,
        weightDecay,
        l1,
        decoupledWeightDecay,
        exempt,
        alpha,
        eps,
        checkHyper("momentum", mu),
        centered);
  }

  /** This optimizer centered or not (a {@code grad_avg} buffer when centered). */
  public RmsProp withCentered(boolean on) {
    return new RmsProp(lr, weightDecay, l1, decoupledWeightDecay, exempt, alpha, eps, momentum, on);
  }

  /** α. */
  public double alpha() {
    return alpha;
  }

  /** ε. */
  public double eps() {
    return eps;
  }

  /** μ. */
  public double momentum() {
    return momentum;
  }

  /** Whether the variant is centered. */
  public boolean centered() {
    return centered;
  }

  @Override
  public RmsProp withLr(double lr) {
    return (RmsProp) super.withLr(lr);
  }

  @Override
  public RmsProp withWeightDecay(double lambda) {
    return (RmsProp) super.withWeightDecay(lambda);
  }

  @Override
  public RmsProp withL1(double lambda1) {
    return (RmsProp) super.withL1(lambda1);
  }

  @Override
  public RmsProp withDecoupledWeightDecay(double lambda) {
    return (RmsProp) super.withDecoupledWeightDecay(lambda);
  }

  @Override
  public RmsProp withoutDecay(TensorSet views) {
    return (RmsProp) super.withoutDecay(views);
  }

  @Override
  public RmsProp withDecayEverywhere() {
    return (RmsProp) super.withDecayEverywhere();
  }

  @Override
  RmsProp copy(double lr, double wd, double l1, double dwd, int[] exempt) {
    return new RmsProp(lr, wd, l1, dwd, exempt, alpha, eps, momentum, centered);
  }

  @Override
  String[] stateNames() {
    return names;
  }

  @Override
  void run(
      int off, int n, float[] p, float[] g, OptimizerState s, long t, double lr, boolean decay) {
    float[] buf = momentum != 0 ? s.raw(1) : null;
    float[] avg = centered ? s.raw(momentum != 0 ? 2 : 1) : null;
    KERNELS.rmsprop(
        n,
        p,
        g,
        s.raw(0),
        avg,
        buf,
        off,
        (float) lr,
        (float) alpha,
        (float) (1 - alpha),
        (float) eps,
        (float) momentum,
        keep(lr, decay),
        l2(decay),
        l1(decay));
  }

  @Override
  public String toString() {
    return "RmsProp["
        + common()
        + " alpha="
        + alpha
        + " eps="
        + eps
        + (momentum != 0 ? " momentum=" + momentum : "")
        + (centered ? " centered" : "")
        + "]";
  }
}
