package dev.bptt.verify.nonfinite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.clip.NonFinitePolicy;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.NonFiniteStateException;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link NonFiniteStateException} names the first non-finite entry exactly: its step, sequence row
 * and flat index, for a non-finite hidden state, a readout that overflows from finite states, and a
 * weight gradient that overflows from a finite forward pass, each placed at a chosen step and row
 * that are not the first (an Elman RNN with identity activation, whose values can be placed by
 * hand: W_ih = 1 on input 0 (and on input 1 in the gradient case), W_hh = 0.01, W_y = 100).
 */
class NonFinitePositionTest {
  private static final int T = 6, B = 3, D = 2, H = 4, O = 2;
  private static final RnnLayout LAYOUT = new RnnLayout(D, H, O);
  private static final ElmanRnn NET = new ElmanRnn(LAYOUT, Activation.IDENTITY);

  @ParameterizedTest(name = "step={0} row={1}")
  @CsvSource({"4,2", "2,1", "6,0", "1,2"})
  void firstNonFiniteStateIsNamed(int step, int row) {
    float[] x = new float[T * B * D];
    x[((step - 1) * B + row) * D] = Float.POSITIVE_INFINITY;
    NonFiniteStateException e = run(params(1f, 0f), x, 0f);
    assertEquals("forward", e.phase(), e.getMessage());
    assertEquals("states", e.tensor(), e.getMessage());
    assertEquals(step, e.step(), e.getMessage());
    assertEquals(row, e.row(), e.getMessage());
    assertEquals((long) (step - 1) * B * H + (long) row * H, e.index(), e.getMessage());
  }

  @ParameterizedTest(name = "step={0} row={1}")
  @CsvSource({"4,2", "2,1", "6,0", "1,2"})
  void firstNonFiniteOutputIsNamed(int step, int row) {
    float[] x = new float[T * B * D];
    // h = 1e38 is finite (W_hh = 0.01 keeps the next steps finite), y = 100·Σ h overflows.
    x[((step - 1) * B + row) * D] = 1e38f;
    NonFiniteStateException e = run(params(1f, 0f), x, 0f);
    assertEquals("outputs", e.tensor(), e.getMessage());
    assertEquals(step, e.step(), e.getMessage());
    assertEquals(row, e.row(), e.getMessage());
    assertEquals((long) (step - 1) * B * O + (long) row * O, e.index(), e.getMessage());
  }

  @ParameterizedTest(name = "x1={0}")
  @CsvSource({"1e10", "3e9"})
  void firstNonFiniteGradientIsNamed(float x1) {
    // Input 0 is zero everywhere and input 1 is x1: h, y and δ = W_yᵀ·dy ≈ 2e32 stay finite,
    // dW_ih[i][0] = Σ δ·0 = 0, and dW_ih[0][1] = Σ δ·x1 overflows: the first index is 1.
    float[] x = new float[T * B * D];
    for (int q = 0; q < T * B; q++) {
      x[q * D + 1] = x1;
    }
    NonFiniteStateException e = run(params(0f, 1f), x, 1e30f);
    assertEquals("backward", e.phase(), e.getMessage());
    assertEquals("grads", e.tensor(), e.getMessage());
    assertEquals(1, e.index(), e.getMessage());
    assertEquals(-1, e.step(), e.getMessage());
    assertEquals(-1, e.row(), e.getMessage());
  }

  /** W_ih = w0 on input 0 and w1 on input 1, W_hh = 0.01, b = 0, W_y = 100, b_y = 0. */
  private static float[] params(float w0, float w1) {
    float[] p = new float[LAYOUT.size()];
    for (int i = 0; i < H; i++) {
      p[LAYOUT.offWxh() + i * D] = w0;
      p[LAYOUT.offWxh() + i * D + 1] = w1;
    }
    Arrays.fill(p, LAYOUT.offWhh(), LAYOUT.offWhh() + H * H, 0.01f);
    Arrays.fill(p, LAYOUT.offWhy(), LAYOUT.offWhy() + O * H, 100f);
    return p;
  }

  /** Full BPTT with the THROW check and a loss at every step whose upstream is dy everywhere. */
  private static NonFiniteStateException run(float[] p, float[] x, float dy) {
    SequenceShape shape = SequenceShape.steps(T).batch(B);
    SequenceBatch seq =
        new SequenceBatch(NET, shape)
            .input(x)
            .losses(LossSteps.everyStep())
            .loss(
                (t, y, yOff, up, upOff) -> {
                  Arrays.fill(up, upOff, upOff + B * O, dy);
                  return 0.0;
                });
    float[] grads = new float[p.length];
    float[] before = grads.clone();
    BpttRunner runner = new BpttRunner(NET).withNonFiniteCheck(NonFinitePolicy.THROW);
    BpttWorkspace ws = new BpttWorkspace(NET, shape, BpttStrategy.full());
    NonFiniteStateException e =
        assertThrows(
            NonFiniteStateException.class,
            () -> runner.run(BpttStrategy.full(), p, grads, seq, ws));
    assertArrayEquals(before, grads, "grads are left as they were");
    return e;
  }
}
