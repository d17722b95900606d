package dev.bptt.kernel;

/**
 * Engine of the strategies that keep every state h_0..h_T: full BPTT, fixed truncation and
 * randomized truncation. All three run the fused forward pass; full and randomized then run the
 * fused backward pass (randomized with its drawn flow factors), truncation runs the per-loss
 * chains of {@link BpttTruncatedChains} and then the same weight-gradient GEMMs.
 */
final class BpttStoredStates implements BpttEngine {
  private final int steps;
  private final RnnWorkspace states;
  /** Flow factors of the randomized strategy [T], else null. */
  private final float[] flow;
  /** Active-chain buffers of the truncated strategy (τ &lt; T), else null. */
  private final BpttTruncatedChains chains;
  private final String family;

  BpttStoredStates(RnnLayout layout, int steps, int batch, BpttStrategy strategy) {
    this.steps = steps;
    this.states = new RnnWorkspace(layout, steps, batch);
    this.flow = strategy instanceof BpttStrategy.Randomized ? new float[steps] : null; // flow[0..T−1]
    this.chains = strategy instanceof BpttStrategy.Truncated t && t.tau() < steps
        ? new BpttTruncatedChains(layout, batch, t.tau()) : null;
    this.family = strategy instanceof BpttStrategy.Truncated t ? "truncated(tau=" + t.tau() + ")"
        : strategy instanceof BpttStrategy.Randomized ? "randomized" : "full";
  }

  @Override
  public String unfit(BpttStrategy strategy) {
    return switch (strategy) {
      case BpttStrategy.Full f -> null;
      case BpttStrategy.Randomized r -> flow != null ? null : "it has no flow buffer for randomized truncation";
      case BpttStrategy.Truncated t -> t.tau() >= steps || (chains != null && t.tau() <= chains.capacity()) ? null
          : "its chain buffers hold " + (chains == null ? 0 : chains.capacity()) + " chains, truncated(tau="
              + t.tau() + ") needs " + t.tau();
      default -> "it stores every state for " + family + ", not the buffers of " + strategy;
    };
  }

  @Override
  public void run(ElmanRnn rnn, BpttStrategy strategy, BpttCall c, BpttWorkspace ws) {
    if (strategy instanceof BpttStrategy.Randomized r) {
      // Drawn before the states are computed: the draws must not depend on them (the
      // unbiasedness argument conditions on the states).
      ws.truncations = r.schedule().sample(r.random(), steps, flow, 0);
    }
    rnn.forward(c.params, states, c.x, c.xOff, c.h0, c.h0Off);
    int batch = states.batch(), bh = batch * rnn.layout().hiddenSize();
    if (rnn.layout().hasReadout()) {
      c.report(1, steps, states.output, 0);
    } else {
      c.report(1, steps, states.hidden, bh);
    }
    if (strategy instanceof BpttStrategy.Truncated t && t.tau() < steps) {
      chains.deltas(rnn, c.params, batch, steps, t.tau(), states.hidden, states.delta, c.dOut, c.dOutOff, c.lossAt);
      if (c.dh0 != null) {
        // Δ_1 holds exactly the chains that reach step 1 (losses s ≤ τ): their flow into h_0.
        rnn.recurrentBack(batch, 1f, c.params, states.delta, 0, 0f, c.dh0, c.dh0Off);
      }
      rnn.weightGradSteps(c.params, c.grads, batch, 1, steps, states.hidden, 0, states.delta, 0, c.x, c.xOff,
          c.dOut, c.dOutOff, c.lossAt);
    } else {
      // τ ≥ T cuts nothing: this is full BPTT, run in its own (Horner) form.
      rnn.backward(c.params, c.grads, states, c.dOut, c.dOutOff, c.lossAt, c.dh0, c.dh0Off, null, null,
          strategy instanceof BpttStrategy.Randomized ? flow : null);
    }
  }

  @Override
  public int storedStates() {
    return steps + 1;
  }

  @Override
  public long floats() {
    return (long) states.hidden.length + states.delta.length + states.output.length
        + (flow == null ? 0 : flow.length) + (chains == null ? 0 : chains.floats());
  }

  @Override
  public float[] finalStateArray() {
    return states.hidden;
  }

  @Override
  public int finalStateOffset() {
    return states.hiddenOffset(steps);
  }
}
