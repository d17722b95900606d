/**
 * Checked BLAS-style kernels over flat row-major {@code float[]} buffers ({@link
 * dev.bptt.kernel.blas.Blas}: dot, axpy, norms, gemv, gemvᵀ, ger, gemm, activations), the {@link
 * dev.bptt.kernel.blas.Transpose} flag and the {@link dev.bptt.kernel.blas.Activation} functions.
 * Every method validates its arguments before writing, then runs the Vector API kernel or its
 * scalar twin.
 */
package dev.bptt.kernel.blas;
