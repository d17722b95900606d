package dev.bptt.kernel.rnn;

/**
 * A recurrent network over flat buffers whose sizes the sequence holders and workspaces are checked
 * against. The BPTT strategies of {@code dev.bptt.kernel.bptt} run every implementation through the
 * same engines.
 */
public sealed interface RecurrentNetwork permits ElmanRnn, StackedRnn {

  /** D, the input size per step. */
  int inputSize();

  /**
   * Floats per sequence of the state carried from step to step: the initial state and its gradient
   * are B·this floats (layout in {@link SequenceBatch}).
   */
  int stateSize();

  /** O′, floats per sequence of one step's output: the readout's O, or the hidden state's size. */
  int stepOutputSize();

  /** Floats in the flat parameter (and gradient) array. */
  int parameterCount();
}
