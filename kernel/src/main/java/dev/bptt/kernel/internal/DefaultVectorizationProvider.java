package dev.bptt.kernel.internal;

/** Provider of the scalar twins (no Vector API). */
final class DefaultVectorizationProvider extends VectorizationProvider {
  private final BlasSupport blas = new DefaultBlasSupport();

  @Override
  public BlasSupport blas() {
    return blas;
  }
}
