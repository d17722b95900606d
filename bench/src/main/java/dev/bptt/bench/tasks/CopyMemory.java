package dev.bptt.bench.tasks;

import dev.bptt.kernel.rnn.LossSteps;
import java.util.random.RandomGenerator;

/**
 * The copying-memory problem of Arjovsky, Shah and Bengio (2016): ten one-hot input channels
 * a0..a9; a sequence of length T + 20 holds 10 symbols drawn uniformly from a0..a7, then T − 1
 * blanks (a8), one delimiter (a9) and 10 blanks; the network must output the 10 symbols during the
 * last 10 steps. Trained with softmax cross-entropy over 8 logits (a0..a7) at the last 10 steps
 * only (the blanks elsewhere carry no information).
 *
 * <p>Metric: cross-entropy per step of the whole sequence, Arjovsky's normalization, with the blank
 * steps counted as predicted perfectly: (Σ over the 10 recall steps of −log p)/(T + 20). The
 * memoryless baseline (a uniform guess over a0..a7 at the recall steps) is 10·ln 8/(T + 20) nats;
 * the training loss of that guess is ln 8 per recall step. Success (our criterion, the paper states
 * none): fewer than 1 % of 10,000 fresh sequences with any recalled symbol wrong.
 *
 * <p>Draws per sequence: the 10 symbols in order.
 */
public final class CopyMemory extends Task {
  /** Symbols to remember. */
  public static final int SYMBOLS = 10;

  /** Distinct content symbols a0..a7. */
  public static final int CLASSES = 8;

  @Override
  public String name() {
    return "copy";
  }

  @Override
  public int inputSize() {
    return 10;
  }

  @Override
  public int outputSize() {
    return CLASSES;
  }

  @Override
  public boolean classification() {
    return true;
  }

  @Override
  public int length(int difficulty) {
    checkDifficulty(difficulty);
    return difficulty + 2 * SYMBOLS;
  }

  @Override
  public LossSteps losses(int difficulty) {
    int len = length(difficulty);
    int[] steps = new int[SYMBOLS];
    for (int i = 0; i < SYMBOLS; i++) {
      steps[i] = len - SYMBOLS + 1 + i;
    }
    return LossSteps.at(steps);
  }

  @Override
  public double trainingBaseline(int difficulty) {
    return Math.log(CLASSES);
  }

  @Override
  public double metricBaseline(int difficulty) {
    return SYMBOLS * Math.log(CLASSES) / (difficulty + 2 * SYMBOLS);
  }

  @Override
  public String metricName() {
    return "CE/step";
  }

  @Override
  public void fill(TaskBatch batch, RandomGenerator rng) {
    int len = batch.length(), b = batch.batch(), t = batch.difficulty();
    float[] x = batch.x();
    int[] labels = batch.labels();
    java.util.Arrays.fill(x, 0f);
    for (int s = 0; s < b; s++) {
      for (int i = 0; i < SYMBOLS; i++) {
        int sym = rng.nextInt(CLASSES);
        x[(i * b + s) * 10 + sym] = 1f;
        labels[i * b + s] = sym;
      }
      for (int k = SYMBOLS; k < len; k++) {
        int sym = k == t + SYMBOLS - 1 ? 9 : 8;
        x[(k * b + s) * 10 + sym] = 1f;
      }
    }
  }

  @Override
  double score(TaskBatch batch, int lossIndex, float[] y, int yOff, boolean[] failed) {
    int[] labels = batch.labels();
    double sum = 0;
    for (int s = 0, b = batch.batch(); s < b; s++) {
      sum += crossEntropyRow(y, yOff + s * CLASSES, CLASSES, labels[lossIndex * b + s], failed, s);
    }
    return sum;
  }

  @Override
  double metric(double lossSum, long sequences, int difficulty) {
    return lossSum / ((double) sequences * (difficulty + 2 * SYMBOLS));
  }
}
