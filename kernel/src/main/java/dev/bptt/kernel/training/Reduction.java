package dev.bptt.kernel.training;

/** How a loss reduces its per-element (or per-row) terms: PyTorch's {@code reduction}. */
public enum Reduction {
  /** The mean over N terms ({@code reduction='mean'}, PyTorch's default); the gradient has 1/N. */
  MEAN,
  /** The sum ({@code reduction='sum'}). */
  SUM
}
