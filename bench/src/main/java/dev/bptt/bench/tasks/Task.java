package dev.bptt.bench.tasks;

import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RecurrentNetwork;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StepLoss;
import dev.bptt.kernel.training.CrossEntropyLoss;
import dev.bptt.kernel.training.MseLoss;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A synthetic long-range task with a seeded generator, a training loss and the published success
 * criterion (see {@code bptt-anchors.md} §3.4 and §8): {@link AddingProblem}, {@link
 * TemporalOrder}, {@link CopyMemory}. A task is parameterized by its difficulty T (the sequence
 * length of the adding and temporal-order problems, the delay of the copy task) and writes batches
 * in the flat [L][B][D] layout of {@link SequenceBatch}. Generators draw from the caller's {@link
 * RandomGenerator} in a fixed order, so a seed fixes every batch.
 */
public abstract sealed class Task permits AddingProblem, TemporalOrder, CopyMemory {

  /** A short name (adding, order, copy). */
  public abstract String name();

  /** Input channels D. */
  public abstract int inputSize();

  /** Network outputs O per step (1 for the adding problem, the number of classes otherwise). */
  public abstract int outputSize();

  /** True for a softmax cross-entropy task over class labels, false for squared error. */
  public abstract boolean classification();

  /** Time steps L of a sequence at difficulty T. */
  public abstract int length(int difficulty);

  /** The steps that carry a loss at difficulty T. */
  public abstract LossSteps losses(int difficulty);

  /**
   * The training loss (MSE or mean cross-entropy over the loss steps, PyTorch's mean reduction) of
   * the best memoryless predictor: 1/6, ln 4, ln 8.
   */
  public abstract double trainingBaseline(int difficulty);

  /** The trivial baseline of {@link #metric} (1/6, ln 4, 10·ln 8/(T + 20)). */
  public abstract double metricBaseline(int difficulty);

  /** The metric's short name. */
  public abstract String metricName();

  /** Fills every sequence of the batch with fresh draws from rng. */
  public abstract void fill(TaskBatch batch, RandomGenerator rng);

  /**
   * Scores the outputs of one loss step for every sequence of the batch: returns the sum over the
   * batch of the per-sequence loss at that step (squared error, or −log softmax of the label in
   * nats) and sets {@code failed[b]} for every sequence that counts as an error.
   */
  abstract double score(TaskBatch batch, int lossIndex, float[] y, int yOff, boolean[] failed);

  /** The metric from the summed per-sequence losses of {@link #score} over n sequences. */
  abstract double metric(double lossSum, long sequences, int difficulty);

  /** A batch of B sequences at difficulty T (zeros until {@link #fill}). */
  public TaskBatch newBatch(int difficulty, int batch) {
    checkDifficulty(difficulty);
    return new TaskBatch(this, difficulty, batch);
  }

  /**
   * The training loss over a batch as a {@link StepLoss}: {@link MseLoss} at the loss steps for
   * regression, {@link CrossEntropyLoss} for classification (mean reduction: the value is the mean
   * over every loss step and sequence). Reads the batch's targets at each call, so refilling the
   * batch needs no new loss.
   */
  public StepLoss loss(TaskBatch batch) {
    int t = batch.length();
    if (classification()) {
      return CrossEntropyLoss.of()
          .stepLoss(losses(batch.difficulty()), t, batch.batch(), outputSize(), batch.labels(), 0);
    }
    return MseLoss.of()
        .stepLoss(losses(batch.difficulty()), t, batch.batch(), outputSize(), batch.targets(), 0);
  }

  /** A {@link SequenceBatch} of this batch's shape reading its inputs, with the training loss. */
  public SequenceBatch sequence(RecurrentNetwork net, TaskBatch batch) {
    return new SequenceBatch(net, SequenceShape.steps(batch.length()).batch(batch.batch()))
        .input(batch.x())
        .losses(losses(batch.difficulty()))
        .loss(loss(batch));
  }

  /**
   * An evaluator of networks on fresh sequences at difficulty T, run in batches of {@code
   * evalBatch}; it holds its own workspace (one per thread).
   */
  public Evaluator evaluator(RecurrentNetwork net, int difficulty, int evalBatch) {
    return new Evaluator(net, difficulty, evalBatch);
  }

  /**
   * Runs the network forward on {@code count} fresh sequences drawn from {@code seed} and returns
   * the success criterion and the metric beside its baseline. A one-off convenience; in a loop keep
   * an {@link #evaluator}.
   */
  public Evaluation evaluate(
      RecurrentNetwork net, float[] params, int difficulty, int count, long seed) {
    return evaluator(net, difficulty, Math.min(count, 500)).evaluate(params, count, seed);
  }

  /**
   * Scores C logits of one row against a label: returns −log softmax(x)_label (log-sum-exp with the
   * max subtracted, in double) and whether the row is an error (arg max ≠ label, or any logit not
   * finite).
   */
  static double crossEntropyRow(
      float[] y, int off, int classes, int label, boolean[] wrong, int b) {
    double max = Double.NEGATIVE_INFINITY;
    int arg = -1;
    boolean finite = true;
    for (int c = 0; c < classes; c++) {
      float v = y[off + c];
      finite &= Float.isFinite(v);
      if (v > max) {
        max = v;
        arg = c;
      }
    }
    if (!finite) {
      wrong[b] = true;
      return Double.NaN;
    }
    double sum = 0;
    for (int c = 0; c < classes; c++) {
      sum += Math.exp(y[off + c] - max);
    }
    if (arg != label) {
      wrong[b] = true;
    }
    return Math.log(sum) + max - y[off + label];
  }

  void checkDifficulty(int difficulty) {
    if (difficulty < 2) {
      throw new IllegalArgumentException("difficulty T must be >= 2, got " + difficulty);
    }
  }

  @Override
  public String toString() {
    return name();
  }

  /** Evaluates a network on fresh sequences; reusable, not thread-safe. */
  public final class Evaluator {
    private final int difficulty;
    private final TaskBatch batch;
    private final SequenceBatch seq;
    private final RnnWorkspace ws;
    private final boolean[] failed;
    private double lossSum;
    private final LossSteps losses;

    Evaluator(RecurrentNetwork net, int difficulty, int evalBatch) {
      checkDifficulty(difficulty);
      if (net.inputSize() != inputSize() || net.stepOutputSize() != outputSize()) {
        throw new IllegalArgumentException(
            "network "
                + net
                + " does not fit task "
                + name()
                + " (D = "
                + inputSize()
                + ", O = "
                + outputSize()
                + ")");
      }
      this.difficulty = difficulty;
      this.batch = newBatch(difficulty, evalBatch);
      this.failed = new boolean[evalBatch];
      this.losses = losses(difficulty);
      int len = batch.length();
      StepLoss scorer =
          (step, y, yOff, dy, dyOff) -> {
            int i = losses.index(step, len);
            lossSum += score(batch, i, y, yOff, failed);
            Arrays.fill(dy, dyOff, dyOff + evalBatch * outputSize(), 0f);
            return 0;
          };
      this.seq =
          new SequenceBatch(net, SequenceShape.steps(len).batch(evalBatch))
              .input(batch.x())
              .losses(losses)
              .loss(scorer);
      this.ws = new RnnWorkspace(net, seq.shape());
    }

    /** The difficulty T this evaluator draws. */
    public int difficulty() {
      return difficulty;
    }

    /**
     * Scores {@code count} fresh sequences (rounded up to whole evaluation batches) drawn from a
     * generator seeded with {@code seed}.
     */
    public Evaluation evaluate(float[] params, int count, long seed) {
      RandomGenerator rng = new SplittableRandom(seed);
      int b = batch.batch();
      int batches = (count + b - 1) / b;
      lossSum = 0;
      int failures = 0;
      for (int k = 0; k < batches; k++) {
        fill(batch, rng);
        Arrays.fill(failed, false);
        switch (seq.network()) {
          case dev.bptt.kernel.rnn.ElmanRnn e -> e.forward(params, seq, ws);
          case dev.bptt.kernel.rnn.StackedRnn st -> st.forward(params, seq, ws);
        }
        for (boolean f : failed) {
          failures += f ? 1 : 0;
        }
      }
      long n = (long) batches * b;
      return new Evaluation(
          name(),
          difficulty,
          (int) n,
          failures,
          metric(lossSum, n, difficulty),
          metricBaseline(difficulty),
          metricName());
    }
  }
}
