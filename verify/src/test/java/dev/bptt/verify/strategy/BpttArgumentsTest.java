package dev.bptt.verify.strategy;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.bptt.TruncationSchedule;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RnnLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Bad arguments are rejected with a message naming the argument, before anything is written:
 * grads, dh0, dOut, the workspace (its h_T and counters from an earlier good run) and the
 * random generator (no number drawn) are all unchanged.
 */
class BpttArgumentsTest {
  private static final int T = 9;
  private static final int B = 2;
  private static final RnnLayout LAYOUT = new RnnLayout(3, 4, 2);

  /** All the arguments of one run, valid until a test breaks one. */
  private static final class Call {
    BpttStrategy strategy;
    BpttWorkspace ws;
    float[] params = new float[LAYOUT.size()];
    float[] grads = new float[LAYOUT.size()];
    float[] x = new float[T * B * 3];
    int xOff;
    float[] h0 = new float[B * 4];
    int h0Off;
    float[] dOut = new float[T * B * 2];
    int dOutOff;
    boolean[] lossAt = new boolean[T];
    float[] dh0 = new float[B * 4];
    int dh0Off;

    Call(BpttStrategy strategy) {
      this.strategy = strategy;
      this.ws = new BpttWorkspace(LAYOUT, T, B, strategy);
      SplittableRandom r = new SplittableRandom(3);
      for (float[] a : new float[][] {params, grads, x, h0, dOut, dh0}) {
        for (int i = 0; i < a.length; i++) {
          a[i] = (float) r.nextDouble(-1, 1);
        }
      }
      java.util.Arrays.fill(lossAt, true);
    }

    void run(BpttRunner runner) {
      runner.run(strategy, ws, params, grads, x, xOff, h0, h0Off, null, dOut, dOutOff, lossAt, dh0, dh0Off);
    }
  }

  private static final BpttRunner RUNNER = new BpttRunner(new ElmanRnn(LAYOUT, Activation.TANH));

  /** Runs a good call, breaks it, expects the exception and that nothing changed. */
  private static void rejects(BpttStrategy strategy, Class<? extends RuntimeException> type, String inMessage,
                              Consumer<Call> breakIt) {
    Call good = new Call(strategy);
    if (strategy instanceof BpttStrategy.Streaming) {
      good.dh0 = null;
    }
    good.run(RUNNER);
    BpttWorkspace ws = good.ws;
    float[] hT = new float[B * 4];
    ws.copyFinalState(hT, 0);
    long recomputed = ws.recomputedSteps();
    int truncations = ws.truncations();
    breakIt.accept(good);
    float[] grads = good.grads.clone(), dOut = good.dOut.clone(), dh0 = good.dh0 == null ? null : good.dh0.clone();
    RuntimeException e = assertThrows(type, () -> good.run(RUNNER), strategy + " " + inMessage);
    assertTrue(e.getMessage() != null && e.getMessage().contains(inMessage),
        strategy + ": message '" + e.getMessage() + "' should mention " + inMessage);
    assertArrayEquals(grads, good.grads, "grads written before the check");
    assertArrayEquals(dOut, good.dOut, "dOut written before the check");
    if (dh0 != null) {
      assertArrayEquals(dh0, good.dh0, "dh0 written before the check");
    }
    float[] after = new float[B * 4];
    ws.copyFinalState(after, 0);
    assertArrayEquals(hT, after, "workspace states written before the check");
    assertEquals(recomputed, ws.recomputedSteps());
    assertEquals(truncations, ws.truncations());
  }

  private static BpttStrategy[] strategies() {
    return new BpttStrategy[] {BpttStrategy.full(), BpttStrategy.truncated(3), BpttStrategy.streaming(2, 4, null),
        BpttStrategy.randomized(TruncationSchedule.polynomialTail(4, 4), new SplittableRandom(1)),
        BpttStrategy.checkpointed(), BpttStrategy.checkpointed(2)};
  }

  @Test
  void badBuffersAreRejectedBeforeAnyWrite() {
    for (BpttStrategy s : strategies()) {
      rejects(s, NullPointerException.class, "params", c -> c.params = null);
      rejects(s, IllegalArgumentException.class, "params", c -> c.params = new float[LAYOUT.size() - 1]);
      rejects(s, IllegalArgumentException.class, "grads", c -> c.grads = new float[3]);
      rejects(s, IllegalArgumentException.class, "grads must be a different array", c -> c.grads = c.params);
      rejects(s, IndexOutOfBoundsException.class, "x", c -> c.xOff = 1);
      rejects(s, NullPointerException.class, "x", c -> c.x = null);
      rejects(s, IndexOutOfBoundsException.class, "h0", c -> c.h0Off = 2);
      rejects(s, IndexOutOfBoundsException.class, "dOut", c -> c.dOut = new float[T * B * 2 - 1]);
      rejects(s, IndexOutOfBoundsException.class, "dOut", c -> c.dOutOff = -1);
      rejects(s, IllegalArgumentException.class, "lossAt", c -> c.lossAt = new boolean[T - 1]);
      rejects(s, NullPointerException.class, "strategy", c -> c.strategy = null);
      rejects(s, NullPointerException.class, "ws", c -> c.ws = null);
      rejects(s, IllegalArgumentException.class, "layout",
          c -> c.ws = new BpttWorkspace(new RnnLayout(3, 5, 2), T, B, c.strategy));
      if (!(s instanceof BpttStrategy.Streaming)) {
        rejects(s, IndexOutOfBoundsException.class, "dh0", c -> c.dh0 = new float[B * 4 - 1]);
      }
    }
    rejects(BpttStrategy.streaming(2, 4, null), IllegalArgumentException.class, "dh0 must be null",
        c -> c.dh0 = new float[B * 4]);
  }

  @Test
  void workspaceOfAnotherFamilyOrTooSmallIsRejected() {
    rejects(BpttStrategy.full(), IllegalArgumentException.class, "cannot run",
        c -> c.strategy = BpttStrategy.checkpointed());
    rejects(BpttStrategy.checkpointed(), IllegalArgumentException.class, "cannot run",
        c -> c.strategy = BpttStrategy.full());
    rejects(BpttStrategy.checkpointed(3), IllegalArgumentException.class, "segments",
        c -> c.strategy = BpttStrategy.checkpointed(2)); // 5 segments, the workspace holds 3
    rejects(BpttStrategy.truncated(3), IllegalArgumentException.class, "chains",
        c -> c.strategy = BpttStrategy.truncated(4));
    rejects(BpttStrategy.full(), IllegalArgumentException.class, "flow",
        c -> c.strategy = BpttStrategy.randomized(TruncationSchedule.constant(0.1), new SplittableRandom(1)));
    rejects(BpttStrategy.streaming(2, 3, null), IllegalArgumentException.class, "window",
        c -> c.strategy = BpttStrategy.streaming(2, 5, null));
  }

  @Test
  void badRandomizedCallDrawsNothing() {
    SplittableRandom random = new SplittableRandom(11), twin = new SplittableRandom(11);
    BpttStrategy s = BpttStrategy.randomized(TruncationSchedule.constant(0.3), random);
    Call c = new Call(s);
    c.dOut = new float[1];
    assertThrows(IndexOutOfBoundsException.class, () -> c.run(RUNNER));
    assertEquals(twin.nextLong(), random.nextLong(), "a rejected call must not advance the generator");
  }

  @Test
  void badStrategiesAndSchedulesAreRejected() {
    expect("tau", () -> BpttStrategy.truncated(0));
    expect("k1", () -> BpttStrategy.streaming(0, 3, null));
    expect("k2 must be >= k1", () -> BpttStrategy.streaming(4, 3, null));
    expect("segment", () -> BpttStrategy.checkpointed(0));
    expect("budget", () -> BpttStrategy.checkpointedWithBudget(1));
    expect("not both", () -> new BpttStrategy.Checkpointed(3, 10));
    expect("budget 5 is too small", () -> BpttStrategy.checkpointedWithBudget(5).segmentLength(100));
    expect("c must be in [0, 1)", () -> TruncationSchedule.constant(1));
    expect("c must be in [0, 1)", () -> TruncationSchedule.constant(-0.1));
    expect("c must be in [0, 1)", () -> TruncationSchedule.constant(Double.NaN));
    expect("L0", () -> TruncationSchedule.polynomialTail(1, 4));
    expect("alpha", () -> TruncationSchedule.polynomialTail(20, 2));
    expect("since the last truncation", () -> TruncationSchedule.polynomialTail(20, 4).probability(0));
    expect("steps", () -> new BpttWorkspace(LAYOUT, 0, 1, BpttStrategy.full()));
    expect("batch", () -> new BpttWorkspace(LAYOUT, 3, 0, BpttStrategy.full()));
    assertThrows(NullPointerException.class, () -> BpttStrategy.randomized(null, new SplittableRandom(1)));
    assertThrows(NullPointerException.class,
        () -> BpttStrategy.randomized(TruncationSchedule.constant(0.1), null));
    float[] flow = new float[4];
    assertThrows(IndexOutOfBoundsException.class,
        () -> TruncationSchedule.constant(0.1).sample(new SplittableRandom(1), 5, flow, 0));
    assertArrayEquals(new float[4], flow, "sample must not write a flow that does not fit");
  }

  private static void expect(String inMessage, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run, inMessage);
    assertTrue(e.getMessage().contains(inMessage), "message '" + e.getMessage() + "' should mention " + inMessage);
  }
}
