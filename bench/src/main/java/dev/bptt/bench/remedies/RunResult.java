package dev.bptt.bench.remedies;

/**
 * The outcome of one run (task, T, remedy, seed).
 *
 * @param task task name
 * @param difficulty T
 * @param remedy remedy id
 * @param seed seed index
 * @param stepsRun steps taken (≤ budget)
 * @param stepsToSuccess the step at which the success check first passed, or −1
 * @param success whether it passed within the budget
 * @param failureRate the failure rate of the last check on fresh sequences
 * @param metric the task metric of the last check
 * @param metricBaseline the metric's baseline
 * @param finalLoss mean training loss over the last 10 % of the steps run (at most 100)
 * @param wallSeconds wall time of the run (training and checks)
 * @param clipEvents steps whose gradient the clip changed
 * @param skipped steps skipped by the explosion monitor
 * @param firstNonFinite the first step with a non-finite loss or gradient, or −1
 * @param diverged the run stopped because the parameters became non-finite
 * @param lossSpikes steps whose training loss exceeded 3× the memoryless baseline
 * @param gradSpikes gradient-norm spikes (norm &gt; 10× running mean) seen by a passive monitor
 * @param maxNorm the largest finite pre-clip gradient norm
 * @param ratioInit ‖∂L/∂h_1‖/‖∂L/∂h_L‖ at initialization (full BPTT, one diagnostic batch)
 * @param ratioFinal the same ratio at the end
 * @param mode solved, explosion, vanishing, stuck or partial (see {@link RemedyRun})
 * @param stepAxis step of each curve point
 * @param lossCurve mean training loss per bucket
 * @param normCurve largest pre-clip gradient norm per bucket (NaN if any was non-finite)
 * @param clipCurve clip events per bucket
 */
public record RunResult(
    String task,
    int difficulty,
    String remedy,
    int seed,
    int stepsRun,
    int stepsToSuccess,
    boolean success,
    double failureRate,
    double metric,
    double metricBaseline,
    double finalLoss,
    double wallSeconds,
    int clipEvents,
    int skipped,
    int firstNonFinite,
    boolean diverged,
    int lossSpikes,
    long gradSpikes,
    double maxNorm,
    double ratioInit,
    double ratioFinal,
    String mode,
    int[] stepAxis,
    float[] lossCurve,
    float[] normCurve,
    int[] clipCurve) {

  /** True when the run showed an explosion (non-finite values or loss spikes). */
  public boolean exploded() {
    return firstNonFinite >= 0 || lossSpikes > 0;
  }
}
