package dev.bptt.verify.strategy;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.bptt.TruncationSchedule;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackLayout;
import dev.bptt.kernel.rnn.StackedRnn;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link BpttWorkspace#floats()} accounts for the workspace's memory: the bytes the JVM allocates
 * while the workspace is constructed are at least 4 × floats() (every counted float exists) and
 * exceed it by less than the small fixed part (object headers, the recurrence's task objects and
 * its readout carry of 2·(O·H + O) floats, packed weights of a few hundred floats at H = 4: {@value
 * #FIXED} bytes). T = 20 000 steps make every per-step buffer (states, δ, outputs, the randomized
 * strategy's T flow factors, truncation chains of τ = 4000 steps, a streaming window of k2 = 5000,
 * checkpoints) larger than that part, so leaving any of them out of floats(), or counting one
 * twice, fails.
 */
class WorkspaceFloatsTest {
  private static final int FIXED = 64 * 1024;
  private static final int T = 20_000, B = 2;

  static List<BpttStrategy> strategies() {
    return List.of(
        BpttStrategy.full(),
        BpttStrategy.truncated(4000),
        BpttStrategy.randomized(TruncationSchedule.constant(0.1), new SplittableRandom(1)),
        BpttStrategy.streaming(1000, 5000),
        BpttStrategy.checkpointed(),
        BpttStrategy.checkpointed(3000));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("strategies")
  void floatsAreTheAllocatedBuffers(BpttStrategy s) {
    var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled());
    for (CellType cell : CellType.values()) {
      StackedRnn net = StackedRnn.of(new StackLayout(cell, 3, 4, 1, 2), Activation.TANH);
      SequenceShape shape = SequenceShape.steps(T).batch(B);
      new BpttWorkspace(net, shape, s); // classes loaded, caches filled
      long id = Thread.currentThread().threadId();
      long before = bean.getThreadAllocatedBytes(id);
      BpttWorkspace ws = new BpttWorkspace(net, shape, s);
      long bytes = bean.getThreadAllocatedBytes(id) - before;
      long counted = 4 * ws.floats();
      String what = cell + " " + s + ": allocated " + bytes + " B, floats() = " + ws.floats();
      assertTrue(counted <= bytes, what + ": counts floats that were not allocated");
      assertTrue(bytes - counted < FIXED, what + ": allocated buffers floats() leaves out");
    }
  }

  /**
   * A workspace refuses a strategy it was not sized for with the reason its engine gives, and
   * reports one window after a pass that is not streaming.
   */
  @org.junit.jupiter.api.Test
  void mismatchesNameTheMissingBuffersAndOnePassIsOneWindow() {
    StackedRnn net = StackedRnn.of(new StackLayout(CellType.GRU, 3, 4, 1, 2), Activation.TANH);
    SequenceShape shape = SequenceShape.steps(5).batch(B);
    float[] p = new float[net.parameterCount()];
    dev.bptt.kernel.rnn.SequenceBatch seq =
        new dev.bptt.kernel.rnn.SequenceBatch(net, shape)
            .input(new float[5 * B * 3])
            .losses(dev.bptt.kernel.rnn.LossSteps.everyStep())
            .upstream(new float[5 * B * 2]);
    dev.bptt.kernel.bptt.BpttRunner runner = new dev.bptt.kernel.bptt.BpttRunner(net);
    Object[][] cases = {
      {BpttStrategy.checkpointed(2), BpttStrategy.full(), "it holds checkpoints (segment 2)"},
      {
        BpttStrategy.streaming(2, 3),
        BpttStrategy.full(),
        "it holds one streaming window (k1=2, k2=3)"
      },
      {
        BpttStrategy.full(),
        BpttStrategy.randomized(TruncationSchedule.constant(0.5), new SplittableRandom(2)),
        "it has no flow buffer"
      },
      {BpttStrategy.full(), BpttStrategy.truncated(2), "its chain buffers hold 0 chains"}
    };
    for (Object[] c : cases) {
      BpttWorkspace ws = new BpttWorkspace(net, shape, (BpttStrategy) c[0]);
      BpttStrategy other = (BpttStrategy) c[1];
      IllegalArgumentException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class,
              () -> runner.run(other, p, new float[p.length], seq, ws));
      assertTrue(e.getMessage().contains((String) c[2]), c[0] + " running " + other + ": " + e);
    }
    for (BpttStrategy s : new BpttStrategy[] {BpttStrategy.full(), BpttStrategy.checkpointed(2)}) {
      BpttWorkspace ws = new BpttWorkspace(net, shape, s);
      runner.run(s, p, new float[p.length], seq, ws);
      org.junit.jupiter.api.Assertions.assertEquals(1, ws.windows(), s + " windows");
    }
  }
}
