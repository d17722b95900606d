package dev.bptt.kernel.clip;

/**
 * What a clip does when the gradient holds a NaN or ±∞. Detection always comes first (the norm pass
 * finds it: a norm accumulated in double from finite floats never overflows, so a non-finite norm
 * means a non-finite entry) and nothing is written before the policy acts.
 *
 * <p>The same vocabulary drives the opt-in non-finite check of the forward and backward passes
 * ({@code BpttRunner.withNonFiniteCheck}, {@link
 * dev.bptt.kernel.rnn.SequenceBatch#nonFiniteCheck}): there THROW throws {@link
 * dev.bptt.kernel.rnn.NonFiniteStateException}, SKIP and ZERO leave the gradient array as it was
 * (ZERO also zeroes ∂L/∂h_0) and report NaN, and PROPAGATE does not scan.
 */
public enum NonFinitePolicy {
  /**
   * Throw {@link NonFiniteGradientException} naming the first offending view and index (views in
   * order, entries in order); the gradient is untouched (PyTorch {@code error_if_nonfinite=True}).
   */
  THROW,
  /**
   * Every entry of every view becomes NaN, so the failure cannot go unnoticed downstream (TF {@code
   * clip_by_global_norm}); {@link ClipResult#coefficient()} is NaN.
   */
  PROPAGATE,
  /**
   * The gradient is untouched and {@link ClipResult#skipStep()} is true: the caller should skip the
   * optimizer step (and, with a loss scale, back it off, as AMP's GradScaler does).
   */
  SKIP,
  /** Every entry of every view becomes +0; {@link ClipResult#coefficient()} is 0. */
  ZERO
}
