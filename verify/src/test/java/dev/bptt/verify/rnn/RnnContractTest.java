package dev.bptt.verify.rnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.clip.NonFinitePolicy;
import dev.bptt.kernel.rnn.BatchThreads;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.NonFiniteStateException;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackedRnn;
import org.junit.jupiter.api.Test;

/**
 * Value semantics, accessors and argument messages of the rnn package's small classes: what the
 * mutation run of this package (results/mutation) found unasserted.
 */
class RnnContractTest {

  @Test
  void shapesAndNetworksHashLikeTheyCompare() {
    SequenceShape a = SequenceShape.steps(100).batch(32);
    assertEquals(a, SequenceShape.steps(100).batch(32));
    assertEquals(a.hashCode(), SequenceShape.steps(100).batch(32).hashCode());
    assertNotEquals(a.hashCode(), SequenceShape.steps(32).batch(100).hashCode());
    assertNotEquals(a.hashCode(), SequenceShape.steps(100).batch(1).hashCode());
    assertEquals("T=100, B=32", a.toString());

    ElmanRnn e = new ElmanRnn(new RnnLayout(3, 8, 2), Activation.TANH);
    assertEquals(e, new ElmanRnn(new RnnLayout(3, 8, 2), Activation.TANH));
    assertEquals(e.hashCode(), new ElmanRnn(new RnnLayout(3, 8, 2), Activation.TANH).hashCode());
    assertNotEquals(e.hashCode(), new ElmanRnn(new RnnLayout(3, 8, 2), Activation.RELU).hashCode());
    assertNotEquals(e.hashCode(), new ElmanRnn(new RnnLayout(3, 9, 2), Activation.TANH).hashCode());
    assertEquals("ElmanRnn[D=3, H=8, O=2, TANH]", e.toString());

    StackedRnn s = StackedRnn.lstm(3, 8);
    assertEquals(s.hashCode(), StackedRnn.lstm(3, 8).hashCode());
    assertNotEquals(s.hashCode(), StackedRnn.lstm(3, 8).withLayerNorm().hashCode());
    assertNotEquals(s.hashCode(), StackedRnn.lstm(3, 8).withLayers(2).hashCode());
  }

  @Test
  void constructorsNameTheirArguments() {
    assertNames("inputSize", IllegalArgumentException.class, () -> new RnnLayout(-1, 4, 1));
    assertNames("hiddenSize", IllegalArgumentException.class, () -> new RnnLayout(1, 0, 1));
    assertNames("outputSize", IllegalArgumentException.class, () -> new RnnLayout(1, 4, -1));
    assertEquals(0, new RnnLayout(0, 4, 0).inputSize()); // D = 0 and O = 0 are valid
    assertNames("layout", NullPointerException.class, () -> new ElmanRnn(null, Activation.TANH));
    assertNames(
        "activation", NullPointerException.class, () -> new ElmanRnn(new RnnLayout(1, 2, 1), null));
    assertNames("activation", NullPointerException.class, () -> StackedRnn.elman(1, 2, null));
  }

  @Test
  void batchAndWorkspaceAccessorsReturnWhatWasSet() {
    ElmanRnn net = new ElmanRnn(new RnnLayout(2, 3, 1), Activation.TANH);
    SequenceShape shape = SequenceShape.steps(4).batch(2);
    SequenceBatch seq = new SequenceBatch(net, shape);
    assertSame(net, seq.network());
    assertNull(seq.nonFiniteCheck());
    assertSame(seq, seq.nonFiniteCheck(NonFinitePolicy.SKIP));
    assertEquals(NonFinitePolicy.SKIP, seq.nonFiniteCheck());
    assertSame(seq, seq.zeroInitialState());

    RnnWorkspace ws = new RnnWorkspace(net, shape);
    assertNull(ws.threads());
    seq.input(new float[4 * 2 * 2]);
    net.forward(new float[net.parameterCount()], seq, ws);
    assertEquals(0, ws.deltaOffset(1));
    assertEquals(2 * 3, ws.deltaOffset(2)); // (t−1)·B·H
    assertEquals(3 * 2 * 3, ws.deltaOffset(4));
    try (BatchThreads team = BatchThreads.start(2)) {
      assertSame(team, new RnnWorkspace(net, shape, team).threads());
    }
    RnnWorkspace gated = new RnnWorkspace(StackedRnn.gru(2, 3), shape);
    for (Runnable r :
        new Runnable[] {
          gated::delta, () -> gated.deltaOffset(1), gated::hidden, () -> gated.hiddenOffset(1)
        }) {
      IllegalStateException e = assertThrows(IllegalStateException.class, r::run);
      assertTrue(
          e.getMessage().contains("ElmanRnn") || e.getMessage().contains("Elman"), e.getMessage());
    }
  }

  @Test
  void nonFiniteStateExceptionKeepsWhereItWasFound() {
    NonFiniteStateException e =
        new NonFiniteStateException("forward", "states", 3, 1, 17, Double.NaN);
    assertEquals("forward", e.phase());
    assertEquals("states", e.tensor());
    assertEquals(3, e.step());
    assertEquals(1, e.row());
    assertEquals(17, e.index());
    assertTrue(Double.isNaN(e.value()));
    assertTrue(e.getMessage().contains("at step t=3"), e.getMessage());
    assertTrue(e.getMessage().contains("sequence b=1"), e.getMessage());
    NonFiniteStateException first =
        new NonFiniteStateException("backward", "grads", 0, 0, 5, Double.POSITIVE_INFINITY);
    assertTrue(first.getMessage().contains("at step t=0"), first.getMessage());
    assertTrue(first.getMessage().contains("sequence b=0"), first.getMessage());
    NonFiniteStateException none =
        new NonFiniteStateException("backward", "grads", -1, -1, 5, Double.NEGATIVE_INFINITY);
    assertFalse(none.getMessage().contains("step t="), none.getMessage());
    assertFalse(none.getMessage().contains("sequence b="), none.getMessage());
    assertEquals(-1, none.row());
  }

  private static void assertNames(
      String arg, Class<? extends RuntimeException> type, Runnable call) {
    RuntimeException e = assertThrows(type, call::run);
    assertTrue(e.getMessage() != null && e.getMessage().contains(arg), e.getMessage());
  }
}
