package dev.bptt.verify.fuzz;

/**
 * Kernel findings of the fuzz suite that are not fixed yet: a trial that hits one is reported, not
 * failed. F1–F6 (subnormal spectral input, Checkpointed.storedStates with s = 0 and near 2³¹,
 * unchecked ClipRule.coefficient, the monitor's NaN variance, initializers writing ±∞) are fixed
 * and their regression tests in {@link FindingsTest} run; F7 and F8 (dev.bptt.kernel.training) are
 * open, their regression tests disabled.
 */
final class KnownFindings {
  private KnownFindings() {}

  /** The finding's label, or null when the trial's failure is new. */
  static String match(FuzzRunner.Finding f) {
    boolean training = f.entry().startsWith("training.");
    // F7: a hyper-parameter (γ, λ, λ₁, λ_d, μ, …) that is finite as a double but +∞ as the float
    // the kernel rounds it to is accepted; the step then writes ±∞/NaN for finite inputs.
    if (training
        && f.mutation().contains("1.7976931348623157E308")
        && (f.what().contains("non-finite")
            || f.what().contains("NaN")
            || f.what().contains("Infinity"))) {
      return "F7 hyper-parameter above Float.MAX_VALUE accepted";
    }
    // F8: CosineAnnealingLR's closed form cancels: with η_min ≫ γ₀, lr(0) is not γ₀.
    if (f.entry().startsWith("training.LrSchedule#cosine") && f.what().contains("lr(0) = ")) {
      return "F8 cosine schedule cancellation for etaMin >> lr";
    }
    // F9: StepLR / MultiStepLR / ExponentialLR accept any finite gamma (also > 1): lr(e) =
    // γ₀·gamma^k
    // overflows to +∞ (NaN for γ₀ = 0) at large epochs, which Optimizer.step then refuses.
    if (f.entry().startsWith("training.LrSchedule#")
        && (f.what().contains(") = Infinity") || f.what().contains(") = NaN"))) {
      return "F9 schedule overflows to +inf/NaN for gamma > 1";
    }
    // F10: MseLoss/CrossEntropyLoss.stepLoss multiply batch by outputs (classes) with
    // Math.multiplyExact: an ArithmeticException instead of an IllegalArgumentException.
    if (f.entry().matches("training\\.(MseLoss|CrossEntropyLoss)#stepLoss.*")
        && f.what().startsWith("threw ArithmeticException")) {
      return "F10 stepLoss batch x outputs overflow throws ArithmeticException";
    }
    // F11: Checkpoint.withOptimizerState with a state too small for the layout: the
    // IndexOutOfBoundsException comes from the TensorView constructor and names neither the
    // state nor its size.
    if (f.entry().startsWith("training.Checkpoint#withOptimizerState")
        && f.param().equals("state")
        && f.what().contains("does not name 'state'")) {
      return "F11 withOptimizerState: a too-small state is not named";
    }
    return null;
  }
}
