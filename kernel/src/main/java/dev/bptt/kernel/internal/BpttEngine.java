package dev.bptt.kernel.internal;

import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.rnn.SequenceShape;

/**
 * The buffers one family of strategies needs and the forward + backward pass over them, for any
 * {@link Recurrence}. A {@code BpttWorkspace} owns exactly one engine, made for the strategy and
 * the capacity shape it was sized for; the engine owns its counters and buffers.
 */
public sealed interface BpttEngine permits StoredStatesEngine, CheckpointedEngine, StreamingEngine {

  /** The engine for {@code strategy} with buffers for sequences up to {@code capacity}. */
  static BpttEngine create(Recurrence r, SequenceShape capacity, BpttStrategy strategy) {
    return switch (strategy) {
      case BpttStrategy.Checkpointed c ->
          new CheckpointedEngine(r, capacity, c.segmentLength(capacity.steps()));
      case BpttStrategy.Streaming s -> new StreamingEngine(r, capacity, s.k1(), s.k2());
      default -> new StoredStatesEngine(r, capacity, strategy);
    };
  }

  /** Null if the buffers can run {@code strategy} on sequences of {@code shape}, else why not. */
  String unfit(BpttStrategy strategy, SequenceShape shape);

  /** Forward and backward of one validated call; sets the counters. */
  void run(Recurrence r, BpttStrategy strategy, float[] params, float[] grads, StepData in);

  /** States [B][S] the buffers hold. */
  int storedStates();

  /** Floats in all buffers. */
  long floats();

  /** Forward steps the last run computed a second time. */
  long recomputedSteps();

  /** Truncation points the last run drew. */
  int truncations();

  /** Backward windows of the last run. */
  int windows();

  /** True when, after the last run, the carried state of step t (0..T) is still held. */
  boolean keepsState(int t);

  /**
   * Copies the carried state [B][carry] of step t into dst[off..]; {@link #keepsState}(t) must
   * hold.
   */
  void copyState(Recurrence r, int t, float[] dst, int off);
}
