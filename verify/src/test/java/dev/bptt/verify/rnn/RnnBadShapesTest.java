package dev.bptt.verify.rnn;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.verify.Bits;
import dev.bptt.verify.Seeds;
import dev.bptt.verify.rnn.RnnProblem.Loss;
import dev.bptt.verify.rnn.RnnProblem.Spec;
import dev.bptt.verify.rnn.RnnProblem.Weights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad shapes are rejected before any write: every call below (including building its {@link
 * SequenceBatch}, whose setters check what they can alone) throws, its message names the offending
 * argument, and every array involved (params, grads, dh0, traces, inputs, upstream, the workspace's
 * hidden states, outputs and deltas) keeps its bits.
 */
class RnnBadShapesTest {

  /** Everything a call can touch; each scenario breaks one argument. */
  static final class Setup {
    final RnnProblem p;
    final ElmanRnn rnn;
    final RnnWorkspace ws;
    final float[] grads;
    final float[] dh0;
    final float[] traceDh;
    final float[] traceDelta;

    /** A workspace of another layout (same T, B), its forward done. */
    final RnnWorkspace other;

    Setup(RnnProblem p, boolean forwardDone) {
      this.p = p;
      this.rnn = p.rnn();
      this.ws = p.workspace();
      if (forwardDone) {
        rnn.forward(p.params, p.sequence(), ws);
      }
      this.grads = p.grads0.clone();
      this.dh0 = RnnHarness.canaries(p.batch * p.layout.hiddenSize() + 2);
      this.traceDh = RnnHarness.canaries(p.steps);
      this.traceDelta = RnnHarness.canaries(p.steps);
      this.other = otherLayoutWorkspace(p);
    }

    /** A sequence batch of the problem's shape with only the input set (x at xOff). */
    SequenceBatch seq(float[] x, int xOff) {
      return new SequenceBatch(rnn, p.shape()).input(x, xOff);
    }

    /** The forward call with the problem's initial state. */
    void forward(float[] params, RnnWorkspace w, float[] x, int xOff, float[] h0, int h0Off) {
      SequenceBatch s = seq(x, xOff);
      if (h0 != null) {
        s.initialState(h0, h0Off);
      }
      rnn.forward(params, s, w);
    }

    /** The backward call: upstream at upOff with the loss steps, dh0 at offset 1, traces. */
    void backward(
        float[] params,
        float[] g,
        RnnWorkspace w,
        float[] up,
        int upOff,
        LossSteps losses,
        float[] d0,
        float[] tDh,
        float[] tDelta) {
      SequenceBatch s =
          seq(p.x, p.xOff)
              .losses(losses)
              .upstream(up, upOff)
              .initialStateGradient(d0, 1)
              .traceDh(tDh)
              .traceDelta(tDelta);
      if (p.h0 != null) {
        s.initialState(p.h0, p.h0Off);
      }
      rnn.backward(params, g, s, w);
    }

    void goodBackward() {
      backward(p.params, grads, ws, p.up, p.upOff, p.losses, dh0, traceDh, traceDelta);
    }

    /** Every array a call may write or read, by name. */
    Map<String, float[]> arrays() {
      Map<String, float[]> m = new LinkedHashMap<>();
      m.put("params", p.params);
      m.put("grads", grads);
      m.put("dh0", dh0);
      m.put("traceDh", traceDh);
      m.put("traceDelta", traceDelta);
      m.put("x", p.x);
      m.put("h0", p.h0 == null ? new float[0] : p.h0);
      m.put("dOut", p.dOut);
      m.put("upstream", p.up);
      m.put("ws.hidden", ws.hidden());
      m.put("ws.output", ws.output());
      m.put("ws.delta", ws.delta());
      m.put("other.hidden", other.hidden());
      m.put("other.output", other.output());
      m.put("other.delta", other.delta());
      return m;
    }
  }

  /** A bad call and the word its message must contain. */
  record Scenario(String name, String mentions, boolean forwardDone, Consumer<Setup> call) {
    @Override
    public String toString() {
      return name;
    }
  }

  static float[] shorter(float[] a) {
    return new float[Math.max(0, a.length - 1)];
  }

  static List<Scenario> scenarios() {
    List<Scenario> s = new ArrayList<>();
    // forward
    s.add(
        new Scenario(
            "forward: params too short",
            "params",
            false,
            c ->
                c.forward(
                    new float[c.p.layout.size() - 1], c.ws, c.p.x, c.p.xOff, c.p.h0, c.p.h0Off)));
    // The workspace names the network it was made for (the layout is part of it).
    s.add(
        new Scenario(
            "forward: workspace of another layout",
            "workspace",
            false,
            c -> c.forward(c.p.params, c.other, c.p.x, c.p.xOff, c.p.h0, c.p.h0Off)));
    s.add(
        new Scenario(
            "forward: x too short",
            "input",
            false,
            c ->
                c.forward(
                    c.p.params,
                    c.ws,
                    java.util.Arrays.copyOf(c.p.x, c.p.xOff + xLen(c) - 1),
                    c.p.xOff,
                    c.p.h0,
                    c.p.h0Off)));
    s.add(
        new Scenario(
            "forward: x offset past the data",
            "input",
            false,
            c ->
                c.forward(c.p.params, c.ws, c.p.x, c.p.x.length - xLen(c) + 1, c.p.h0, c.p.h0Off)));
    s.add(
        new Scenario(
            "forward: negative x offset",
            "input",
            false,
            c -> c.forward(c.p.params, c.ws, c.p.x, -1, c.p.h0, c.p.h0Off)));
    s.add(
        new Scenario(
            "forward: h0 too short",
            "initialState",
            false,
            c ->
                c.forward(
                    c.p.params,
                    c.ws,
                    c.p.x,
                    c.p.xOff,
                    new float[c.p.batch * c.p.layout.hiddenSize() - 1],
                    0)));
    s.add(
        new Scenario(
            "forward: null x",
            "input",
            false,
            c -> c.forward(c.p.params, c.ws, null, 0, c.p.h0, c.p.h0Off)));
    s.add(
        new Scenario(
            "forward: no input set",
            "input",
            false,
            c -> c.rnn.forward(c.p.params, new SequenceBatch(c.rnn, c.p.shape()), c.ws)));
    s.add(
        new Scenario(
            "forward: null workspace",
            "ws",
            false,
            c -> c.forward(c.p.params, null, c.p.x, c.p.xOff, c.p.h0, c.p.h0Off)));
    s.add(
        new Scenario(
            "forward: null sequence batch",
            "seq",
            false,
            c -> c.rnn.forward(c.p.params, null, c.ws)));
    s.add(
        new Scenario(
            "forward: sequence batch of another network",
            "sequence batch",
            false,
            c ->
                c.rnn.forward(
                    c.p.params,
                    new SequenceBatch(c.other.network(), c.p.shape())
                        .input(new float[xLen(c) + c.p.steps * c.p.batch]),
                    c.ws)));
    s.add(
        new Scenario(
            "forward: more steps than the workspace capacity",
            "capacity",
            false,
            c ->
                c.rnn.forward(
                    c.p.params,
                    new SequenceBatch(c.rnn, SequenceShape.steps(c.p.steps + 1).batch(c.p.batch))
                        .input(new float[xLen(c) + c.p.batch * c.p.layout.inputSize()]),
                    c.ws)));
    s.add(
        new Scenario(
            "forward: more sequences than the workspace capacity",
            "capacity",
            false,
            c ->
                c.rnn.forward(
                    c.p.params,
                    new SequenceBatch(c.rnn, SequenceShape.steps(c.p.steps).batch(c.p.batch + 1))
                        .input(new float[xLen(c) + c.p.steps * c.p.layout.inputSize()]),
                    c.ws)));
    // backward
    s.add(new Scenario("backward before forward", "forward", false, Setup::goodBackward));
    s.add(
        new Scenario(
            "backward: params too short",
            "params",
            true,
            c ->
                c.backward(
                    new float[c.p.layout.size() - 1],
                    c.grads,
                    c.ws,
                    c.p.up,
                    c.p.upOff,
                    c.p.losses,
                    c.dh0,
                    c.traceDh,
                    c.traceDelta)));
    s.add(
        new Scenario(
            "backward: grads too short",
            "grads",
            true,
            c ->
                c.backward(
                    c.p.params,
                    new float[c.p.layout.size() - 1],
                    c.ws,
                    c.p.up,
                    c.p.upOff,
                    c.p.losses,
                    c.dh0,
                    c.traceDh,
                    c.traceDelta)));
    s.add(
        new Scenario(
            "backward: grads == params",
            "grads",
            true,
            c ->
                c.backward(
                    c.p.params,
                    c.p.params,
                    c.ws,
                    c.p.up,
                    c.p.upOff,
                    c.p.losses,
                    c.dh0,
                    c.traceDh,
                    c.traceDelta)));
    s.add(
        new Scenario(
            "backward: workspace of another layout",
            "workspace",
            true,
            c ->
                c.backward(
                    c.p.params,
                    c.grads,
                    c.other,
                    c.p.up,
                    c.p.upOff,
                    c.p.losses,
                    c.dh0,
                    c.traceDh,
                    c.traceDelta)));
    // Compact upstream: L blocks of B·O′ from upOff; one float short.
    s.add(
        new Scenario(
            "backward: dOut too short",
            "upstream",
            true,
            c ->
                c.backward(
                    c.p.params,
                    c.grads,
                    c.ws,
                    java.util.Arrays.copyOf(c.p.up, c.p.upOff + upLen(c) - 1),
                    c.p.upOff,
                    c.p.losses,
                    c.dh0,
                    c.traceDh,
                    c.traceDelta)));
    s.add(
        new Scenario(
            "backward: dOut offset past the data",
            "upstream",
            true,
            c ->
                c.backward(
                    c.p.params,
                    c.grads,
                    c.ws,
                    c.p.up,
                    c.p.up.length - upLen(c) + 1,
                    c.p.losses,
                    c.dh0,
                    c.traceDh,
                    c.traceDelta)));
    s.add(
        new Scenario(
            "backward: negative dOut offset",
            "upstream",
            true,
            c ->
                c.backward(
                    c.p.params,
                    c.grads,
                    c.ws,
                    c.p.up,
                    -1,
                    c.p.losses,
                    c.dh0,
                    c.traceDh,
                    c.traceDelta)));
    s.add(
        new Scenario(
            "backward: null dOut",
            "upstream",
            true,
            c ->
                c.backward(
                    c.p.params,
                    c.grads,
                    c.ws,
                    null,
                    0,
                    c.p.losses,
                    c.dh0,
                    c.traceDh,
                    c.traceDelta)));
    s.add(
        new Scenario(
            "backward: no upstream set",
            "upstream",
            true,
            c -> c.rnn.backward(c.p.params, c.grads, c.seq(c.p.x, c.p.xOff), c.ws)));
    // Was "lossAt too short": the loss steps must lie within T (here a step T + 1).
    s.add(
        new Scenario(
            "backward: loss step beyond T",
            "loss step",
            true,
            c ->
                c.backward(
                    c.p.params,
                    c.grads,
                    c.ws,
                    c.p.up,
                    c.p.upOff,
                    LossSteps.at(1, c.p.steps + 1),
                    c.dh0,
                    c.traceDh,
                    c.traceDelta)));
    // More loss steps than the upstream holds blocks for: every step against one block (T ≥ 2
    // here).
    s.add(
        new Scenario(
            "backward: upstream shorter than the loss steps",
            "upstream",
            true,
            c ->
                c.backward(
                    c.p.params,
                    c.grads,
                    c.ws,
                    new float[c.p.batch * c.p.layout.stepOutputSize()],
                    0,
                    LossSteps.everyStep(),
                    c.dh0,
                    c.traceDh,
                    c.traceDelta)));
    // dh0 is written at offset 1 (see Setup.backward): B·H floats from 1 is one short.
    s.add(
        new Scenario(
            "backward: dh0 too short",
            "initialStateGradient",
            true,
            c ->
                c.backward(
                    c.p.params,
                    c.grads,
                    c.ws,
                    c.p.up,
                    c.p.upOff,
                    c.p.losses,
                    new float[c.p.batch * c.p.layout.hiddenSize()],
                    c.traceDh,
                    c.traceDelta)));
    s.add(
        new Scenario(
            "backward: dh0 overlapping the upstream",
            "initialStateGradient",
            true,
            c ->
                c.backward(
                    c.p.params,
                    c.grads,
                    c.ws,
                    c.p.up,
                    1,
                    c.p.losses,
                    c.p.up,
                    c.traceDh,
                    c.traceDelta)));
    s.add(
        new Scenario(
            "backward: traceDh too short",
            "traceDh",
            true,
            c ->
                c.backward(
                    c.p.params,
                    c.grads,
                    c.ws,
                    c.p.up,
                    c.p.upOff,
                    c.p.losses,
                    c.dh0,
                    shorter(c.traceDh),
                    c.traceDelta)));
    s.add(
        new Scenario(
            "backward: traceDelta too short",
            "traceDelta",
            true,
            c ->
                c.backward(
                    c.p.params,
                    c.grads,
                    c.ws,
                    c.p.up,
                    c.p.upOff,
                    c.p.losses,
                    c.dh0,
                    c.traceDh,
                    shorter(c.traceDelta))));
    s.add(
        new Scenario(
            "backward: null grads",
            "grads",
            true,
            c ->
                c.backward(
                    c.p.params,
                    null,
                    c.ws,
                    c.p.up,
                    c.p.upOff,
                    c.p.losses,
                    c.dh0,
                    c.traceDh,
                    c.traceDelta)));
    s.add(
        new Scenario(
            "backward: sequence of another shape than the forward's",
            "forward pass",
            true,
            c ->
                c.rnn.backward(
                    c.p.params,
                    c.grads,
                    new SequenceBatch(c.rnn, SequenceShape.steps(c.p.steps - 1).batch(c.p.batch))
                        .input(c.p.x, c.p.xOff)
                        .losses(LossSteps.lastStep())
                        .upstream(c.p.up, c.p.upOff),
                    c.ws)));
    s.add(
        new Scenario(
            "zeroGradients: grads too short",
            "grads",
            true,
            c -> c.rnn.zeroGradients(new float[c.p.layout.size() - 1])));
    return s;
  }

  private static int xLen(Setup c) {
    return c.p.steps * c.p.batch * c.p.layout.inputSize();
  }

  /** Length of the compact upstream: one B·O′ block per loss step. */
  private static int upLen(Setup c) {
    return c.p.losses.count(c.p.steps) * c.p.batch * c.p.layout.stepOutputSize();
  }

  /**
   * Same T and B, one more input: another layout. Its forward has run, so only the layout is wrong.
   */
  private static RnnWorkspace otherLayoutWorkspace(RnnProblem p) {
    RnnLayout l = p.layout;
    RnnLayout other = new RnnLayout(l.inputSize() + 1, l.hiddenSize(), l.outputSize());
    ElmanRnn otherRnn = new ElmanRnn(other, p.spec.activation());
    RnnWorkspace w = new RnnWorkspace(otherRnn, p.shape());
    otherRnn.forward(
        new float[other.size()],
        new SequenceBatch(otherRnn, p.shape())
            .input(new float[p.steps * p.batch * other.inputSize()]),
        w);
    return w;
  }

  static Stream<Arguments> cases() {
    List<Arguments> a = new ArrayList<>();
    for (Scenario s : scenarios()) {
      // With and without readout; x with D ≥ 1 so "x too short" is a real shortening.
      a.add(Arguments.of(s, new int[] {5, 3, 4, 7, 2}));
      a.add(Arguments.of(s, new int[] {4, 1, 3, 9, 0}));
    }
    return a.stream();
  }

  @ParameterizedTest(name = "{0} dims={1}")
  @MethodSource("cases")
  void rejectedBeforeAnyWrite(Scenario scenario, int[] dims) {
    Spec spec = new Spec(Activation.TANH, Weights.STANDARD, Loss.EVERY, true, true);
    Setup c = new Setup(RnnProblem.of(spec, dims, Seeds.base()), scenario.forwardDone());
    Map<String, float[]> before = new LinkedHashMap<>();
    c.arrays().forEach((k, v) -> before.put(k, v.clone()));

    RuntimeException e =
        assertThrows(RuntimeException.class, () -> scenario.call().accept(c), scenario.name());
    assertTrue(
        e.getMessage() != null && e.getMessage().contains(scenario.mentions()),
        scenario.name() + ": message should name '" + scenario.mentions() + "': " + e.getMessage());
    c.arrays().forEach((k, v) -> assertNull(Bits.same(k, before.get(k), v), scenario.name()));

    // The setup itself was valid: the good call goes through afterwards (a forward first if
    // needed).
    if (!scenario.forwardDone()) {
      c.forward(c.p.params, c.ws, c.p.x, c.p.xOff, c.p.h0, c.p.h0Off);
    }
    c.goodBackward();
  }
}
