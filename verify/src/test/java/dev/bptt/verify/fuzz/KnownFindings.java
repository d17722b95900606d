package dev.bptt.verify.fuzz;

/**
 * Kernel findings of the fuzz suite that are not fixed yet (each has a disabled regression test in
 * {@link FindingsTest}): a trial that hits one is reported, not failed.
 */
final class KnownFindings {
  private KnownFindings() {}

  /** The finding's label, or null when the trial's failure is new. */
  static String match(FuzzRunner.Finding f) {
    boolean spectral =
        f.entry().startsWith("spectral.Spectral#")
            || f.entry().startsWith("spectral.SpectralEstimator#");
    if (spectral && f.mutation().equals("subnormal copy") && f.what().contains("NaN")) {
      return "F1 spectral estimators return NaN for subnormal (valid, non-zero, finite) input";
    }
    String e = f.entry();
    if (e.startsWith("bptt.BpttStrategy$Checkpointed#storedStates(int,int)")
        && f.what().contains("ArithmeticException")) {
      return "F2 Checkpointed.storedStates(steps, s = 0) divides by zero";
    }
    if (e.startsWith("clip.ClipRule#coefficient") && f.what().startsWith("accepted")) {
      return "F3 ClipRule.coefficient accepts NaN / negative / −∞ thresholds and NaN norms";
    }
    if (e.startsWith("clip.ExplosionMonitor#observe") && f.what().contains("not finite")) {
      return "F4 ExplosionMonitor variance overflows to +∞ after one huge finite norm";
    }
    if (e.startsWith("spectral.SpectralInit#") && f.what().contains("non-finite")) {
      return "F5 SpectralInit accepts finite scales that overflow and writes ±∞";
    }
    return null;
  }
}
