package dev.bptt.kernel.internal;

/**
 * Provider of the Vector API kernels. Loaded reflectively; its constructor throws {@link
 * UnsupportedOperationException} when the vector size is below 128 bits or C2 is off.
 */
final class PanamaVectorizationProvider extends VectorizationProvider {
  private final BlasSupport blas;
  private final CellSupport cells;
  private final OptimizerSupport optimizers;

  PanamaVectorizationProvider() {
    String vmInfo = System.getProperty("java.vm.info", "");
    if (vmInfo.contains("emulated-client")) {
      throw new UnsupportedOperationException(
          "C2 compiler is disabled; Vector API code would run interpreted");
    }
    if (PanamaConstants.BITS < 128) {
      throw new UnsupportedOperationException(
          "preferred vector size is " + PanamaConstants.BITS + " bits (< 128)");
    }
    if (PanamaConstants.L > 16) {
      // The fixed-order lane trees are written for 4, 8 or 16 float lanes (up to 512 bits).
      throw new UnsupportedOperationException(
          "preferred vector size is " + PanamaConstants.BITS + " bits (> 512, not supported yet)");
    }
    blas = new PanamaBlasSupport();
    cells = new PanamaCellSupport(blas);
    optimizers = new PanamaOptimizerSupport();
  }

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
