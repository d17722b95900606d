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

  /**
   * A run read back from one data line of a report's remedies.csv (the column order {@link Report}
   * writes), without its curves (null): what {@code --merge} combines slices from.
   *
   * @throws IllegalArgumentException when the line does not have the 22 columns
   */
  static RunResult fromCsv(String line) {
    String[] c = line.split(",", -1);
    if (c.length != 22) {
      throw new IllegalArgumentException(
          "remedies.csv line has " + c.length + " columns, expected 22: " + line);
    }
    return new RunResult(
        c[0],
        Integer.parseInt(c[1]),
        c[2],
        Integer.parseInt(c[3]),
        Integer.parseInt(c[6]),
        Integer.parseInt(c[7]),
        Boolean.parseBoolean(c[5]),
        Double.parseDouble(c[11]),
        Double.parseDouble(c[9]),
        Double.parseDouble(c[10]),
        Double.parseDouble(c[8]),
        Double.parseDouble(c[12]),
        Integer.parseInt(c[13]),
        Integer.parseInt(c[14]),
        Integer.parseInt(c[15]),
        Boolean.parseBoolean(c[16]),
        Integer.parseInt(c[17]),
        Long.parseLong(c[18]),
        Double.parseDouble(c[19]),
        Double.parseDouble(c[20]),
        Double.parseDouble(c[21]),
        c[4],
        null,
        null,
        null,
        null);
  }

  /** True when the run showed an explosion (non-finite values or loss spikes). */
  public boolean exploded() {
    return firstNonFinite >= 0 || lossSpikes > 0;
  }
}
