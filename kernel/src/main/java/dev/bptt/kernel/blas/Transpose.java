package dev.bptt.kernel.blas;

/** Whether a GEMM operand is used as stored ({@link #N}) or transposed ({@link #T}). */
public enum Transpose {
  /** op(A) = A. */
  N,
  /** op(A) = Aᵀ, read in place (no transposed copy is made by the caller). */
  T
}
