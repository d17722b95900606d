package dev.bptt.verify.gated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.Gate;
import dev.bptt.kernel.rnn.RnnStreamState;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackLayout;
import dev.bptt.kernel.rnn.StackedRnn;
import dev.bptt.verify.Bits;
import dev.bptt.verify.Shrink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The stack's API around the numerics: {@link StackLayout} offsets, sizes, names and per-gate
 * views; bad shapes rejected before any write (exception type, message naming the argument, every
 * array unchanged); streaming inference ({@link StackedRnn#advance}) bitwise equal to {@link
 * StackedRnn#forward}.
 */
class GatedApiTest {

  // ---- StackLayout ----

  @ParameterizedTest
  @EnumSource(CellType.class)
  void layoutOffsetsAreContiguousWithPyTorchNamesAndGateRows(CellType cell) {
    for (int[] s : new int[][] {{3, 5, 1, 0}, {0, 1, 2, 4}, {7, 17, 3, 2}, {1, 2, 2, 0}}) {
      int d = s[0], h = s[1], layers = s[2], o = s[3], g = cell.gates();
      StackLayout l = new StackLayout(cell, d, h, layers, o);
      long expect = 0;
      int at = 0;
      List<String> names = new ArrayList<>();
      for (int k = 0; k < layers; k++) {
        int dk = k == 0 ? d : h;
        assertEquals(at, l.offWeightIh(k));
        at += g * h * dk;
        assertEquals(at, l.offWeightHh(k));
        at += g * h * h;
        assertEquals(at, l.offBiasIh(k));
        at += g * h;
        assertEquals(at, l.offBiasHh(k));
        at += g * h;
        expect += (long) g * h * (dk + h + 2);
        if (dk > 0) {
          names.add("weight_ih_l" + k);
        }
        names.addAll(List.of("weight_hh_l" + k, "bias_ih_l" + k, "bias_hh_l" + k));
      }
      assertEquals(at, l.offReadoutWeight());
      assertEquals(at + o * h, l.offReadoutBias());
      expect += (long) o * h + o;
      assertEquals(expect, l.size());
      if (o > 0) {
        names.addAll(List.of("fc.weight", "fc.bias"));
      }
      float[] a = new float[l.size()];
      TensorGroup tg = l.tensors(a);
      List<String> got = new ArrayList<>();
      int next = 0;
      for (TensorView v : tg.views()) {
        got.add(v.name());
        assertEquals(next, v.offset(), v.name() + " offset");
        next += v.length();
      }
      assertEquals(names, got);
      assertEquals(l.size(), next, "views cover the layout without gaps or overlap");
      for (Gate gate : Gate.values()) {
        if (gate.cell() != cell) {
          continue;
        }
        for (int k = 0; k < layers; k++) {
          int dk = k == 0 ? d : h, q = gate.index();
          assertEquals(l.offWeightIh(k) + q * h * dk, l.weightIh(k, gate, a).offset());
          assertEquals(l.offWeightHh(k) + q * h * h, l.weightHh(k, gate, a).offset());
          assertEquals(l.offBiasIh(k) + q * h, l.biasIh(k, gate, a).offset());
          assertEquals(l.offBiasHh(k) + q * h, l.biasHh(k, gate, a).offset());
          assertEquals(h, l.biasHh(k, gate, a).length());
        }
      }
    }
  }

  // ---- bad shapes ----

  @Test
  void badShapesAreRejectedBeforeAnyWrite() {
    StackedRnn lstm = StackedRnn.lstm(3, 4).withLayers(2).withReadout(2);
    StackedRnn gru = StackedRnn.gru(3, 4);
    SequenceShape shape = SequenceShape.steps(3).batch(2);
    float[] params = new float[lstm.parameterCount()];
    Arrays.fill(params, 0.1f);
    float[] x = new float[3 * 2 * 3];
    float[] up = new float[3 * 2 * 2];
    float[] grads = new float[lstm.parameterCount()];
    Arrays.fill(grads, 0.5f);
    RnnWorkspace ws = new RnnWorkspace(lstm, shape);
    SequenceBatch seq = new SequenceBatch(lstm, shape).input(x).upstream(up);
    float[][] all = {params, x, up, grads};
    float[][] before = {params.clone(), x.clone(), up.clone(), grads.clone()};

    expect(
        IllegalArgumentException.class,
        "params",
        () -> () -> lstm.forward(Arrays.copyOf(params, params.length - 1), seq, ws));
    expect(
        IllegalArgumentException.class,
        "grads",
        () -> () -> lstm.backward(params, Arrays.copyOf(grads, 3), seq, ws));
    expect(
        IllegalArgumentException.class,
        "workspace",
        () -> () -> lstm.forward(params, seq, new RnnWorkspace(gru, shape)));
    expect(
        IndexOutOfBoundsException.class,
        "initialState",
        () -> () -> seq.initialState(new float[2 * lstm.stateSize() - 1]));
    expect(
        IllegalArgumentException.class,
        "traceDc",
        () -> () -> new SequenceBatch(gru, shape).traceDc(new float[3]));
    expect(IllegalArgumentException.class, "layers", () -> () -> lstm.withLayers(0));
    expect(
        IllegalArgumentException.class,
        "RESET",
        () -> () -> lstm.layout().biasHh(0, Gate.RESET, params));
    expect(
        IllegalArgumentException.class,
        "floats",
        () -> () -> new StackLayout(CellType.LSTM, 1 << 16, 1 << 14, 1, 0));
    expect(
        IllegalArgumentException.class,
        "hiddenSize",
        () -> () -> new StackLayout(CellType.GRU, 1, 0, 1, 0));
    expect(
        IllegalStateException.class,
        "forward",
        () -> () -> lstm.backward(params, grads, seq, new RnnWorkspace(lstm, shape)));
    for (int i = 0; i < all.length; i++) {
      assertNull(Bits.same("array " + i, all[i], before[i]));
    }
  }

  private static void expect(
      Class<? extends RuntimeException> type, String names, Supplier<Runnable> call) {
    RuntimeException e = assertThrows(type, () -> call.get().run());
    assertTrue(
        e.getMessage() != null && e.getMessage().contains(names),
        "message should name " + names + ": " + e.getMessage());
  }

  // ---- streaming inference ----

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void advanceIsBitwiseForward(long seed) {
    CellType cell = GatedCase.cell(seed);
    Shrink.check(
        seed,
        GatedCase.dims(seed),
        d -> GatedCase.valid(d) ? advance(new GatedCase(seed, cell, d)) : null);
  }

  private static String advance(GatedCase c) {
    GatedCase.Outputs out = c.outputs();
    RnnWorkspace ws = new RnnWorkspace(c.net, c.shape);
    c.net.forward(c.params, out.seq, ws);
    int s = c.batch * c.net.stateSize(), w = c.batch * c.layout.stepOutputSize();
    float[] want = new float[s];
    ws.copyState(c.steps, want, 0);
    RnnStreamState st = new RnnStreamState(c.net, c.batch).reset(c.s0, c.s0Off);
    // In two chunks: steps 1..m, then m+1..T.
    int m = c.steps / 2, row = c.batch * c.layout.inputSize();
    c.net.advance(c.params, c.x, c.xOff, m, st);
    c.net.advance(c.params, c.x, c.xOff + m * row, c.steps - m, st);
    float[] got = new float[s];
    st.copyHidden(got, 0);
    float[] y =
        Arrays.copyOfRange(ws.output(), ws.outputOffset(c.steps), ws.outputOffset(c.steps) + w);
    return Bits.first(
        Bits.same(c.describe() + " advance state", got, want),
        // A one-layer Elman stack without readout keeps no separate output (RnnStreamState's
        // "empty for an Elman RNN without readout"): its output is the state itself.
        Bits.same(c.describe() + " advance output", st.output().length == 0 ? got : st.output(), y),
        st.steps() == c.steps ? null : "steps " + st.steps());
  }

  @Test
  void elmanFactoryKeepsItsActivation() {
    StackedRnn e = StackedRnn.elman(2, 3, Activation.RELU).withLayers(3).withReadout(1);
    assertEquals(Activation.RELU, e.activation());
    assertEquals(3 * 3, e.stateSize());
    assertEquals(2 * 2 * 3, StackedRnn.lstm(2, 3).withLayers(2).stateSize());
    assertArrayEquals(
        new int[] {1, 3, 4},
        new int[] {CellType.ELMAN.gates(), CellType.GRU.gates(), CellType.LSTM.gates()});
  }
}
