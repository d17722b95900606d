package dev.bptt.verify.gated;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.rnn.BatchThreads;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.RnnStreamState;
import dev.bptt.kernel.rnn.RnnWorkspace;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * After warm-up, forward + backward, {@code advance} and runner calls (full, checkpointed,
 * truncated, streaming) of a two-layer stack with readout allocate nothing: calls in blocks of 20
 * until a whole block allocates 0 bytes on this thread (at most 400 blocks; C2's escape analysis
 * removes the vector boxes of interpreted and C1 code, a per-call allocation never reaches 0).
 */
class GatedAllocationTest {
  private static final int BLOCK = 20;
  private static final int MAX_BLOCKS = 400;

  /**
   * Every cell after the others in one JVM: the full suite once found 4 608 B per call here (one
   * 96-byte vector per row and step) once several cell types had run, from vector constants made
   * before loops that do not run for H below the lane count; they are now made inside the loops.
   */
  @ParameterizedTest(name = "{0} layerNorm={1}")
  @MethodSource("cellsAndLayerNorm")
  void passesAllocateNothingAfterWarmUp(CellType cell, boolean ln) {
    GatedCase c = new GatedCase(5 + cell.ordinal(), cell, new int[] {8, 3, 5, 7, 2, 2}, 0, ln);
    GatedCase.Outputs out = c.outputs().withInitialStateGradient();
    RnnWorkspace ws = new RnnWorkspace(c.net, c.shape);
    RnnStreamState st = new RnnStreamState(c.net, c.batch);
    forwardBackward(c, out, ws);
    assertNoAllocation(
        c.net + " advance",
        () -> {
          st.reset();
          c.net.advance(c.params, c.x, c.xOff, c.steps, st);
        });
    GatedCase.Outputs so = c.outputs();
    for (BpttStrategy s :
        new BpttStrategy[] {
          BpttStrategy.full(),
          BpttStrategy.checkpointed(3),
          BpttStrategy.truncated(3),
          BpttStrategy.streaming(2, 4)
        }) {
      BpttWorkspace bw = new BpttWorkspace(c.net, c.shape, s);
      GatedCase.Outputs o = s instanceof BpttStrategy.Streaming ? so : out;
      assertNoAllocation(c.net + " " + s, () -> c.runner.run(s, c.params, o.grads, o.seq, bw));
    }
  }

  private static void forwardBackward(GatedCase c, GatedCase.Outputs out, RnnWorkspace ws) {
    assertNoAllocation(
        c.net + " forward + backward",
        () -> {
          c.net.forward(c.params, out.seq, ws);
          c.net.backward(c.params, out.grads, out.seq, ws);
        });
  }

  /** The GRU path alone, the case that allocated before the fix above (seed 6). */
  @org.junit.jupiter.api.Test
  void gruPassesAllocateNothing() {
    GatedCase c = new GatedCase(6, CellType.GRU, new int[] {8, 3, 5, 7, 2, 2}, 0);
    GatedCase.Outputs out = c.outputs().withInitialStateGradient();
    forwardBackward(c, out, new RnnWorkspace(c.net, c.shape));
    BpttWorkspace bw = new BpttWorkspace(c.net, c.shape, BpttStrategy.full());
    assertNoAllocation(
        "GRU runner full",
        () -> c.runner.run(BpttStrategy.full(), c.params, out.grads, out.seq, bw));
  }

  /**
   * With a {@link BatchThreads} team of 2 and 3: the caller's and every worker's allocation counted
   * (workers allocate their GEMM panels on their first call, then nothing); B = 5 so the batch, the
   * projection rows and the weight rows all split.
   */
  @ParameterizedTest(name = "{0} layerNorm={1}")
  @MethodSource("cellsAndLayerNorm")
  void threadedPassesAllocateNothingAfterWarmUp(CellType cell, boolean ln) {
    GatedCase c = new GatedCase(5 + cell.ordinal(), cell, new int[] {8, 5, 5, 7, 2, 2}, 0, ln);
    for (int n = 2; n <= 3; n++) {
      try (BatchThreads team = BatchThreads.start(n)) {
        GatedCase.Outputs out = c.outputs().withInitialStateGradient();
        RnnWorkspace ws = new RnnWorkspace(c.net, c.shape, team);
        assertNoAllocation(
            c.net + " threads=" + n + " forward + backward",
            () -> {
              c.net.forward(c.params, out.seq, ws);
              c.net.backward(c.params, out.grads, out.seq, ws);
            });
        for (BpttStrategy s :
            new BpttStrategy[] {BpttStrategy.checkpointed(3), BpttStrategy.streaming(2, 4)}) {
          BpttWorkspace bw = new BpttWorkspace(c.net, c.shape, s, team);
          GatedCase.Outputs o = s instanceof BpttStrategy.Streaming ? c.outputs() : out;
          assertNoAllocation(
              c.net + " threads=" + n + " " + s,
              () -> c.runner.run(s, c.params, o.grads, o.seq, bw));
        }
      }
    }
  }

  /**
   * H = 37 runs the vector bodies and the scalar tails of every per-row pass (H = 7 above is below
   * the lane count of 8- and 16-lane species), and at B = 1 with H = 200 each step's W_hh products
   * split across the team (SplitGemv): one and two threads, 0 B after warm-up.
   */
  @ParameterizedTest(name = "{0} layerNorm={1}")
  @MethodSource("cellsAndLayerNorm")
  void vectorWidePassesAllocateNothing(CellType cell, boolean ln) {
    GatedCase c = new GatedCase(9 + cell.ordinal(), cell, new int[] {6, 3, 5, 37, 2, 2}, 0, ln);
    GatedCase.Outputs out = c.outputs().withInitialStateGradient();
    forwardBackward(c, out, new RnnWorkspace(c.net, c.shape));
    GatedCase one = new GatedCase(12 + cell.ordinal(), cell, new int[] {4, 1, 3, 200, 1, 0}, 0, ln);
    try (BatchThreads team = BatchThreads.start(2)) {
      GatedCase.Outputs o1 = one.outputs().withInitialStateGradient();
      RnnWorkspace ws = new RnnWorkspace(one.net, one.shape, team);
      assertNoAllocation(
          c.net + " B = 1 split forward + backward",
          () -> {
            one.net.forward(one.params, o1.seq, ws);
            one.net.backward(one.params, o1.grads, o1.seq, ws);
          });
    }
  }

  /** Every cell, without and with layer normalization (its own fused passes). */
  static java.util.stream.Stream<Arguments> cellsAndLayerNorm() {
    return java.util.Arrays.stream(CellType.values())
        .flatMap(c -> java.util.stream.Stream.of(Arguments.of(c, false), Arguments.of(c, true)));
  }

  /** This thread and the team's workers (named bptt-batch-…). */
  private static long[] threadIds() {
    return java.util.stream.LongStream.concat(
            java.util.stream.LongStream.of(Thread.currentThread().threadId()),
            Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("bptt-batch-") && t.isAlive())
                .mapToLong(Thread::threadId))
        .toArray();
  }

  private static long allocated(com.sun.management.ThreadMXBean threads, long[] ids) {
    long sum = 0; // one id at a time: the array form allocates its result on this thread
    for (long id : ids) {
      sum += Math.max(0, threads.getThreadAllocatedBytes(id));
    }
    return sum;
  }

  private static void assertNoAllocation(String what, Runnable call) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(
        threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
    long[] ids = threadIds();
    long last = -1;
    int blocks = 0;
    while (last != 0 && blocks < MAX_BLOCKS) {
      long before = allocated(threads, ids);
      for (int i = 0; i < BLOCK; i++) {
        call.run();
      }
      last = allocated(threads, ids) - before;
      blocks++;
    }
    assertTrue(
        last == 0,
        what + ": still " + last + " bytes per block of " + BLOCK + " after " + blocks + " blocks");
  }
}
