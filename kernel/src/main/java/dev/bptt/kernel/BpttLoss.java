package dev.bptt.kernel;

/**
 * Called by {@link BpttRunner} during the forward pass with the outputs of a block of steps, so
 * that the caller can compute its loss and write ∂L/∂y_t into the dOut buffer it passed to the
 * run before the backward pass reads it. Every step 1..T is reported exactly once, in increasing
 * order (in one block for the strategies that store all states, one block per segment or window
 * otherwise), so a loss that needs the outputs works with every strategy.
 */
@FunctionalInterface
public interface BpttLoss {

  /**
   * Outputs of steps firstStep..lastStep (1-based): [lastStep − firstStep + 1][B][O′] floats at
   * {@code out[outOff]}, with O′ = O and y_t = W_hy·h_t + b_y when the layout has a readout,
   * else O′ = H and the outputs are h_t. The array is the runner's: read it, do not keep it.
   *
   * @param firstStep first step of the block, ≥ 1
   * @param lastStep  last step of the block, ≤ T
   * @param out       the outputs (read only)
   * @param outOff    offset of the first step's first row
   */
  void outputs(int firstStep, int lastStep, float[] out, int outOff);
}
