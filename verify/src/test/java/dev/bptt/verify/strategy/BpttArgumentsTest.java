package dev.bptt.verify.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWindowListener;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.bptt.TruncationSchedule;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RecurrentNetwork;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StepLoss;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Bad arguments are rejected with a message naming the argument, before anything is written: grads,
 * dh0, the upstream array, the traces, the workspace (its h_T and counters from an earlier good
 * run) and the random generator (no number drawn) are all unchanged, and a loss callback is never
 * called.
 */
class BpttArgumentsTest {
  private static final int T = 9;
  private static final int B = 2;
  private static final RnnLayout LAYOUT = new RnnLayout(3, 4, 2);
  private static final ElmanRnn RNN = new ElmanRnn(LAYOUT, Activation.TANH);
  private static final SequenceShape SHAPE = SequenceShape.steps(T).batch(B);

  /** All the arguments of one run, valid until a test breaks one. */
  private static final class Call {
    BpttStrategy strategy;
    BpttWorkspace ws;
    RecurrentNetwork seqNet = RNN;
    SequenceShape shape = SHAPE;
    boolean withSeq = true;
    float[] params = new float[LAYOUT.size()];
    float[] grads = new float[LAYOUT.size()];
    boolean setInput = true;
    float[] x = new float[T * B * 3];
    int xOff;
    float[] h0 = new float[B * 4];
    int h0Off;
    LossSteps losses = LossSteps.everyStep();
    boolean setUpstream = true;
    float[] dOut = new float[T * B * 2];
    int dOutOff;
    StepLoss loss;
    float[] dh0 = new float[B * 4];
    int dh0Off;
    float[] traceDh = new float[T];
    float[] traceDelta = new float[T];

    Call(BpttStrategy strategy) {
      this.strategy = strategy;
      this.ws = new BpttWorkspace(RNN, SHAPE, strategy);
      SplittableRandom r = new SplittableRandom(3);
      for (float[] a : new float[][] {params, grads, x, h0, dOut, dh0, traceDh, traceDelta}) {
        for (int i = 0; i < a.length; i++) {
          a[i] = (float) r.nextDouble(-1, 1);
        }
      }
    }

    /** Builds the sequence batch (its setters check too) and runs. */
    void run(BpttRunner runner) {
      SequenceBatch seq = null;
      if (withSeq) {
        seq = new SequenceBatch(seqNet, shape);
        if (setInput) {
          seq.input(x, xOff);
        }
        seq.initialState(h0, h0Off).losses(losses);
        if (setUpstream) {
          seq.upstream(dOut, dOutOff);
        }
        seq.loss(loss).initialStateGradient(dh0, dh0Off).traceDh(traceDh).traceDelta(traceDelta);
      }
      runner.run(strategy, params, grads, seq, ws);
    }
  }

  private static final BpttRunner RUNNER = new BpttRunner(RNN);

  /** Runs a good call, breaks it, expects the exception and that nothing changed. */
  private static void rejects(
      BpttStrategy strategy,
      Class<? extends RuntimeException> type,
      String inMessage,
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
    int windows = ws.windows();
    int[] lossCalls = {0};
    // From now on a loss callback that would also write the caller's upstream array.
    good.loss =
        (step, y, yOff, dy, dyOff) -> {
          lossCalls[0]++;
          java.util.Arrays.fill(dy, dyOff, dyOff + B * 2, 7f);
          return 0;
        };
    breakIt.accept(good);
    float[] grads = good.grads.clone(), dOut = good.dOut == null ? null : good.dOut.clone();
    float[] dh0 = good.dh0 == null ? null : good.dh0.clone();
    float[] traceDh = good.traceDh.clone(), traceDelta = good.traceDelta.clone();
    float[] params = good.params == null ? null : good.params.clone();
    RuntimeException e = assertThrows(type, () -> good.run(RUNNER), strategy + " " + inMessage);
    assertTrue(
        e.getMessage() != null && e.getMessage().contains(inMessage),
        strategy + ": message '" + e.getMessage() + "' should mention " + inMessage);
    assertArrayEquals(grads, good.grads, "grads written before the check");
    if (dOut != null) {
      assertArrayEquals(dOut, good.dOut, "upstream written before the check");
    }
    if (dh0 != null) {
      assertArrayEquals(dh0, good.dh0, "dh0 written before the check");
    }
    if (params != null) {
      assertArrayEquals(params, good.params, "params written before the check");
    }
    assertArrayEquals(traceDh, good.traceDh, "traceDh written before the check");
    assertArrayEquals(traceDelta, good.traceDelta, "traceDelta written before the check");
    assertEquals(0, lossCalls[0], "loss callback called before the check");
    float[] after = new float[B * 4];
    ws.copyFinalState(after, 0);
    assertArrayEquals(hT, after, "workspace states written before the check");
    assertEquals(recomputed, ws.recomputedSteps());
    assertEquals(truncations, ws.truncations());
    assertEquals(windows, ws.windows());
  }

  private static BpttStrategy[] strategies() {
    return new BpttStrategy[] {
      BpttStrategy.full(),
      BpttStrategy.truncated(3),
      BpttStrategy.streaming(2, 4),
      BpttStrategy.randomized(TruncationSchedule.polynomialTail(4, 4), new SplittableRandom(1)),
      BpttStrategy.checkpointed(),
      BpttStrategy.checkpointed(2)
    };
  }

  @Test
  void badBuffersAreRejectedBeforeAnyWrite() {
    for (BpttStrategy s : strategies()) {
      rejects(s, NullPointerException.class, "params", c -> c.params = null);
      rejects(
          s,
          IllegalArgumentException.class,
          "params",
          c -> c.params = new float[LAYOUT.size() - 1]);
      rejects(s, IllegalArgumentException.class, "grads", c -> c.grads = new float[3]);
      rejects(
          s,
          IllegalArgumentException.class,
          "grads must be a different array",
          c -> c.grads = c.params);
      rejects(s, IndexOutOfBoundsException.class, "input", c -> c.xOff = 1);
      rejects(s, NullPointerException.class, "input", c -> c.x = null);
      rejects(s, IllegalStateException.class, "input", c -> c.setInput = false);
      rejects(s, IndexOutOfBoundsException.class, "initialState", c -> c.h0Off = 2);
      rejects(
          s, IndexOutOfBoundsException.class, "upstream", c -> c.dOut = new float[T * B * 2 - 1]);
      rejects(s, IndexOutOfBoundsException.class, "upstream", c -> c.dOutOff = -1);
      rejects(s, IndexOutOfBoundsException.class, "upstream", c -> c.dOutOff = 1);
      rejects(
          s,
          IllegalStateException.class,
          "upstream",
          c -> { // upstream(null) unsets it: no gradients left
            c.dOut = null;
            c.loss = null;
          });
      rejects(
          s,
          IllegalStateException.class,
          "no upstream gradients",
          c -> {
            c.loss = null;
            c.setUpstream = false;
          });
      // The old lossAt shorter than T: a loss step beyond T is rejected.
      rejects(
          s,
          IllegalArgumentException.class,
          "loss step " + (T + 1),
          c -> c.losses = LossSteps.at(2, T + 1));
      rejects(s, IllegalArgumentException.class, "traceDh", c -> c.traceDh = new float[T - 1]);
      rejects(
          s, IllegalArgumentException.class, "traceDelta", c -> c.traceDelta = new float[T - 1]);
      rejects(s, NullPointerException.class, "strategy", c -> c.strategy = null);
      rejects(s, NullPointerException.class, "ws", c -> c.ws = null);
      rejects(s, NullPointerException.class, "seq", c -> c.withSeq = false);
      rejects(
          s,
          IllegalArgumentException.class,
          "workspace was made for",
          c ->
              c.ws =
                  new BpttWorkspace(
                      new ElmanRnn(new RnnLayout(3, 5, 2), Activation.TANH), SHAPE, c.strategy));
      rejects(
          s,
          IllegalArgumentException.class,
          "workspace was made for",
          c ->
              c.ws =
                  new BpttWorkspace(new ElmanRnn(LAYOUT, Activation.SIGMOID), SHAPE, c.strategy));
      rejects(
          s,
          IllegalArgumentException.class,
          "sequence batch was made for",
          c -> c.seqNet = new ElmanRnn(LAYOUT, Activation.RELU));
      rejects(
          s,
          IllegalArgumentException.class,
          "does not fit the workspace capacity",
          c -> {
            c.shape = SequenceShape.steps(T + 1).batch(B);
            c.x = new float[(T + 1) * B * 3];
            c.dOut = new float[(T + 1) * B * 2];
            c.traceDh = new float[T + 1];
            c.traceDelta = new float[T + 1];
          });
      rejects(
          s,
          IllegalArgumentException.class,
          "does not fit the workspace capacity",
          c -> {
            c.shape = SequenceShape.steps(T).batch(B + 1);
            c.x = new float[T * (B + 1) * 3];
            c.dOut = new float[T * (B + 1) * 2];
            c.h0 = new float[(B + 1) * 4];
            if (c.dh0 != null) {
              c.dh0 = new float[(B + 1) * 4];
            }
          });
      if (!(s instanceof BpttStrategy.Streaming)) {
        rejects(
            s,
            IndexOutOfBoundsException.class,
            "initialStateGradient",
            c -> c.dh0 = new float[B * 4 - 1]);
        rejects(s, IllegalArgumentException.class, "overlap", c -> c.dh0 = c.dOut);
      }
    }
    rejects(
        BpttStrategy.streaming(2, 4),
        IllegalArgumentException.class,
        "initialStateGradient must be null",
        c -> c.dh0 = new float[B * 4]);
  }

  @Test
  void workspaceOfAnotherFamilyOrTooSmallIsRejected() {
    rejects(
        BpttStrategy.full(),
        IllegalArgumentException.class,
        "cannot run",
        c -> c.strategy = BpttStrategy.checkpointed());
    rejects(
        BpttStrategy.checkpointed(),
        IllegalArgumentException.class,
        "cannot run",
        c -> c.strategy = BpttStrategy.full());
    rejects(
        BpttStrategy.checkpointed(3),
        IllegalArgumentException.class,
        "segments",
        c -> c.strategy = BpttStrategy.checkpointed(2)); // 5 segments, the workspace holds 3
    rejects(
        BpttStrategy.truncated(3),
        IllegalArgumentException.class,
        "chains",
        c -> c.strategy = BpttStrategy.truncated(4));
    rejects(
        BpttStrategy.full(),
        IllegalArgumentException.class,
        "flow",
        c ->
            c.strategy =
                BpttStrategy.randomized(TruncationSchedule.constant(0.1), new SplittableRandom(1)));
    rejects(
        BpttStrategy.streaming(2, 3),
        IllegalArgumentException.class,
        "window",
        c -> c.strategy = BpttStrategy.streaming(2, 5));
    rejects(
        BpttStrategy.streaming(2, 3),
        IllegalArgumentException.class,
        "cannot run",
        c -> {
          c.strategy = BpttStrategy.full();
          c.dh0 = null;
        });
  }

  @Test
  void badRandomizedCallDrawsNothing() {
    SplittableRandom random = new SplittableRandom(11), twin = new SplittableRandom(11);
    BpttStrategy s = BpttStrategy.randomized(TruncationSchedule.constant(0.3), random);
    Call c = new Call(s);
    c.dOut = new float[1];
    assertThrows(IndexOutOfBoundsException.class, () -> c.run(RUNNER));
    assertEquals(
        twin.nextLong(), random.nextLong(), "a rejected call must not advance the generator");
  }

  @Test
  void badStrategiesAndSchedulesAreRejected() {
    expect("tau", () -> BpttStrategy.truncated(0));
    expect("k1", () -> BpttStrategy.streaming(0, 3));
    expect("k2 must be >= k1", () -> BpttStrategy.streaming(4, 3));
    expect("k2 must be >= k1", () -> BpttStrategy.streaming(4, 3, BpttWindowListener.NONE));
    NullPointerException npe =
        assertThrows(NullPointerException.class, () -> BpttStrategy.streaming(2, 3, null));
    assertTrue(npe.getMessage().contains("listener"), npe.getMessage());
    expect("segment", () -> BpttStrategy.checkpointed(0));
    expect("segment", () -> new BpttStrategy.Checkpointed.Fixed(0));
    expect("budget", () -> BpttStrategy.checkpointedWithBudget(1));
    expect("budget", () -> new BpttStrategy.Checkpointed.Budget(1));
    expect(
        "budget 5 is too small", () -> BpttStrategy.checkpointedWithBudget(5).segmentLength(100));
    expect("steps (T)", () -> BpttStrategy.checkpointed().segmentLength(0));
    expect("c must be in [0, 1)", () -> TruncationSchedule.constant(1));
    expect("c must be in [0, 1)", () -> TruncationSchedule.constant(-0.1));
    expect("c must be in [0, 1)", () -> TruncationSchedule.constant(Double.NaN));
    expect("L0", () -> TruncationSchedule.polynomialTail(1, 4));
    expect("alpha", () -> TruncationSchedule.polynomialTail(20, 2));
    expect(
        "since the last truncation", () -> TruncationSchedule.polynomialTail(20, 4).probability(0));
    expect("steps", () -> new BpttWorkspace(RNN, SequenceShape.steps(0), BpttStrategy.full()));
    expect(
        "batch",
        () -> new BpttWorkspace(RNN, SequenceShape.steps(3).batch(0), BpttStrategy.full()));
    expect("at least one step", LossSteps::at);
    expect("steps must be >= 1", () -> LossSteps.at(0, 2));
    expect("step 3 is given twice", () -> LossSteps.at(3, 1, 3));
    expect(
        "loss step 4 lies beyond T=3",
        () -> new SequenceBatch(RNN, SequenceShape.steps(3)).losses(LossSteps.at(4)));
    assertThrows(
        NullPointerException.class, () -> BpttStrategy.randomized(null, new SplittableRandom(1)));
    assertThrows(
        NullPointerException.class,
        () -> BpttStrategy.randomized(TruncationSchedule.constant(0.1), null));
    assertThrows(NullPointerException.class, () -> new BpttWorkspace(RNN, SHAPE, null));
    assertThrows(
        NullPointerException.class, () -> new BpttWorkspace(null, SHAPE, BpttStrategy.full()));
    assertThrows(
        NullPointerException.class, () -> new BpttWorkspace(RNN, null, BpttStrategy.full()));
    float[] flow = new float[4];
    assertThrows(
        IndexOutOfBoundsException.class,
        () -> TruncationSchedule.constant(0.1).sample(new SplittableRandom(1), 5, flow, 0));
    assertArrayEquals(new float[4], flow, "sample must not write a flow that does not fit");
  }

  private static void expect(String inMessage, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run, inMessage);
    assertTrue(
        e.getMessage().contains(inMessage),
        "message '" + e.getMessage() + "' should mention " + inMessage);
  }
}
