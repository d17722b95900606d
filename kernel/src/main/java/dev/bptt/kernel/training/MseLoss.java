package dev.bptt.kernel.training;

import dev.bptt.kernel.internal.Checks;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.StepLoss;

/**
 * Mean squared error, {@code torch.nn.MSELoss}: over N elements y with targets y*,
 *
 * <pre>
 *   MEAN:  L = Σ (y − y*)² / N,   ∂L/∂y = 2(y − y*)/N
 *   SUM:   L = Σ (y − y*)²,       ∂L/∂y = 2(y − y*)
 * </pre>
 *
 * The value is summed in double in element order; each gradient entry is computed in double and
 * rounded once. Immutable; allocates nothing per call.
 *
 * <p><b>N per step.</b> Used as a {@link StepLoss} ({@link #stepLoss}), the loss of a sequence is
 * PyTorch's MSE over the stacked outputs of all loss steps: N = (number of loss steps) × B × O, so
 * each step returns its share Σ_step (y − y*)²/N and the pass's total is the mean over every
 * element of every loss step (with a loss at the last step only, N = B·O).
 */
public final class MseLoss {
  private static final MseLoss MEAN = new MseLoss(Reduction.MEAN);
  private static final MseLoss SUM = new MseLoss(Reduction.SUM);

  private final Reduction reduction;

  private MseLoss(Reduction reduction) {
    this.reduction = reduction;
  }

  /** The mean reduction (PyTorch's default). */
  public static MseLoss of() {
    return MEAN;
  }

  /** This loss with another reduction. */
  public MseLoss withReduction(Reduction r) {
    Checks.notNull("reduction", r);
    return r == Reduction.MEAN ? MEAN : SUM;
  }

  /** The reduction. */
  public Reduction reduction() {
    return reduction;
  }

  /**
   * The loss over n elements with N = n, writing ∂L/∂y; see {@link #apply(float[], int, float[],
   * int, int, float[], int, long)}.
   */
  public double apply(float[] y, int yOff, float[] target, int tOff, int n, float[] dy, int dyOff) {
    return apply(y, yOff, target, tOff, n, dy, dyOff, Math.max(1, n));
  }

  /**
   * The loss over the n elements y[yOff..) against target[tOff..), writing ∂L/∂y to dy[dyOff..) (dy
   * may be y itself, at the same offset).
   *
   * @param meanCount N ≥ 1 of the mean (ignored for SUM): n for one batch, more when this call is
   *     one part of a larger mean
   * @return the value: Σ(y − y*)²/N (MEAN) or Σ(y − y*)² (SUM)
   * @throws NullPointerException if an array is null
   * @throws IndexOutOfBoundsException if a range does not fit
   * @throws IllegalArgumentException if n &lt; 0, N &lt; 1 or dy partially overlaps y or target;
   *     nothing is written then
   */
  public double apply(
      float[] y, int yOff, float[] target, int tOff, int n, float[] dy, int dyOff, long meanCount) {
    Checks.nonNegative("n", n);
    Checks.vector("y", y, yOff, n);
    Checks.vector("target", target, tOff, n);
    Checks.vector("dy", dy, dyOff, n);
    Checks.positive("meanCount", meanCount);
    Checks.exactOrNoOverlap("y", y, yOff, "dy", dy, dyOff, n);
    Checks.exactOrNoOverlap("target", target, tOff, "dy", dy, dyOff, n);
    return run(y, yOff, target, tOff, n, dy, dyOff, reduction == Reduction.MEAN ? meanCount : 1);
  }

  private static double run(
      float[] y, int yOff, float[] target, int tOff, int n, float[] dy, int dyOff, long count) {
    double scale = 2.0 / count;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double d = (double) y[yOff + i] - target[tOff + i];
      sum += d * d;
      dy[dyOff + i] = (float) (scale * d);
    }
    return sum / count;
  }

  /**
   * This loss as the {@link StepLoss} of a {@link dev.bptt.kernel.rnn.SequenceBatch} of T steps,
   * batch B and O outputs per step (O′ of the network), with the targets stored like the upstream
   * gradient: one [B][O] block per loss step, in increasing step order, at tOff. For MEAN, N =
   * losses.count(T)·B·O (see the class comment). Calling it for a step that carries no loss throws.
   * Allocates nothing per call; the targets array is read at each call (refill it between batches).
   *
   * @throws IllegalArgumentException if a size is invalid or the targets do not fit
   */
  public StepLoss stepLoss(
      LossSteps losses, int steps, int batch, int outputs, float[] targets, int tOff) {
    Checks.notNull("losses", losses);
    Checks.positive("steps (T)", steps);
    Checks.positive("batch", batch);
    Checks.positive("outputs", outputs);
    int count = losses.count(steps);
    if ((long) batch * outputs > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "batch=" + batch + " times outputs=" + outputs + " does not fit an int block");
    }
    int block = batch * outputs;
    Checks.vector("targets", targets, tOff, (long) count * block);
    long meanCount = reduction == Reduction.MEAN ? (long) count * block : 1;
    return (step, y, yOff, dy, dyOff) -> {
      int i = losses.index(step, steps);
      if (i < 0) {
        throw new IllegalArgumentException("step " + step + " carries no loss in " + losses);
      }
      Checks.vector("y", y, yOff, block);
      Checks.vector("dy", dy, dyOff, block);
      return run(y, yOff, targets, tOff + i * block, block, dy, dyOff, meanCount);
    };
  }

  @Override
  public String toString() {
    return "MseLoss[" + reduction + "]";
  }
}
