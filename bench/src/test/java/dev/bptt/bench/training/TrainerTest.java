package dev.bptt.bench.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bptt.bench.tasks.AddingProblem;
import dev.bptt.bench.tasks.TaskBatch;
import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.ExplosionMonitor;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackedRnn;
import dev.bptt.kernel.training.Adam;
import dev.bptt.kernel.training.Sgd;
import dev.bptt.kernel.training.Trainer;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrainerTest {
  private static final AddingProblem TASK = new AddingProblem();
  private static final StackedRnn NET = StackedRnn.elman(2, 16, Activation.TANH).withReadout(1);

  private static float[] init(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] p = new float[NET.parameterCount()];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) (0.25 * (2 * r.nextDouble() - 1));
    }
    return p;
  }

  @Test
  void adamLowersTheLossAndRecordsHistory() {
    float[] p = init(1);
    TaskBatch b = TASK.newBatch(10, 32);
    SequenceBatch seq = TASK.sequence(NET, b);
    Trainer tr =
        Trainer.builder(NET, p, Adam.of(1e-2))
            .shape(SequenceShape.steps(10).batch(32))
            .strategy(BpttStrategy.full())
            .history(300)
            .build();
    SplittableRandom data = new SplittableRandom(2);
    double first = 0, last = 0;
    for (int i = 0; i < 300; i++) {
      TASK.fill(b, data);
      double loss = tr.step(seq);
      if (i < 20) {
        first += loss / 20;
      }
      if (i >= 280) {
        last += loss / 20;
      }
    }
    assertEquals(300, tr.steps());
    assertEquals(300, tr.recorded());
    assertEquals((float) tr.lastLoss(), tr.loss(299));
    assertTrue(last < first / 2, "loss " + first + " -> " + last);
    assertTrue(tr.norm(0) > 0);
  }

  @Test
  void checkpointedTrainingIsBitwiseFullTraining() {
    float[][] out = new float[2][];
    BpttStrategy[] strategies = {BpttStrategy.full(), BpttStrategy.checkpointed()};
    for (int k = 0; k < 2; k++) {
      float[] p = init(3);
      TaskBatch b = TASK.newBatch(40, 8);
      SequenceBatch seq = TASK.sequence(NET, b);
      Trainer tr =
          Trainer.builder(NET, p, Sgd.of(0.1).withMomentum(0.9))
              .shape(SequenceShape.steps(40).batch(8))
              .strategy(strategies[k])
              .build();
      SplittableRandom data = new SplittableRandom(4);
      for (int i = 0; i < 20; i++) {
        TASK.fill(b, data);
        tr.step(seq);
      }
      out[k] = p;
    }
    assertArrayEquals(out[0], out[1]);
  }

  @Test
  void clipsSkipsScalesAndMasks() {
    float[] p = init(5);
    float[] whh0 = p.clone();
    TaskBatch b = TASK.newBatch(10, 4);
    SequenceBatch seq = TASK.sequence(NET, b);
    Trainer tr =
        Trainer.builder(NET, p, Sgd.of(0.1))
            .shape(SequenceShape.steps(10).batch(4))
            .strategy(BpttStrategy.full())
            .clip(Trainer.Clip.GLOBAL_NORM, GradientClipper.of(ClipRule.STRICT), 1e-6)
            .monitor(new ExplosionMonitor(1e-9, 100, 2, 0), true)
            .gradientScale(0.5)
            .mask("weight_hh_l0")
            .history(10)
            .build();
    SplittableRandom data = new SplittableRandom(6);
    for (int i = 0; i < 10; i++) {
      TASK.fill(b, data);
      tr.step(seq);
    }
    // Warm-up 2, then every norm is a "spike" at k = 1e-9: 8 skipped, 2 clipped.
    assertEquals(8, tr.skippedSteps());
    assertEquals(2, tr.clipEvents());
    assertEquals(Trainer.CLIPPED, tr.flags(0));
    assertEquals(Trainer.SKIPPED, tr.flags(9));
    TensorView whh = NET.layout().weightHh(0, p);
    for (int i = whh.offset(); i < whh.offset() + whh.length(); i++) {
      assertEquals(whh0[i], p[i]);
    }
  }

  @Test
  void stepsAllocateNothing() {
    float[] p = init(7);
    TaskBatch b = TASK.newBatch(20, 8);
    SequenceBatch seq = TASK.sequence(NET, b);
    Trainer tr =
        Trainer.builder(NET, p, Adam.of(1e-3))
            .shape(SequenceShape.steps(20).batch(8))
            .strategy(BpttStrategy.checkpointed())
            .clip(Trainer.Clip.GLOBAL_NORM, GradientClipper.of(ClipRule.PYTORCH), 1)
            .monitor(new ExplosionMonitor(), true)
            .history(400)
            .build();
    TASK.fill(b, new SplittableRandom(8));
    var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled());
    long id = Thread.currentThread().threadId();
    // As the kernel's allocation tests: blocks of steps until the JIT has settled (escape
    // analysis of the Vector API), then a block must allocate 0 bytes. At least 200 blocks and up
    // to a minute: the steps are short, and after the earlier tests C2's one compiler thread can
    // take seconds to reach the step's kernels, which run C1 code (boxing every vector) until then.
    long bytes = -1, deadline = System.nanoTime() + 60_000_000_000L;
    int block = 0;
    for (; bytes != 0 && (block < 200 || System.nanoTime() < deadline); block++) {
      long before = bean.getThreadAllocatedBytes(id);
      for (int i = 0; i < 50; i++) {
        tr.step(seq);
      }
      bytes = bean.getThreadAllocatedBytes(id) - before;
    }
    assertEquals(0, bytes, "bytes allocated by 50 steps after warm-up (" + block + " blocks)");
  }
}
