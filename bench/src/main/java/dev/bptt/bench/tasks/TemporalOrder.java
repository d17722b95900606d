package dev.bptt.bench.tasks;

import dev.bptt.kernel.rnn.LossSteps;
import java.util.random.RandomGenerator;

/**
 * The temporal-order problem of Pascanu, Mikolov and Bengio (2013), as their {@code tempOrder.py}:
 * six one-hot input channels (A, B and four distractors c, d, e, f); a sequence of length T holds
 * distractors everywhere except at p₀ uniform in [⌊0.1T⌋, ⌊0.2T⌋) and p₁ uniform in [⌊0.5T⌋,
 * ⌊0.6T⌋), which hold A or B; the class of the order (AA = 0, AB = 1, BA = 2, BB = 3) is predicted
 * at the last step (4 logits, softmax cross-entropy).
 *
 * <p>Chance: 25 % accuracy, cross-entropy ln 4 ≈ 1.386. Success: fewer than 1 % misclassified on
 * 10,000 fresh sequences.
 *
 * <p>Draws per sequence, in order: p₀, p₁, the symbol at p₀, the symbol at p₁ (A or B), then one
 * distractor for every other step in step order.
 */
public final class TemporalOrder extends Task {

  @Override
  public String name() {
    return "order";
  }

  @Override
  public int inputSize() {
    return 6;
  }

  @Override
  public int outputSize() {
    return 4;
  }

  @Override
  public boolean classification() {
    return true;
  }

  @Override
  public int length(int difficulty) {
    checkDifficulty(difficulty);
    return difficulty;
  }

  @Override
  void checkDifficulty(int difficulty) {
    if (difficulty < 10) {
      throw new IllegalArgumentException("temporal order needs T >= 10, got " + difficulty);
    }
  }

  @Override
  public LossSteps losses(int difficulty) {
    return LossSteps.lastStep();
  }

  @Override
  public double trainingBaseline(int difficulty) {
    return Math.log(4);
  }

  @Override
  public double metricBaseline(int difficulty) {
    return Math.log(4);
  }

  @Override
  public String metricName() {
    return "cross-entropy";
  }

  @Override
  public void fill(TaskBatch batch, RandomGenerator rng) {
    int t = batch.length(), b = batch.batch();
    float[] x = batch.x();
    int[] labels = batch.labels();
    java.util.Arrays.fill(x, 0f);
    int lo0 = t / 10, hi0 = Math.max(lo0 + 1, t / 5);
    int lo1 = t / 2, hi1 = Math.max(lo1 + 1, 6 * t / 10);
    for (int s = 0; s < b; s++) {
      int p0 = lo0 + rng.nextInt(hi0 - lo0);
      int p1 = lo1 + rng.nextInt(hi1 - lo1);
      int s0 = rng.nextInt(2), s1 = rng.nextInt(2);
      for (int k = 0; k < t; k++) {
        int symbol = k == p0 ? s0 : k == p1 ? s1 : 2 + rng.nextInt(4);
        x[(k * b + s) * 6 + symbol] = 1f;
      }
      labels[s] = 2 * s0 + s1;
    }
  }

  @Override
  double score(TaskBatch batch, int lossIndex, float[] y, int yOff, boolean[] failed) {
    int[] labels = batch.labels();
    double sum = 0;
    for (int s = 0, b = batch.batch(); s < b; s++) {
      sum += crossEntropyRow(y, yOff + s * 4, 4, labels[lossIndex * b + s], failed, s);
    }
    return sum;
  }

  @Override
  double metric(double lossSum, long sequences, int difficulty) {
    return lossSum / sequences;
  }
}
