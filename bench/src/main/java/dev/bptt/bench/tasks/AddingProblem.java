package dev.bptt.bench.tasks;

import dev.bptt.kernel.rnn.LossSteps;
import java.util.random.RandomGenerator;

/**
 * The adding problem (Hochreiter &amp; Schmidhuber 1997, in the form of Arjovsky et al. 2016 and Le
 * et al. 2015): two input channels of length T, values U[0, 1] and a marker channel with exactly
 * two 1s, one uniform in the first half [0, ⌊T/2⌋) and one uniform in the second half [⌊T/2⌋, T);
 * the target is the sum of the two marked values, one output, squared error at the last step
 * (PyTorch's {@code MSELoss}).
 *
 * <p>Baseline: always predicting 1 gives MSE = Var(U₁ + U₂) = 1/6. Success (Pascanu et al. 2013):
 * fewer than 1 % of 10,000 fresh sequences with squared error &gt; 0.04.
 *
 * <p>Draws per sequence, in order: the first marker, the second marker, then the T values in step
 * order.
 */
public final class AddingProblem extends Task {
  /** A sequence fails when its squared error exceeds this (Pascanu et al. 2013). */
  public static final double ERROR_THRESHOLD = 0.04;

  /** MSE of always predicting 1. */
  public static final double BASELINE_MSE = 1.0 / 6;

  @Override
  public String name() {
    return "adding";
  }

  @Override
  public int inputSize() {
    return 2;
  }

  @Override
  public int outputSize() {
    return 1;
  }

  @Override
  public boolean classification() {
    return false;
  }

  @Override
  public int length(int difficulty) {
    checkDifficulty(difficulty);
    return difficulty;
  }

  @Override
  public LossSteps losses(int difficulty) {
    return LossSteps.lastStep();
  }

  @Override
  public double trainingBaseline(int difficulty) {
    return BASELINE_MSE;
  }

  @Override
  public double metricBaseline(int difficulty) {
    return BASELINE_MSE;
  }

  @Override
  public String metricName() {
    return "MSE";
  }

  @Override
  public void fill(TaskBatch batch, RandomGenerator rng) {
    int t = batch.length(), b = batch.batch();
    float[] x = batch.x();
    float[] target = batch.targets();
    int half = t / 2;
    for (int s = 0; s < b; s++) {
      int p1 = rng.nextInt(half);
      int p2 = half + rng.nextInt(t - half);
      double sum = 0;
      for (int k = 0; k < t; k++) {
        float v = (float) rng.nextDouble();
        int i = (k * b + s) * 2;
        x[i] = v;
        boolean marked = k == p1 || k == p2;
        x[i + 1] = marked ? 1f : 0f;
        if (marked) {
          sum += v;
        }
      }
      target[s] = (float) sum;
    }
  }

  @Override
  double score(TaskBatch batch, int lossIndex, float[] y, int yOff, boolean[] failed) {
    float[] target = batch.targets();
    double sum = 0;
    for (int s = 0, b = batch.batch(); s < b; s++) {
      double d = (double) y[yOff + s] - target[lossIndex * b + s];
      double e = d * d;
      if (!(e <= ERROR_THRESHOLD)) {
        failed[s] = true;
      }
      sum += e;
    }
    return sum;
  }

  @Override
  double metric(double lossSum, long sequences, int difficulty) {
    return lossSum / sequences;
  }
}
