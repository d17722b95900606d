package dev.bptt.kernel;

/**
 * Every buffer {@link BpttRunner} needs to run one strategy on sequences of T steps and batch B:
 * after construction, runs allocate nothing. What it holds depends on the strategy it is sized
 * for:
 * <ul>
 *   <li>full, truncated, randomized: all states [T+1][B][H], δ [T][B][H] and outputs
 *       [T][B][O] (an {@link RnnWorkspace}); truncated(τ &lt; T) adds two buffers of
 *       min(τ, T)·B·H for the active loss chains, randomized a flow factor per step;</li>
 *   <li>checkpointed with segment s: the ⌈T/s⌉ − 1 segment starts, h_T, and one segment's
 *       states [s+1][B][H], δ [s][B][H] and outputs [s][B][O];</li>
 *   <li>streaming(k1, k2): one window's states [k2+1][B][H] and δ [k2][B][H], and the outputs
 *       of k1 steps.</li>
 * </ul>
 * A workspace runs the strategy it was sized for, or one of the same family that needs no
 * larger buffers (e.g. a smaller τ, or a segment length with no more segments and no longer
 * segments); full-storage workspaces also run {@link BpttStrategy#full()}.
 *
 * <p>After each run it reports how many states it holds, how many forward steps were
 * recomputed, how many truncation points were drawn and how many windows were processed. A
 * workspace is not thread-safe; use one per thread.
 */
public final class BpttWorkspace {
  private final RnnLayout layout;
  private final int steps;
  private final int batch;
  private final BpttStrategy sizedFor;
  final BpttEngine engine;
  final BpttCall call = new BpttCall();
  boolean ran;
  long recomputedSteps;
  int truncations;
  int windows;

  /**
   * @param layout   the RNN layout
   * @param steps    T ≥ 1
   * @param batch    B ≥ 1
   * @param strategy the strategy to size the buffers for
   */
  public BpttWorkspace(RnnLayout layout, int steps, int batch, BpttStrategy strategy) {
    Checks.notNull("layout", layout);
    Checks.notNull("strategy", strategy);
    if (steps < 1) {
      throw new IllegalArgumentException("steps (T) must be >= 1, got " + steps);
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch (B) must be >= 1, got " + batch);
    }
    this.layout = layout;
    this.steps = steps;
    this.batch = batch;
    this.sizedFor = strategy;
    this.engine = switch (strategy) {
      case BpttStrategy.Checkpointed c -> new BpttCheckpointed(layout, steps, batch, c.segmentLength(steps));
      case BpttStrategy.Streaming s -> new BpttStreaming(layout, steps, batch, s.k1(), s.k2());
      default -> new BpttStoredStates(layout, steps, batch, strategy);
    };
  }

  /** The layout this workspace was sized for. */
  public RnnLayout layout() {
    return layout;
  }

  /** Sequence length T. */
  public int steps() {
    return steps;
  }

  /** Batch size B. */
  public int batch() {
    return batch;
  }

  /** The strategy this workspace was sized for. */
  public BpttStrategy sizedFor() {
    return sizedFor;
  }

  /** Hidden states [B][H] the workspace holds (see {@link BpttStrategy#storedStates(int)}). */
  public int storedStates() {
    return engine.storedStates();
  }

  /** Floats in all of the workspace's buffers (states, δ, outputs, chains, flows). */
  public long floats() {
    return engine.floats();
  }

  /** Forward steps the last run computed a second time (checkpointed: T minus the last segment). */
  public long recomputedSteps() {
    return recomputedSteps;
  }

  /** Truncation points the last randomized run drew (0 for the other strategies). */
  public int truncations() {
    return truncations;
  }

  /** Backward windows of the last run: 1, or ⌈T/k1⌉ for streaming. */
  public int windows() {
    return windows;
  }

  /**
   * Copies h_T [B][H] of the last run into {@code dst[off..]}, e.g. to carry it (detached) into
   * the next chunk of a long sequence as that run's h_0.
   *
   * @throws IllegalStateException if nothing ran on this workspace yet
   */
  public void copyFinalState(float[] dst, int off) {
    int bh = batch * layout.hiddenSize();
    Checks.vector("dst", dst, off, bh);
    if (!ran) {
      throw new IllegalStateException("no run on this workspace yet: there is no final state");
    }
    System.arraycopy(engine.finalStateArray(), engine.finalStateOffset(), dst, off, bh);
  }
}
