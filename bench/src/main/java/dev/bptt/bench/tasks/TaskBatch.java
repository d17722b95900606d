package dev.bptt.bench.tasks;

/**
 * One batch of a {@link Task}, in the flat layouts a {@link dev.bptt.kernel.rnn.SequenceBatch}
 * reads: inputs [L][B][D] (time-major, {@code batch_first=False}), and per loss step one [B][O]
 * block of regression targets or one [B] block of class labels, in increasing step order (the
 * layouts of {@link dev.bptt.kernel.training.MseLoss#stepLoss} and {@link
 * dev.bptt.kernel.training.CrossEntropyLoss#stepLoss}). Made once, refilled by {@link Task#fill}.
 */
public final class TaskBatch {
  private final Task task;
  private final int difficulty;
  private final int length;
  private final int batch;
  private final float[] x;
  private final float[] targets;
  private final int[] labels;

  TaskBatch(Task task, int difficulty, int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    }
    this.task = task;
    this.difficulty = difficulty;
    this.length = task.length(difficulty);
    this.batch = batch;
    int lossCount = task.losses(difficulty).count(length);
    this.x = new float[Math.multiplyExact(Math.multiplyExact(length, batch), task.inputSize())];
    if (task.classification()) {
      this.targets = new float[0];
      this.labels = new int[lossCount * batch];
    } else {
      this.targets = new float[lossCount * batch * task.outputSize()];
      this.labels = new int[0];
    }
  }

  /** The task that made this batch. */
  public Task task() {
    return task;
  }

  /** The task's difficulty T (the sequence length parameter). */
  public int difficulty() {
    return difficulty;
  }

  /** The number of time steps L of each sequence (T for adding/temporal order, T + 20 for copy). */
  public int length() {
    return length;
  }

  /** Sequences per batch, B. */
  public int batch() {
    return batch;
  }

  /** Inputs [L][B][D]. */
  public float[] x() {
    return x;
  }

  /** Regression targets [loss steps][B][O] (empty for a classification task). */
  public float[] targets() {
    return targets;
  }

  /** Class labels [loss steps][B] (empty for a regression task). */
  public int[] labels() {
    return labels;
  }
}
