package dev.bptt.kernel.training;

import dev.bptt.kernel.clip.TensorSet;
import dev.bptt.kernel.internal.OptimizerSupport;

/**
 * Stochastic gradient descent, {@code torch.optim.SGD}: with γ the learning rate, μ the momentum, τ
 * the dampening, t the step (from 1) and ĝ the penalized gradient (see {@link Optimizer}),
 *
 * <pre>
 *   μ = 0:  θ ← θ − γ·ĝ
 *   μ ≠ 0:  b ← ĝ (t = 1),  b ← μ·b + (1 − τ)·ĝ (t &gt; 1)
 *           θ ← θ − γ·(ĝ + μ·b)   (Nesterov)   or   θ ← θ − γ·b
 * </pre>
 *
 * PyTorch's momentum convention v = μv + g, θ ← θ − γv (not Sutskever's v = μv + γg: the two differ
 * when γ changes). With decoupled decay θ·(1 − γλ_d) replaces θ on the right. State: {@code
 * momentum_buffer} when μ ≠ 0, none otherwise. Nesterov needs μ &gt; 0 and τ = 0 (checked at each
 * step, as PyTorch checks at construction).
 */
public final class Sgd extends Optimizer {
  private static final String[] PLAIN = {};
  private static final String[] MOMENTUM = {"momentum_buffer"};

  private final double momentum;
  private final double dampening;
  private final boolean nesterov;

  private Sgd(
      double lr,
      double wd,
      double l1,
      double dwd,
      int[] exempt,
      double momentum,
      double dampening,
      boolean nesterov) {
    super(lr, wd, l1, dwd, exempt);
    this.momentum = momentum;
    this.dampening = dampening;
    this.nesterov = nesterov;
  }

  /**
   * Plain SGD with learning rate γ (no momentum, no penalty).
   *
   * @throws IllegalArgumentException if γ is negative, NaN or infinite
   */
  public static Sgd of(double lr) {
    return new Sgd(checkHyper("lr", lr), 0, 0, 0, new int[0], 0, 0, false);
  }

  /**
   * This optimizer with momentum μ (PyTorch's {@code momentum}).
   *
   * @throws IllegalArgumentException if μ is negative, NaN or infinite
   */
  public Sgd withMomentum(double mu) {
    return new Sgd(
        lr,
        weightDecay,
        l1,
        decoupledWeightDecay,
        exempt,
        checkHyper("momentum", mu),
        dampening,
        nesterov);
  }

  /**
   * This optimizer with dampening τ (the momentum buffer adds (1 − τ)·ĝ after the first step).
   *
   * @throws IllegalArgumentException if τ is not in [0, 1]
   */
  public Sgd withDampening(double tau) {
    return new Sgd(
        lr,
        weightDecay,
        l1,
        decoupledWeightDecay,
        exempt,
        momentum,
        checkUnit("dampening", tau, true),
        nesterov);
  }

  /** This optimizer with or without Nesterov momentum. */
  public Sgd withNesterov(boolean on) {
    return new Sgd(lr, weightDecay, l1, decoupledWeightDecay, exempt, momentum, dampening, on);
  }

  /** μ. */
  public double momentum() {
    return momentum;
  }

  /** τ. */
  public double dampening() {
    return dampening;
  }

  /** Whether the momentum is Nesterov's. */
  public boolean nesterov() {
    return nesterov;
  }

  @Override
  public Sgd withLr(double lr) {
    return (Sgd) super.withLr(lr);
  }

  @Override
  public Sgd withWeightDecay(double lambda) {
    return (Sgd) super.withWeightDecay(lambda);
  }

  @Override
  public Sgd withL1(double lambda1) {
    return (Sgd) super.withL1(lambda1);
  }

  @Override
  public Sgd withDecoupledWeightDecay(double lambda) {
    return (Sgd) super.withDecoupledWeightDecay(lambda);
  }

  @Override
  public Sgd withoutDecay(TensorSet views) {
    return (Sgd) super.withoutDecay(views);
  }

  @Override
  public Sgd withDecayEverywhere() {
    return (Sgd) super.withDecayEverywhere();
  }

  @Override
  Sgd copy(double lr, double wd, double l1, double dwd, int[] exempt) {
    return new Sgd(lr, wd, l1, dwd, exempt, momentum, dampening, nesterov);
  }

  @Override
  String[] stateNames() {
    return momentum != 0 ? MOMENTUM : PLAIN;
  }

  @Override
  void checkConfig() {
    if (nesterov && (momentum <= 0 || dampening != 0)) {
      throw new IllegalArgumentException(
          "nesterov momentum requires momentum > 0 and dampening = 0, got momentum="
              + momentum
              + " dampening="
              + dampening);
    }
  }

  @Override
  void run(
      int off, int n, float[] p, float[] g, OptimizerState s, long t, double lr, boolean decay) {
    int mode =
        momentum == 0
            ? OptimizerSupport.SGD_PLAIN
            : t == 1 ? OptimizerSupport.SGD_FIRST : OptimizerSupport.SGD_MOMENTUM;
    KERNELS.sgd(
        n,
        p,
        g,
        momentum == 0 ? null : s.raw(0),
        off,
        (float) lr,
        keep(lr, decay),
        l2(decay),
        l1(decay),
        (float) momentum,
        (float) (1 - dampening),
        mode,
        nesterov);
  }

  @Override
  public String toString() {
    return "Sgd["
        + common()
        + (momentum != 0 ? " momentum=" + momentum : "")
        + (dampening != 0 ? " dampening=" + dampening : "")
        + (nesterov ? " nesterov" : "")
        + "]";
  }
}
