package dev.bptt.verify.gated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.Gate;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackLayout;
import dev.bptt.kernel.rnn.StackedRnn;
import dev.bptt.kernel.training.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The layer-normalization option's API: {@link StackedRnn#withLayerNorm()} as a value (kept by
 * withLayers/withReadout, in equals, hashCode and toString), the layout's γ and β right after each
 * layer's bias_hh with the names {@code ln_hh_l{k}.weight}/{@code .bias} (in {@code tensors}, so
 * clipping groups and checkpoints carry them), their per-gate views, empty views without the
 * option, layouts without it unchanged, and bad arguments rejected before any write.
 */
class LayerNormApiTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(CellType.class)
  void layerNormLayoutAddsGammaAndBetaAfterEachBiasHh(CellType cell) {
    for (int[] s : new int[][] {{3, 5, 1, 0}, {0, 1, 2, 4}, {7, 17, 3, 2}}) {
      int d = s[0], h = s[1], layers = s[2], o = s[3], g = cell.gates();
      StackLayout plain = new StackLayout(cell, d, h, layers, o);
      StackLayout l = new StackLayout(cell, d, h, layers, o, true);
      assertEquals(plain, new StackLayout(cell, d, h, layers, o, false));
      assertFalse(plain.layerNorm());
      assertTrue(l.layerNorm());
      assertEquals(plain.size() + 2L * layers * g * h, l.size());
      int at = 0;
      List<String> names = new ArrayList<>();
      for (int k = 0; k < layers; k++) {
        int dk = k == 0 ? d : h;
        assertEquals(at, l.offWeightIh(k));
        at += g * h * (dk + h);
        assertEquals(at, l.offBiasIh(k));
        at += 2 * g * h;
        assertEquals(at, l.offLayerNormWeight(k));
        at += g * h;
        assertEquals(at, l.offLayerNormBias(k));
        at += g * h;
        if (dk > 0) {
          names.add("weight_ih_l" + k);
        }
        names.addAll(
            List.of(
                "weight_hh_l" + k,
                "bias_ih_l" + k,
                "bias_hh_l" + k,
                "ln_hh_l" + k + ".weight",
                "ln_hh_l" + k + ".bias"));
        // Without the option the (empty) views sit at the end of the layer's block.
        assertEquals(0, plain.layerNormWeight(k, new float[plain.size()]).length());
        assertEquals(0, plain.layerNormBias(k, new float[plain.size()]).length());
        assertEquals(plain.offBiasHh(k) + g * h, plain.offLayerNormWeight(k));
      }
      assertEquals(at, l.offReadoutWeight());
      if (o > 0) {
        names.addAll(List.of("fc.weight", "fc.bias"));
      }
      float[] a = new float[l.size()];
      List<String> got = new ArrayList<>();
      int next = 0;
      for (TensorView v : l.tensors(a).views()) {
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
          int q = gate.index();
          TensorView w = l.layerNormWeight(k, gate, a), b = l.layerNormBias(k, gate, a);
          assertEquals(l.offLayerNormWeight(k) + q * h, w.offset());
          assertEquals(l.offLayerNormBias(k) + q * h, b.offset());
          assertEquals(h, w.length());
          assertEquals("ln_hh_l" + k + ".weight[" + gate + "]", w.name());
          assertEquals(0, plain.layerNormWeight(k, gate, new float[plain.size()]).length());
        }
      }
    }
  }

  @Test
  void withLayerNormIsAValueKeptByTheOtherCopies() {
    StackedRnn plain = StackedRnn.gru(3, 5).withLayers(2).withReadout(1);
    StackedRnn ln = plain.withLayerNorm();
    assertFalse(plain.layerNorm());
    assertTrue(ln.layerNorm());
    assertNotEquals(plain, ln);
    assertNotEquals(plain.hashCode(), ln.hashCode());
    assertEquals(ln, StackedRnn.gru(3, 5).withLayerNorm().withLayers(2).withReadout(1));
    assertEquals(ln.hashCode(), ln.withLayers(2).withReadout(1).hashCode());
    assertEquals(ln, ln.withLayerNorm());
    assertEquals("StackedRnn[GRU, D=3, H=5, layers=2, O=1, layerNorm]", ln.toString());
    assertEquals("StackedRnn[GRU, D=3, H=5, layers=2, O=1]", plain.toString());
    assertEquals(plain.parameterCount() + 2 * 2 * 3 * 5, ln.parameterCount());
    assertTrue(ln.withLayers(3).layerNorm() && ln.withReadout(0).layerNorm());
  }

  @Test
  void checkpointsCarryGammaAndBetaByName() throws IOException {
    StackLayout l = StackedRnn.lstm(2, 3).withLayerNorm().layout();
    float[] p = new float[l.size()];
    for (int i = 0; i < p.length; i++) {
      p[i] = 0.01f * i - 0.3f;
    }
    Path file = dir.resolve("ln.safetensors");
    Checkpoint.of("rnn.", l.tensors(p)).save(file);
    Map<String, String> d = Checkpoint.describe(Files.readAllBytes(file));
    assertEquals(
        List.of(
            "rnn.weight_ih_l0",
            "rnn.weight_hh_l0",
            "rnn.bias_ih_l0",
            "rnn.bias_hh_l0",
            "rnn.ln_hh_l0.weight",
            "rnn.ln_hh_l0.bias"),
        List.copyOf(d.keySet()));
    assertEquals("F32[12]", d.get("rnn.ln_hh_l0.weight"));
    float[] q = new float[l.size()];
    Checkpoint.of("rnn.", l.tensors(q)).load(file);
    assertArrayEquals(p, q);
  }

  /**
   * One hand-computed step, torch.nn.LayerNorm's definition (biased variance, ε inside the root): r
   * = W_hh·h_0 = (1, 0), μ = ½, σ² = ¼, x̂ = (½, −½)/√(¼ + 10⁻⁵); h_1 = γ⊙x̂ + β + b_ih + b_hh.
   */
  @Test
  void oneElmanStepIsTorchLayerNorm() {
    StackedRnn net =
        StackedRnn.elman(0, 2, dev.bptt.kernel.blas.Activation.IDENTITY).withLayerNorm();
    StackLayout l = net.layout();
    float[] p = new float[l.size()];
    int w = l.offWeightHh(0);
    p[w] = 1; // W_hh = I
    p[w + 3] = 1;
    p[l.offBiasIh(0)] = 0.25f;
    p[l.offBiasHh(0) + 1] = -0.5f;
    int g = l.offLayerNormWeight(0), b = l.offLayerNormBias(0);
    p[g] = 2;
    p[g + 1] = 3;
    p[b] = 0.125f;
    p[b + 1] = 1;
    SequenceShape shape = SequenceShape.steps(1);
    SequenceBatch seq =
        new SequenceBatch(net, shape).input(new float[0]).initialState(new float[] {1, 0});
    RnnWorkspace ws = new RnnWorkspace(net, shape);
    net.forward(p, seq, ws);
    float[] h1 = new float[2];
    ws.copyState(1, h1, 0);
    double xh = 0.5 / Math.sqrt(0.25 + 1e-5);
    assertEquals(2 * xh + 0.125 + 0.25, h1[0], 1e-6);
    assertEquals(-3 * xh + 1 - 0.5, h1[1], 1e-6);
  }

  @Test
  void badArgumentsAreRejectedBeforeAnyWrite() {
    StackedRnn ln = StackedRnn.elman(2, 4, dev.bptt.kernel.blas.Activation.TANH).withLayerNorm();
    StackedRnn plain = StackedRnn.elman(2, 4, dev.bptt.kernel.blas.Activation.TANH);
    SequenceShape shape = SequenceShape.steps(2).batch(1);
    // Parameters sized for the net without the option are too short for γ and β.
    float[] short_ = new float[plain.parameterCount()];
    Arrays.fill(short_, 0.25f);
    float[] keep = short_.clone();
    RnnWorkspace ws = new RnnWorkspace(ln, shape);
    SequenceBatch seq = new SequenceBatch(ln, shape).input(new float[4]);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ln.forward(short_, seq, ws));
    assertTrue(e.getMessage().contains("params"), e.getMessage());
    assertArrayEquals(keep, short_);
    StackLayout l = ln.layout();
    assertThrows(
        IllegalArgumentException.class,
        () -> l.layerNormWeight(0, Gate.FORGET, new float[l.size()]));
    assertThrows(IndexOutOfBoundsException.class, () -> l.layerNormBias(1, new float[l.size()]));
    assertThrows(IllegalArgumentException.class, () -> l.layerNormBias(0, new float[l.size() - 1]));
  }
}
