package dev.bptt.kernel.clip;

/**
 * The vector norm a clip measures, over all entries of the views it is given (the views are treated
 * as one concatenated vector g).
 */
public enum NormType {
  /** ‖g‖₂ = √(Σᵢ gᵢ²), the Euclidean norm (PyTorch {@code norm_type=2}, TF, Keras, Pascanu). */
  L2,
  /** ‖g‖₁ = Σᵢ |gᵢ| (PyTorch {@code norm_type=1}). */
  L1,
  /** ‖g‖∞ = maxᵢ |gᵢ| (PyTorch {@code norm_type=inf}). */
  LINF
}
