package dev.bptt.kernel.internal;

/** Provider of the scalar twins (no Vector API). */
final class DefaultVectorizationProvider extends VectorizationProvider {
  private final BlasSupport blas = new DefaultBlasSupport();
  private final CellSupport cells = new DefaultCellSupport();
  private final OptimizerSupport optimizers = new DefaultOptimizerSupport();

  @Override
  public BlasSupport blas() {
    return blas;
  }

  @Override
  public CellSupport cells() {
    return cells;
  }

  @Override
  public OptimizerSupport optimizers() {
    return optimizers;
  }
}
