package dev.bptt.kernel.rnn;

/**
 * A loss evaluated during the forward pass, step by step: called once for each loss step of a
 * {@link SequenceBatch} (see {@link LossSteps}), in increasing step order, with that step's
 * outputs; it writes ∂L/∂y_t and returns the step's loss value. The passes sum the returned values
 * in step order (in double) and return the total. Every strategy calls it exactly once per loss
 * step before the backward pass reads the gradient it wrote, so a loss that needs the outputs works
 * with every strategy, checkpointed and streaming included.
 */
@FunctionalInterface
public interface StepLoss {

  /**
   * @param step the step, 1..T
   * @param y outputs of the step, [B][O′] at yOff (O′ = O with a readout, else the hidden state);
   *     the pass's own buffer: read it, do not keep it
   * @param yOff offset of row 0
   * @param dy where to write ∂L/∂y_t, [B][O′] at dyOff (every entry must be written)
   * @param dyOff offset of row 0
   * @return the loss value at this step
   */
  double apply(int step, float[] y, int yOff, float[] dy, int dyOff);
}
