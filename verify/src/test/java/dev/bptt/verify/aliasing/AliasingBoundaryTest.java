package dev.bptt.verify.aliasing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The aliasing rules at their exact boundaries: ranges that touch (one ends where the other starts)
 * are accepted, ranges that share one element are refused, for gemv's y against a strided A, and
 * for the pass arrays whose range ends are computed from the shapes (upstream blocks of the loss
 * steps, the inputs, ∂L/∂h_0) against an output placed in the same array.
 */
class AliasingBoundaryTest {
  @Test
  void gemvOutputTouchingTheMatrixIsAcceptedOverlappingByOneIsNot() {
    int m = 3, n = 4, lda = 6, aOff = 4;
    int aEnd = aOff + (m - 1) * lda + n; // 20: the last element of A is 19
    float[] x = {1, 2, 3, 4};
    for (int yOff : new int[] {aEnd, aOff - m}) { // right after A, right before A
      float[] buf = new float[aEnd + m + 2];
      assertDoesNotThrow(() -> Blas.gemv(m, n, 1f, buf, aOff, lda, x, 0, 0f, buf, yOff));
    }
    for (int yOff : new int[] {aEnd - 1, aOff - m + 1}) {
      float[] buf = new float[aEnd + m + 2];
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> Blas.gemv(m, n, 1f, buf, aOff, lda, x, 0, 0f, buf, yOff));
      assertTrue(e.getMessage().contains("y") && e.getMessage().contains("A"), e.getMessage());
    }
  }

  private static final int T = 4, B = 2, D = 3, H = 5, O = 2;
  private static final RnnLayout LAYOUT = new RnnLayout(D, H, O);
  private static final ElmanRnn NET = new ElmanRnn(LAYOUT, Activation.TANH);
  private static final SequenceShape SHAPE = SequenceShape.steps(T).batch(B);

  /** Upstream blocks of 3 loss steps at [0, 3·B·O), ∂L/∂h_0 placed at {@code at} after them. */
  @Test
  void upstreamEndIsTheLossStepsBlocks() {
    int len = 3 * B * O;
    boundary(
        len,
        at -> {
          float[] buf = new float[len + B * H + 4];
          return seq(buf, 0, new float[T * B * D], 0)
              .losses(LossSteps.at(1, 3, 4))
              .upstream(buf, 0)
              .initialStateGradient(buf, at);
        });
  }

  /** Inputs at [0, T·B·D), ∂L/∂h_0 placed at {@code at} after them. */
  @Test
  void inputEndIsAllSteps() {
    int len = T * B * D;
    boundary(
        len,
        at -> {
          float[] buf = new float[len + B * H + 4];
          return seq(new float[T * B * O], 0, buf, 0).initialStateGradient(buf, at);
        });
  }

  /** ∂L/∂h_0 at [5, 5 + B·H), the inputs placed at {@code at} after it. */
  @Test
  void initialStateGradientEndIsBatchTimesState() {
    int off = 5, len = off + B * H;
    boundary(
        len,
        at -> {
          float[] buf = new float[len + T * B * D + 4];
          return seq(new float[T * B * O], 0, buf, at).initialStateGradient(buf, off);
        });
  }

  private static SequenceBatch seq(float[] up, int upOff, float[] x, int xOff) {
    return new SequenceBatch(NET, SHAPE)
        .input(x, xOff)
        .losses(LossSteps.everyStep())
        .upstream(up, upOff);
  }

  /** The second range starting at end is accepted; starting at end − 1 it is refused. */
  private static void boundary(int end, IntFunction<SequenceBatch> placed) {
    BpttRunner runner = new BpttRunner(NET);
    BpttWorkspace ws = new BpttWorkspace(NET, SHAPE, BpttStrategy.full());
    float[] p = new float[LAYOUT.size()];
    assertDoesNotThrow(
        () -> runner.run(BpttStrategy.full(), p, new float[p.length], placed.apply(end), ws));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                runner.run(BpttStrategy.full(), p, new float[p.length], placed.apply(end - 1), ws));
    assertTrue(e.getMessage().contains("overlap") || e.getMessage().contains("["), e.getMessage());
  }
}
