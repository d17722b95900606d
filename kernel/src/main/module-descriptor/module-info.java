/**
 * bptt-kernel: SIMD kernels (JDK Vector API) for backpropagation through time, gradient clipping
 * and spectral tools over flat {@code float[]} buffers.
 *
 * <p>{@code jdk.incubator.vector} is optional at run time ({@code requires static}): without {@code
 * --add-modules jdk.incubator.vector} the scalar twin of every kernel is used and one warning is
 * logged.
 */
module dev.bptt.kernel {
  requires static jdk.incubator.vector;

  exports dev.bptt.kernel.blas;
  exports dev.bptt.kernel.rnn;
  exports dev.bptt.kernel.bptt;
  exports dev.bptt.kernel.clip;
  exports dev.bptt.kernel.spectral;
  exports dev.bptt.kernel.training;
// dev.bptt.kernel.internal is not exported: provider, twins, GEMM driver, engines.
}
