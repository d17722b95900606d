package dev.bptt.kernel.bptt;

import dev.bptt.kernel.clip.NonFinitePolicy;
import dev.bptt.kernel.internal.BpttEngine;
import dev.bptt.kernel.internal.Checks;
import dev.bptt.kernel.internal.Recurrence;
import dev.bptt.kernel.internal.Recurrences;
import dev.bptt.kernel.internal.StepData;
import dev.bptt.kernel.internal.Teams;
import dev.bptt.kernel.rnn.BatchThreads;
import dev.bptt.kernel.rnn.NonFiniteStateException;
import dev.bptt.kernel.rnn.RecurrentNetwork;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;

/**
 * Every buffer {@link BpttRunner} needs to run one strategy on a network for sequences up to a
 * capacity shape: after construction, runs allocate nothing. What it holds depends on the strategy
 * it is sized for (S = the network's state size):
 *
 * <ul>
 *   <li>full, truncated, randomized: all states [T+1][B][S], δ [T][B][S] (and outputs [T][B][O] for
 *       a loss callback with a readout); truncated(τ) adds two buffers of min(τ, T)·B·S for the
 *       active loss chains, randomized a flow factor per step;
 *   <li>checkpointed with segment s: the ⌈T/s⌉ − 1 segment starts, h_T, and one segment's states
 *       [s+1][B][S], δ [s][B][S] and outputs [s][B][O];
 *   <li>streaming(k1, k2): one window's states [k2+1][B][S] and δ [k2][B][S], and the outputs of k1
 *       steps.
 * </ul>
 *
 * A workspace runs any sequence shape that fits its capacity with the strategy it was sized for, or
 * one of the same family that needs no larger buffers (any τ, or a segment length with no more
 * segments and no longer segments); full-storage workspaces also run {@link BpttStrategy#full()}.
 *
 * <p>After each run it reports how many states it holds, how many forward steps were recomputed,
 * how many truncation points were drawn, how many windows were processed, and which hidden states
 * it still holds. A workspace is not thread-safe; use one per thread.
 */
public final class BpttWorkspace {
  private final RecurrentNetwork net;
  private final SequenceShape capacity;
  private final BpttStrategy sizedFor;
  private final Recurrence kernels;
  private final BpttEngine engine;
  private final StepData call = new StepData();
  private SequenceShape ranShape;
  private final BatchThreads threads;

  /** Copy of the gradient range taken before a checked run (made on the first one), or null. */
  private float[] gradSnapshot;

  private NonFiniteStateException nonFinite;

  /**
   * @param net the network
   * @param capacity the largest T and B to run
   * @param strategy the strategy to size the buffers for
   */
  public BpttWorkspace(RecurrentNetwork net, SequenceShape capacity, BpttStrategy strategy) {
    this(net, capacity, strategy, null);
  }

  /**
   * A workspace whose runs split their work across {@code threads} (see {@link BatchThreads}):
   * results are bitwise those of a workspace without threads, for every strategy.
   *
   * @param net the network
   * @param capacity the largest T and B to run
   * @param strategy the strategy to size the buffers for
   * @param threads the team to run on, or null for the caller's thread alone
   */
  public BpttWorkspace(
      RecurrentNetwork net, SequenceShape capacity, BpttStrategy strategy, BatchThreads threads) {
    Checks.notNull("net", net);
    Checks.notNull("capacity", capacity);
    Checks.notNull("strategy", strategy);
    this.net = net;
    this.capacity = capacity;
    this.sizedFor = strategy;
    this.threads = threads;
    this.kernels = Recurrences.of(net, Teams.of(threads));
    this.engine = BpttEngine.create(kernels, capacity, strategy);
    // Multi-row recurrent products (B > 1, or truncation chains) use packed weights: made now so
    // that no run allocates.
    if (capacity.batch() > 1 || strategy instanceof BpttStrategy.Truncated) {
      kernels.reservePacked();
    }
  }

  /** The network this workspace was sized for. */
  public RecurrentNetwork network() {
    return net;
  }

  /** The team runs use, or null when they run on the caller's thread alone. */
  public BatchThreads threads() {
    return threads;
  }

  /** The largest shape the workspace runs. */
  public SequenceShape capacity() {
    return capacity;
  }

  /** The strategy this workspace was sized for. */
  public BpttStrategy sizedFor() {
    return sizedFor;
  }

  /** States [B][S] the workspace holds (see {@link BpttStrategy#storedStates(int)}). */
  public int storedStates() {
    return engine.storedStates();
  }

  /**
   * Floats in all of the workspace's buffers (states, δ, outputs, chains, flows; a checkpointed
   * workspace also holds 2 × the parameter count for the partial weight-gradient sums a segment
   * boundary leaves open, which keeps it bitwise equal to full BPTT).
   */
  public long floats() {
    return engine.floats();
  }

  /** Forward steps the last run computed a second time (checkpointed: T minus the last segment). */
  public long recomputedSteps() {
    return engine.recomputedSteps();
  }

  /** Truncation points the last randomized run drew (0 for the other strategies). */
  public int truncations() {
    return engine.truncations();
  }

  /** Backward windows of the last run: 1, or ⌈T/k1⌉ for streaming. */
  public int windows() {
    return engine.windows();
  }

  /**
   * True when the workspace still holds the hidden state of step t (0..T) of the last run: every
   * step for full, truncated and randomized; steps 0..s, the segment starts and T for checkpointed;
   * T for streaming.
   */
  public boolean holdsState(int t) {
    return ranShape != null && engine.keepsState(t);
  }

  /**
   * Copies the hidden state of step t [B][S] of the last run into {@code dst[off..]}; h_T, e.g.,
   * carries (detached) into the next chunk of a long sequence as that run's initial state. dst may
   * be any array (the source is the workspace's own buffer).
   *
   * @throws IllegalStateException if the workspace does not hold that state (see {@link
   *     #holdsState})
   */
  public void copyState(int t, float[] dst, int off) {
    if (ranShape == null) {
      throw new IllegalStateException("no run on this workspace yet: there is no state");
    }
    Checks.vector("dst", dst, off, (long) ranShape.batch() * net.stateSize());
    if (!engine.keepsState(t)) {
      throw new IllegalStateException(
          "the workspace ("
              + sizedFor
              + ") does not hold the state of step "
              + t
              + " after a run of "
              + ranShape);
    }
    engine.copyState(kernels, t, dst, off);
  }

  /**
   * Copies h_T [B][S] of the last run into {@code dst[off..]} (see {@link #copyState}); dst may be
   * any array (the source is the workspace's own buffer).
   */
  public void copyFinalState(float[] dst, int off) {
    if (ranShape == null) {
      throw new IllegalStateException("no run on this workspace yet: there is no final state");
    }
    copyState(ranShape.steps(), dst, off);
  }

  /**
   * What the non-finite check of the last run found (see {@link BpttRunner#withNonFiniteCheck}):
   * the first NaN or ±∞, with its phase, tensor, step and sequence, or null when the last run was
   * clean or unchecked. Under SKIP and ZERO this is how the caller learns why {@code run} returned
   * NaN.
   */
  public NonFiniteStateException nonFinite() {
    return nonFinite;
  }

  // ---- called by BpttRunner after its checks ----

  void checkRuns(RecurrentNetwork n, BpttStrategy strategy, SequenceShape shape) {
    if (!net.equals(n)) {
      throw new IllegalArgumentException("workspace was made for " + net + ", not " + n);
    }
    if (!shape.fitsIn(capacity)) {
      throw new IllegalArgumentException(
          "sequence shape " + shape + " does not fit the workspace capacity " + capacity);
    }
    String unfit = engine.unfit(strategy, shape);
    if (unfit != null) {
      throw new IllegalArgumentException(
          "workspace sized for " + sizedFor + " cannot run " + strategy + ": " + unfit);
    }
  }

  double run(
      BpttStrategy strategy,
      float[] params,
      float[] grads,
      SequenceBatch seq,
      NonFinitePolicy policy) {
    ranShape = null;
    nonFinite = null;
    call.set(kernels, seq);
    boolean check = policy != null && policy != NonFinitePolicy.PROPAGATE;
    int p = kernels.parameterCount();
    try {
      kernels.paramsChanged();
      if (!check) {
        engine.run(kernels, strategy, params, grads, call);
        ranShape = seq.shape();
        return call.lossSum;
      }
      if (gradSnapshot == null) {
        gradSnapshot = new float[p];
      }
      System.arraycopy(grads, 0, gradSnapshot, 0, p);
      call.checkFinite = true;
      NonFiniteStateException found;
      try {
        engine.run(kernels, strategy, params, grads, call);
        found = call.scanBackward(kernels, grads, p);
        if (found == null) {
          ranShape = seq.shape();
          return call.lossSum;
        }
        ranShape = seq.shape();
      } catch (NonFiniteStateException forward) {
        found = forward; // thrown by the forward check before the backward pass of its window
      }
      // grads are as before the call: nothing written (forward) or restored (backward, streaming)
      System.arraycopy(gradSnapshot, 0, grads, 0, p);
      nonFinite = found;
      if (policy == NonFinitePolicy.THROW) {
        throw found;
      }
      if (policy == NonFinitePolicy.ZERO) {
        call.zeroInitialStateGradient(kernels);
      }
      return Double.NaN;
    } finally {
      call.clear();
    }
  }
}
