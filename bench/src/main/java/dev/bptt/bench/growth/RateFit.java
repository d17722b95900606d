package dev.bptt.bench.growth;

/**
 * The per-step growth rate of a gradient-norm trace, fitted as in {@link GrowthExperiment}: the
 * valid window is the longest prefix k = 0..validTo with every norm in [{@link
 * GrowthExperiment#LOW}, {@link GrowthExperiment#HIGH}] (float gradients leave that range near
 * 10^±38), and the rate is the geometric mean of the successive ratios over its second half,
 * (trace[to]/trace[from])^{1/(to − from)} with from = ⌊validTo/2⌋, to = validTo — the slope of
 * log‖·‖ against k between the two ends of that window, exponentiated.
 *
 * @param validTo last k of the valid window (−1 if trace[0] is already outside it)
 * @param from first k of the fit window
 * @param to last k of the fit window
 * @param rate fitted per-step rate, NaN when the window has fewer than two points
 */
public record RateFit(int validTo, int from, int to, double rate) {

  /** Fits {@code trace} (index k = steps back from the loss). */
  public static RateFit of(double[] trace) {
    int validTo = -1;
    while (validTo + 1 < trace.length
        && trace[validTo + 1] >= GrowthExperiment.LOW
        && trace[validTo + 1] <= GrowthExperiment.HIGH) {
      validTo++;
    }
    int from = validTo >= 2 ? validTo / 2 : 0, to = Math.max(validTo, 0);
    double rate = to > from ? Math.pow(trace[to] / trace[from], 1.0 / (to - from)) : Double.NaN;
    return new RateFit(validTo, from, to, rate);
  }

  /**
   * The first k at which trace[k] ≤ drop·trace[0] (how many steps back the gradient survives a drop
   * by that factor), or −1 if it never falls that far within the trace.
   */
  public static int stepsToDrop(double[] trace, double drop) {
    double limit = trace[0] * drop;
    for (int k = 1; k < trace.length; k++) {
      if (!(trace[k] > limit)) {
        return k;
      }
    }
    return -1;
  }
}
