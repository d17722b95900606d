package dev.bptt.kernel.internal;

import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.rnn.SequenceShape;

/**
 * Engine of the strategies that keep every state h_0..h_T: full BPTT, fixed truncation and
 * randomized truncation. All three run the forward pass over all steps; full and randomized then
 * run {@link Backprop#full} (randomized with its drawn flow factors), truncation runs the per-loss
 * chains of {@link TruncatedChains} and then the same weight-gradient products.
 */
final class StoredStatesEngine implements BpttEngine {
  private final SequenceShape capacity;
  private final float[] states;
  private final float[] delta;

  /** Outputs for the loss callback when they are not the states, [T][B][O′]. */
  private final float[] outputs;

  /** Flow factors of the randomized strategy [T], else null. */
  private final float[] flow;

  /** Active-chain buffers of the truncated strategy, else null. */
  private final TruncatedChains chains;

  /** Where the chunked full pass's weight-gradient sums stand (chunks never leave a sum open). */
  private final SumBlocks chunks = new SumBlocks(0);

  private final String family;
  private int truncations;
  private int ranSteps = -1;
  private int ranBatch;
  private int ranSlot;

  StoredStatesEngine(Recurrence r, SequenceShape capacity, BpttStrategy strategy) {
    this.capacity = capacity;
    int steps = capacity.steps(), batch = capacity.batch();
    this.states = new float[Sizes.floats("states", steps + 1L, batch, r.stateSize())];
    this.delta = new float[Sizes.floats("deltas", steps, batch, r.deltaSize())];
    this.outputs =
        new float
            [r.statesAreOutputs() ? 0 : Sizes.floats("outputs", steps, batch, r.stepOutputSize())];
    this.flow = strategy instanceof BpttStrategy.Randomized ? new float[steps] : null;
    // Sized for truncated(τ): chains for min(τ, T) losses, so any smaller τ runs as well.
    this.chains =
        strategy instanceof BpttStrategy.Truncated t
            ? new TruncatedChains(r, batch, Math.min(t.tau(), steps))
            : null;
    this.family =
        strategy instanceof BpttStrategy.Truncated t
            ? "truncated(tau=" + t.tau() + ")"
            : strategy instanceof BpttStrategy.Randomized ? "randomized" : "full";
  }

  @Override
  public String unfit(BpttStrategy strategy, SequenceShape shape) {
    return switch (strategy) {
      case BpttStrategy.Full f -> null;
      case BpttStrategy.Randomized r ->
          flow != null ? null : "it has no flow buffer for randomized truncation";
      case BpttStrategy.Truncated t ->
          t.tau() >= shape.steps() || (chains != null && t.tau() <= chains.capacity())
              ? null
              : "its chain buffers hold "
                  + (chains == null ? 0 : chains.capacity())
                  + " chains, "
                  + strategy
                  + " needs "
                  + t.tau();
      default -> "it stores every state for " + family + ", not the buffers of " + strategy;
    };
  }

  @Override
  public void run(Recurrence r, BpttStrategy strategy, float[] params, float[] grads, StepData in) {
    final int steps = in.steps;
    final int bs = in.batch * r.stateSize();
    ranSteps = -1;
    truncations = 0;
    if (strategy instanceof BpttStrategy.Randomized rnd) {
      // Drawn before the states are computed: the draws must not depend on them (the
      // unbiasedness argument conditions on the states).
      truncations = rnd.schedule().sample(rnd.random(), steps, flow, 0);
      in.flow = flow;
    }
    in.initialState(r, states, 0);
    r.forwardSteps(params, in.batch, 1, steps, in.x, in.xOffset(1), states, 0);
    ranSteps = steps;
    ranBatch = in.batch;
    ranSlot = bs;
    in.evaluateLoss(r, params, 1, steps, states, bs, outputs);
    if (strategy instanceof BpttStrategy.Truncated t && t.tau() < steps) {
      chains.deltas(r, params, in, t.tau(), states, delta);
      // Δ_1 holds exactly the chains that reach step 1 (losses s ≤ τ): their flow into h_0.
      Backprop.initialStateGrad(r, params, in, true, 1f, states, bs, delta, 0);
      r.weightGrads(params, grads, in.batch, 1, steps, states, 0, delta, 0, in, null);
    } else {
      // τ ≥ T cuts nothing: this is full BPTT, run in its own (Horner) form.
      Backprop.full(r, params, grads, in, states, delta, chunks);
    }
  }

  @Override
  public int storedStates() {
    return capacity.steps() + 1;
  }

  @Override
  public long floats() {
    return (long) states.length
        + delta.length
        + outputs.length
        + (flow == null ? 0 : flow.length)
        + (chains == null ? 0 : chains.floats());
  }

  @Override
  public long recomputedSteps() {
    return 0;
  }

  @Override
  public int truncations() {
    return truncations;
  }

  @Override
  public int windows() {
    return 1;
  }

  @Override
  public boolean keepsState(int t) {
    return t >= 0 && t <= ranSteps;
  }

  @Override
  public void copyState(Recurrence r, int t, float[] dst, int off) {
    r.storeCarry(ranBatch, states, t * ranSlot, dst, off);
  }
}
