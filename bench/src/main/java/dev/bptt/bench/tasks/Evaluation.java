package dev.bptt.bench.tasks;

/**
 * The result of {@link Task#evaluate}: the published success criterion on freshly generated
 * sequences and the task metric beside its baseline.
 *
 * @param task the task's name
 * @param difficulty T
 * @param sequences how many fresh sequences were scored
 * @param failures sequences that count as errors (adding: squared error &gt; 0.04; temporal order:
 *     misclassified; copy: at least one of the 10 recalled symbols wrong)
 * @param metric the task metric (adding: MSE; temporal order: cross-entropy in nats; copy:
 *     cross-entropy per step of the whole sequence, Arjovsky's normalization)
 * @param baseline the metric's trivial baseline (1/6, ln 4, 10·ln 8/(T + 20))
 * @param metricName a short name of the metric
 */
public record Evaluation(
    String task,
    int difficulty,
    int sequences,
    int failures,
    double metric,
    double baseline,
    String metricName) {

  /** The success threshold on the failure rate: fewer than 1 % (Pascanu et al. 2013). */
  public static final double SUCCESS_RATE = 0.01;

  /** failures / sequences. */
  public double failureRate() {
    return sequences == 0 ? Double.NaN : (double) failures / sequences;
  }

  /** True when fewer than 1 % of the sequences failed (and the metric is finite). */
  public boolean success() {
    return sequences > 0 && failureRate() < SUCCESS_RATE && Double.isFinite(metric);
  }

  @Override
  public String toString() {
    return String.format(
        java.util.Locale.ROOT,
        "%s T=%d: %d/%d failed (%.2f %%, %s), %s %.5g vs baseline %.5g",
        task,
        difficulty,
        failures,
        sequences,
        100 * failureRate(),
        success() ? "success" : "no success",
        metricName,
        metric,
        baseline);
  }
}
