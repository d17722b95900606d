package dev.bptt.kernel.training;

import dev.bptt.kernel.internal.Checks;
import java.util.Arrays;

/**
 * A learning-rate schedule: the closed forms of {@code torch.optim.lr_scheduler}, as a pure
 * function of the epoch (or step) e ≥ 0 that a training loop passes to {@link
 * Optimizer#step(float[], float[], OptimizerState, double)}. With γ₀ the base rate:
 *
 * <ul>
 *   <li>{@link #constant}: γ₀;
 *   <li>{@link #step StepLR}: γ₀·gamma^⌊e / step_size⌋;
 *   <li>{@link #multiStep MultiStepLR}: γ₀·gamma^(number of milestones ≤ e);
 *   <li>{@link #exponential ExponentialLR}: γ₀·gamma^e;
 *   <li>{@link #cosine CosineAnnealingLR}: η_min + (γ₀ − η_min)·(1 + cos(π·e / T_max))/2 (periodic
 *       past T_max, as PyTorch's closed form);
 *   <li>{@link #linear LinearLR}: γ₀·(s + (f − s)·min(e, n)/n), the usual warm-up;
 *   <li>{@link #sequential SequentialLR}: schedule i from milestone i−1 on, restarted at its own
 *       epoch 0 (e − milestone).
 * </ul>
 *
 * Schedules are immutable and stateless: {@code lr(e)} may be called in any order. Powers are
 * computed as {@code Math.pow} in double.
 */
@FunctionalInterface
public interface LrSchedule {

  /**
   * The learning rate at epoch (or step) e.
   *
   * @param epoch e ≥ 0
   * @throws IllegalArgumentException if e &lt; 0
   */
  double lr(int epoch);

  /** γ₀ at every epoch. */
  static LrSchedule constant(double lr) {
    Optimizer.checkHyper("lr", lr);
    return e -> {
      checkEpoch(e);
      return lr;
    };
  }

  /**
   * StepLR: γ₀·gamma^⌊e / stepSize⌋ (e.g. stepSize = 30, gamma = 0.1: γ₀ for e &lt; 30, γ₀/10 for
   * 30 ≤ e &lt; 60, …).
   *
   * @throws IllegalArgumentException if γ₀ is negative or not finite, gamma is outside [0, 1], or
   *     stepSize &lt; 1
   */
  static LrSchedule step(double lr, int stepSize, double gamma) {
    Optimizer.checkHyper("lr", lr);
    Checks.positive("stepSize", stepSize);
    checkDecay(gamma);
    return e -> {
      checkEpoch(e);
      return lr * Math.pow(gamma, e / stepSize);
    };
  }

  /**
   * MultiStepLR: γ₀·gamma^k with k the number of milestones ≤ e (a repeated milestone counts twice,
   * as in PyTorch).
   *
   * @throws IllegalArgumentException if a milestone is negative, or γ₀, gamma are invalid
   */
  static LrSchedule multiStep(double lr, int[] milestones, double gamma) {
    Optimizer.checkHyper("lr", lr);
    checkDecay(gamma);
    Checks.notNull("milestones", milestones);
    int[] m = milestones.clone();
    Arrays.sort(m);
    if (m.length > 0 && m[0] < 0) {
      throw new IllegalArgumentException("milestones must be >= 0, got " + m[0]);
    }
    return e -> {
      checkEpoch(e);
      int k = 0;
      while (k < m.length && m[k] <= e) {
        k++;
      }
      return lr * Math.pow(gamma, k);
    };
  }

  /**
   * ExponentialLR: γ₀·gamma^e.
   *
   * @throws IllegalArgumentException if γ₀ is negative or not finite, or gamma is outside [0, 1]
   */
  static LrSchedule exponential(double lr, double gamma) {
    Optimizer.checkHyper("lr", lr);
    checkDecay(gamma);
    return e -> {
      checkEpoch(e);
      return lr * Math.pow(gamma, e);
    };
  }

  /**
   * CosineAnnealingLR: η_min + (γ₀ − η_min)·(1 + cos(π·e / tMax))/2: γ₀ at e = 0, η_min at e =
   * tMax, back up to γ₀ at 2·tMax (PyTorch's closed form, without warm restarts).
   *
   * @throws IllegalArgumentException if tMax &lt; 1 or a rate is negative or not finite
   */
  static LrSchedule cosine(double lr, int tMax, double etaMin) {
    Optimizer.checkHyper("lr", lr);
    Checks.positive("tMax", tMax);
    Optimizer.checkHyper("etaMin", etaMin);
    return e -> {
      checkEpoch(e);
      // γ₀·c + η_min·(1 − c) rather than η_min + (γ₀ − η_min)·c: exact at c = 1 (e = 0) even when
      // η_min dwarfs γ₀ (the difference form cancels γ₀ away).
      double c = (1 + Math.cos(Math.PI * e / tMax)) / 2;
      return c == 1 ? lr : lr * c + etaMin * (1 - c);
    };
  }

  /**
   * LinearLR: γ₀·(s + (f − s)·min(e, n)/n), the factor going linearly from {@code startFactor} s to
   * {@code endFactor} f over {@code totalIters} n epochs and then staying at f (PyTorch's defaults
   * s = 1/3, f = 1, n = 5).
   *
   * @throws IllegalArgumentException if s is not in (0, 1], f not in [0, 1], n &lt; 1, or γ₀ is
   *     invalid
   */
  static LrSchedule linear(double lr, double startFactor, double endFactor, int totalIters) {
    Optimizer.checkHyper("lr", lr);
    if (!(startFactor > 0 && startFactor <= 1)) {
      throw new IllegalArgumentException("startFactor must be in (0, 1], got " + startFactor);
    }
    Optimizer.checkUnit("endFactor", endFactor, true);
    Checks.positive("totalIters", totalIters);
    return e -> {
      checkEpoch(e);
      // PyTorch's closed form; its rounding can go a few ulps below 0 when endFactor = 0, and a
      // rate is never negative
      double v =
          lr * (startFactor + (endFactor - startFactor) * Math.min(e, totalIters) / totalIters);
      return v < 0 ? 0.0 : v;
    };
  }

  /**
   * SequentialLR: {@code schedules[0]} for e &lt; milestones[0], then {@code schedules[i]} at its
   * own epoch e − milestones[i−1] for milestones[i−1] ≤ e &lt; milestones[i] (each restarts at 0,
   * as PyTorch's {@code SequentialLR} steps the next scheduler from 0); e.g. a linear warm-up then
   * a cosine decay: {@code sequential(new LrSchedule[] {linear(γ, 0.1, 1, 5), cosine(γ, 95, 0)},
   * 5)}.
   *
   * @param schedules k ≥ 1 schedules
   * @param milestones k − 1 strictly increasing epochs ≥ 1
   * @throws IllegalArgumentException if the counts do not match or milestones are not increasing
   */
  static LrSchedule sequential(LrSchedule[] schedules, int... milestones) {
    Checks.notNull("schedules", schedules);
    Checks.notNull("milestones", milestones);
    LrSchedule[] s = schedules.clone();
    int[] m = milestones.clone();
    if (s.length == 0 || m.length != s.length - 1) {
      throw new IllegalArgumentException(
          "sequential needs k >= 1 schedules and k - 1 milestones, got "
              + s.length
              + " schedules and "
              + m.length
              + " milestones");
    }
    for (int i = 0; i < s.length; i++) {
      Checks.notNull("schedules[" + i + "]", s[i]);
    }
    for (int i = 0; i < m.length; i++) {
      if (m[i] < 1 || (i > 0 && m[i] <= m[i - 1])) {
        throw new IllegalArgumentException(
            "milestones must be strictly increasing and >= 1, got " + Arrays.toString(m));
      }
    }
    return e -> {
      checkEpoch(e);
      int i = 0;
      while (i < m.length && m[i] <= e) {
        i++;
      }
      return s[i].lr(i == 0 ? e : e - m[i - 1]);
    };
  }

  /** Throws if e &lt; 0. */
  private static void checkEpoch(int e) {
    if (e < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + e);
    }
  }

  /**
   * gamma of the decaying schedules, in [0, 1]: γ₀·gamma^k then stays in [0, γ₀] at every epoch (a
   * gamma above 1 grows without bound and leaves the range the optimizers take).
   */
  private static void checkDecay(double gamma) {
    if (!(gamma >= 0 && gamma <= 1)) {
      throw new IllegalArgumentException("gamma must be in [0, 1], got " + gamma);
    }
  }
}
