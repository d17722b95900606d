package dev.bptt.kernel;

/**
 * The buffers one family of strategies needs and the forward + backward pass over them. A
 * {@link BpttWorkspace} owns exactly one engine, made for the strategy it was sized for.
 */
sealed interface BpttEngine permits BpttStoredStates, BpttCheckpointed, BpttStreaming {

  /**
   * Null if this engine's buffers can run {@code strategy} on sequences of the workspace's
   * length, else the reason why not (for the exception message).
   */
  String unfit(BpttStrategy strategy);

  /** Forward and backward of one validated call; updates the workspace's counters. */
  void run(ElmanRnn rnn, BpttStrategy strategy, BpttCall call, BpttWorkspace ws);

  /** Hidden states [B][H] the buffers hold. */
  int storedStates();

  /** Floats in all buffers. */
  long floats();

  /** Array holding h_T after the last run. */
  float[] finalStateArray();

  /** Offset of h_T in {@link #finalStateArray()}. */
  int finalStateOffset();
}
