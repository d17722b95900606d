package dev.bptt.kernel.internal;

/** Provider of the scalar twins (no Vector API). */
final class DefaultVectorizationProvider extends VectorizationProvider {
  private final BlasSupport blas = new DefaultBlasSupport();
  private final CellSupport cells = new DefaultCellSupport();

  @Override
  public BlasSupport blas() {
    return blas;
  }

  @Override
  public CellSupport cells() {
    return cells;
  }
}
