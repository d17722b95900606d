package dev.bptt.verify.fuzz;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackLayout;
import dev.bptt.kernel.rnn.StackedRnn;
import org.junit.jupiter.api.Test;

/**
 * Shapes whose buffers would hold just below and just above 2³¹ floats, tested without allocating
 * them: every shape used here has a buffer of at least 2³¹ floats, so it must be refused (a refused
 * shape allocates nothing) with an IllegalArgumentException naming the sizes.
 */
class BoundaryTest {
  private static final long LIMIT = 1L << 31;

  private static void refusedNamingSizes(Runnable r, long... sizes) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    for (long s : sizes) {
      assertTrue(
          e.getMessage().contains(Long.toString(s)), "message names " + s + ": " + e.getMessage());
    }
  }

  @Test
  void rnnWorkspaceHiddenStatesJustAbove2pow31() {
    int h = 7;
    ElmanRnn rnn = new ElmanRnn(new RnnLayout(1, h, 0), Activation.TANH);
    // T·H just below 2³¹, (T+1)·H (the h_0..h_T buffer) at or above it
    int t = (int) ((LIMIT - 1) / h);
    assertTrue((long) t * h < LIMIT && (long) (t + 1) * h >= LIMIT);
    refusedNamingSizes(() -> new RnnWorkspace(rnn, SequenceShape.steps(t)), h);
    // T·B·H just above 2³¹ through the batch
    int b = (int) (LIMIT / ((long) 1000 * h)) + 1;
    refusedNamingSizes(() -> new RnnWorkspace(rnn, SequenceShape.steps(1000).batch(b)), b);
  }

  @Test
  void bpttWorkspaceFullJustAbove2pow31() {
    int h = 5;
    ElmanRnn rnn = new ElmanRnn(new RnnLayout(1, h, 0), Activation.TANH);
    int t = (int) ((LIMIT - 1) / h);
    refusedNamingSizes(
        () -> new BpttWorkspace(rnn, SequenceShape.steps(t), BpttStrategy.full()), h);
    refusedNamingSizes(
        () ->
            new BpttWorkspace(
                rnn, SequenceShape.steps(Integer.MAX_VALUE).batch(3), BpttStrategy.truncated(4)));
  }

  @Test
  void layoutsWithHugeHiddenSizes() {
    refusedNamingSizes(() -> new RnnLayout(1, 46341, 0), 46341);
    refusedNamingSizes(() -> new RnnLayout(Integer.MAX_VALUE, 1, 1), Integer.MAX_VALUE);
    refusedNamingSizes(() -> new StackLayout(CellType.LSTM, 1, 23171, 1, 0), 23171);
    refusedNamingSizes(() -> new StackLayout(CellType.GRU, 1, 1 << 14, 3, 0), 1 << 14);
    refusedNamingSizes(() -> StackedRnn.elman(1, 1 << 16, Activation.TANH), 1 << 16);
  }

  @Test
  void checkpointedHelpersAtHugeSteps() {
    int t = Integer.MAX_VALUE;
    int s = BpttStrategy.checkpointed().segmentLength(t);
    assertTrue(s >= 1 && s <= t, "segment " + s);
    // storedStates(2³¹ − 1, s) overflows: FindingsTest#checkpointedStoredStatesAtHugeSteps
  }
}
