package dev.bptt.kernel.training;

import dev.bptt.kernel.internal.Checks;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.StepLoss;

/**
 * Softmax cross-entropy over logits with class indices, {@code torch.nn.CrossEntropyLoss}: for N
 * rows x of C logits with labels k ∈ [0, C),
 *
 * <pre>
 *   ℓ = log Σⱼ exp(xⱼ − max x) + max x − x_k          (log-sum-exp with the max subtracted)
 *   MEAN:  L = Σ ℓ / N,   ∂L/∂xⱼ = (softmax(x)ⱼ − [j = k]) / N
 *   SUM:   L = Σ ℓ,       ∂L/∂xⱼ = softmax(x)ⱼ − [j = k]
 * </pre>
 *
 * Each row is evaluated in double (its max, Σ exp, the log) and every gradient entry rounded once;
 * no class weights, label smoothing or {@code ignore_index}. Labels are checked before anything is
 * written. Immutable; allocates nothing per call.
 *
 * <p><b>N per step.</b> Used as a {@link StepLoss} ({@link #stepLoss}), N = (number of loss steps)
 * × B, as PyTorch's loss over the logits of all loss steps stacked into [steps·B, C]: each step
 * returns its share and the pass's total is the mean over every (step, sequence) pair.
 */
public final class CrossEntropyLoss {
  private static final CrossEntropyLoss MEAN = new CrossEntropyLoss(Reduction.MEAN);
  private static final CrossEntropyLoss SUM = new CrossEntropyLoss(Reduction.SUM);

  private final Reduction reduction;

  private CrossEntropyLoss(Reduction reduction) {
    this.reduction = reduction;
  }

  /** The mean reduction (PyTorch's default). */
  public static CrossEntropyLoss of() {
    return MEAN;
  }

  /** This loss with another reduction. */
  public CrossEntropyLoss withReduction(Reduction r) {
    Checks.notNull("reduction", r);
    return r == Reduction.MEAN ? MEAN : SUM;
  }

  /** The reduction. */
  public Reduction reduction() {
    return reduction;
  }

  /**
   * The loss over {@code rows} rows with N = rows; see {@link #apply(int, int, float[], int, int[],
   * int, float[], int, long)}.
   */
  public double apply(
      int rows, int classes, float[] x, int xOff, int[] labels, int lOff, float[] dx, int dxOff) {
    return apply(rows, classes, x, xOff, labels, lOff, dx, dxOff, Math.max(1, rows));
  }

  /**
   * The loss over the row-major [rows][classes] logits at x[xOff..) with labels[lOff..lOff+rows),
   * writing ∂L/∂x to dx[dxOff..) (dx may be x itself, at the same offset).
   *
   * @param meanCount N ≥ 1 of the mean (ignored for SUM)
   * @return Σℓ/N (MEAN) or Σℓ (SUM)
   * @throws IllegalArgumentException for negative sizes, rows &gt; 0 with classes = 0, N &lt; 1, a
   *     label outside [0, classes) or a partial overlap of dx and x; nothing is written then
   * @throws IndexOutOfBoundsException if a range does not fit
   */
  public double apply(
      int rows,
      int classes,
      float[] x,
      int xOff,
      int[] labels,
      int lOff,
      float[] dx,
      int dxOff,
      long meanCount) {
    Checks.nonNegative("rows", rows);
    Checks.nonNegative("classes", classes);
    if (rows > 0 && classes == 0) {
      throw new IllegalArgumentException("classes must be >= 1 when rows > 0");
    }
    long len = (long) rows * classes;
    Checks.vector("x", x, xOff, len);
    Checks.vector("dx", dx, dxOff, len);
    Checks.notNull("labels", labels);
    if (lOff < 0 || (long) lOff + rows > labels.length) {
      throw new IndexOutOfBoundsException(
          "labels: offset " + lOff + " + rows " + rows + " does not fit length " + labels.length);
    }
    Checks.positive("meanCount", meanCount);
    if (x == dx && xOff != dxOff) {
      Checks.noOverlap("x", x, xOff, xOff + len, "dx", dx, dxOff, dxOff + len);
    }
    checkLabels(labels, lOff, rows, classes);
    return run(
        rows,
        classes,
        x,
        xOff,
        labels,
        lOff,
        dx,
        dxOff,
        reduction == Reduction.MEAN ? meanCount : 1);
  }

  private static void checkLabels(int[] labels, int lOff, int rows, int classes) {
    for (int r = 0; r < rows; r++) {
      int k = labels[lOff + r];
      if (k < 0 || k >= classes) {
        throw new IllegalArgumentException(
            "labels[" + (lOff + r) + "] = " + k + " is not a class in [0, " + classes + ")");
      }
    }
  }

  private static double run(
      int rows,
      int classes,
      float[] x,
      int xOff,
      int[] labels,
      int lOff,
      float[] dx,
      int dxOff,
      long count) {
    double total = 0;
    for (int r = 0; r < rows; r++) {
      int o = xOff + r * classes;
      int d = dxOff + r * classes;
      int k = labels[lOff + r];
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < classes; j++) {
        max = Math.max(max, x[o + j]);
      }
      double sum = 0;
      for (int j = 0; j < classes; j++) {
        sum += Math.exp(x[o + j] - max);
      }
      total += Math.log(sum) + max - x[o + k];
      double inv = 1 / sum;
      for (int j = 0; j < classes; j++) {
        double p = Math.exp(x[o + j] - max) * inv;
        dx[d + j] = (float) ((j == k ? p - 1 : p) / count);
      }
    }
    return total / count;
  }

  /**
   * This loss as the {@link StepLoss} of a {@link dev.bptt.kernel.rnn.SequenceBatch} of T steps and
   * batch B whose step outputs are C logits (O′ = C), with the labels stored compactly: one [B]
   * block per loss step, in increasing step order, at lOff. For MEAN, N = losses.count(T)·B (see
   * the class comment). Labels are checked at each call before dy is written. Allocates nothing per
   * call.
   *
   * @throws IllegalArgumentException if a size is invalid or the labels do not fit
   */
  public StepLoss stepLoss(
      LossSteps losses, int steps, int batch, int classes, int[] labels, int lOff) {
    Checks.notNull("losses", losses);
    Checks.positive("steps (T)", steps);
    Checks.positive("batch", batch);
    Checks.positive("classes", classes);
    Checks.notNull("labels", labels);
    int count = losses.count(steps);
    if (lOff < 0 || (long) lOff + (long) count * batch > labels.length) {
      throw new IndexOutOfBoundsException(
          "labels: offset "
              + lOff
              + " + "
              + count
              + " loss steps x batch "
              + batch
              + " does not fit length "
              + labels.length);
    }
    if ((long) batch * classes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "batch=" + batch + " times classes=" + classes + " does not fit an int block");
    }
    int block = batch * classes;
    long meanCount = reduction == Reduction.MEAN ? (long) count * batch : 1;
    return (step, y, yOff, dy, dyOff) -> {
      int i = losses.index(step, steps);
      if (i < 0) {
        throw new IllegalArgumentException("step " + step + " carries no loss in " + losses);
      }
      Checks.vector("y", y, yOff, block);
      Checks.vector("dy", dy, dyOff, block);
      int lo = lOff + i * batch;
      checkLabels(labels, lo, batch, classes);
      return run(batch, classes, y, yOff, labels, lo, dy, dyOff, meanCount);
    };
  }

  @Override
  public String toString() {
    return "CrossEntropyLoss[" + reduction + "]";
  }
}
