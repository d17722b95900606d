package dev.bptt.bench.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.rnn.StackedRnn;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The generators' definitions, their baselines and the evaluation's bookkeeping. */
class TasksTest {

  @Test
  void addingHasOneMarkerPerHalfAndSumTarget() {
    AddingProblem task = new AddingProblem();
    TaskBatch b = task.newBatch(51, 40);
    task.fill(b, new SplittableRandom(1));
    float[] x = b.x();
    for (int s = 0; s < 40; s++) {
      int first = 0, second = 0;
      double sum = 0;
      for (int t = 0; t < 51; t++) {
        float v = x[(t * 40 + s) * 2], m = x[(t * 40 + s) * 2 + 1];
        assertTrue(v >= 0 && v < 1);
        if (m == 1f) {
          sum += v;
          if (t < 25) {
            first++;
          } else {
            second++;
          }
        } else {
          assertEquals(0f, m);
        }
      }
      assertEquals(1, first);
      assertEquals(1, second);
      assertEquals((float) sum, b.targets()[s]);
    }
  }

  @Test
  void predictingOneGivesMseOneSixth() {
    AddingProblem task = new AddingProblem();
    TaskBatch b = task.newBatch(20, 50_000);
    task.fill(b, new SplittableRandom(2));
    double sum = 0;
    for (float y : b.targets()) {
      sum += (y - 1.0) * (y - 1.0);
    }
    // Var(U1 + U2) = 1/6; the sample mean of 50,000 has a standard error below 0.001.
    assertEquals(1.0 / 6, sum / 50_000, 0.004);
  }

  @Test
  void generatorsAreDeterministic() {
    for (Task task : new Task[] {new AddingProblem(), new TemporalOrder(), new CopyMemory()}) {
      TaskBatch a = task.newBatch(30, 7), c = task.newBatch(30, 7);
      task.fill(a, new SplittableRandom(9));
      task.fill(c, new SplittableRandom(9));
      assertArrayEquals(a.x(), c.x(), task.name());
      assertArrayEquals(a.targets(), c.targets(), task.name());
      assertArrayEquals(a.labels(), c.labels(), task.name());
    }
  }

  @Test
  void temporalOrderFollowsPascanu() {
    TemporalOrder task = new TemporalOrder();
    int t = 100, n = 4000;
    TaskBatch b = task.newBatch(t, n);
    task.fill(b, new SplittableRandom(3));
    int[] counts = new int[4];
    for (int s = 0; s < n; s++) {
      int[] relevant = new int[2];
      int found = 0;
      for (int k = 0; k < t; k++) {
        int hot = -1, ones = 0;
        for (int c = 0; c < 6; c++) {
          float v = b.x()[(k * n + s) * 6 + c];
          if (v == 1f) {
            hot = c;
            ones++;
          }
        }
        assertEquals(1, ones, "one-hot");
        if (hot < 2) {
          assertTrue(found < 2);
          assertTrue(found == 0 ? k >= 10 && k < 20 : k >= 50 && k < 60, "position " + k);
          relevant[found++] = hot;
        }
      }
      assertEquals(2, found);
      assertEquals(2 * relevant[0] + relevant[1], b.labels()[s]);
      counts[b.labels()[s]]++;
    }
    for (int c : counts) {
      assertEquals(n / 4.0, c, 5 * Math.sqrt(n * 0.25 * 0.75)); // chance 25 %
    }
  }

  @Test
  void copyMemoryFollowsArjovsky() {
    CopyMemory task = new CopyMemory();
    int t = 100, n = 5;
    TaskBatch b = task.newBatch(t, n);
    assertEquals(t + 20, b.length());
    task.fill(b, new SplittableRandom(4));
    for (int s = 0; s < n; s++) {
      for (int k = 0; k < t + 20; k++) {
        int hot = -1;
        for (int c = 0; c < 10; c++) {
          if (b.x()[(k * n + s) * 10 + c] == 1f) {
            hot = c;
          }
        }
        if (k < 10) {
          assertTrue(hot >= 0 && hot < 8);
          assertEquals(hot, b.labels()[k * n + s]);
        } else {
          assertEquals(k == t + 9 ? 9 : 8, hot, "step " + k);
        }
      }
    }
    assertEquals(10, task.losses(t).count(t + 20));
    // The uRNN paper's table: 0.1733 at T = 100, 0.0945 at T = 200.
    assertEquals(0.1733, task.metricBaseline(100), 5e-5);
    assertEquals(0.0945, task.metricBaseline(200), 5e-5);
  }

  @Test
  void evaluationOfConstantPredictorsMatchesTheBaselines() {
    // Adding: all weights 0, readout bias 1: predicts 1 everywhere. MSE 1/6; a sequence fails
    // when |s − 1| > 0.2, probability (0.8)² = 0.64 for the triangular sum of two U[0, 1].
    AddingProblem adding = new AddingProblem();
    StackedRnn net = StackedRnn.elman(2, 8, Activation.TANH).withReadout(1);
    float[] p = new float[net.parameterCount()];
    TensorView bias = net.layout().readoutBias(p);
    p[bias.offset()] = 1f;
    Evaluation e = adding.evaluate(net, p, 30, 10_000, 5);
    assertEquals(1.0 / 6, e.metric(), 0.01);
    assertEquals(0.64, e.failureRate(), 0.03);
    assertFalse(e.success());
    assertEquals(10_000, e.sequences());

    // Temporal order with zero logits: cross-entropy ln 4 exactly; arg max is class 0.
    TemporalOrder order = new TemporalOrder();
    StackedRnn net4 = StackedRnn.elman(6, 8, Activation.TANH).withReadout(4);
    Evaluation o = order.evaluate(net4, new float[net4.parameterCount()], 20, 2000, 6);
    assertEquals(Math.log(4), o.metric(), 1e-9);
    assertEquals(0.75, o.failureRate(), 0.05);

    // Copy with zero logits: 10·ln 8/(T + 20) per step, every sequence fails.
    CopyMemory copy = new CopyMemory();
    StackedRnn net8 = StackedRnn.elman(10, 8, Activation.TANH).withReadout(8);
    Evaluation c = copy.evaluate(net8, new float[net8.parameterCount()], 30, 1000, 7);
    assertEquals(copy.metricBaseline(30), c.metric(), 1e-9);
    assertEquals(1.0, c.failureRate());
  }

  @Test
  void nonFiniteOutputsCountAsFailures() {
    AddingProblem adding = new AddingProblem();
    StackedRnn net = StackedRnn.elman(2, 4, Activation.TANH).withReadout(1);
    float[] p = new float[net.parameterCount()];
    p[net.layout().readoutBias(p).offset()] = Float.NaN;
    Evaluation e = adding.evaluate(net, p, 10, 500, 8);
    assertEquals(1.0, e.failureRate());
    assertFalse(e.success());
  }

  @Test
  void rejectsBadSizes() {
    assertThrows(IllegalArgumentException.class, () -> new AddingProblem().newBatch(1, 4));
    assertThrows(IllegalArgumentException.class, () -> new TemporalOrder().newBatch(9, 4));
    assertThrows(IllegalArgumentException.class, () -> new CopyMemory().newBatch(10, 0));
    StackedRnn wrong = StackedRnn.elman(3, 4, Activation.TANH).withReadout(1);
    assertThrows(
        IllegalArgumentException.class, () -> new AddingProblem().evaluator(wrong, 10, 10));
  }
}
