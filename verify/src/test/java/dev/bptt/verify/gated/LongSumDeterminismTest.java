package dev.bptt.verify.gated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.rnn.BatchThreads;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackLayout;
import dev.bptt.kernel.rnn.StackedRnn;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The weight-gradient sums are blocked at fixed rows (runs of 32 rows, blocks of 256), and every
 * way of cutting them must give the bits of one pass, at lengths where the cuts fall inside runs
 * and blocks (the property tests' sequences are mostly shorter than one run): checkpointed BPTT
 * with several segment lengths, 1, 2 and 3 threads, and a readout whose loss steps leave gaps (rows
 * that are skipped, not summed) against the same upstream zero-padded to every step. Two layers,
 * layer normalization and a readout, so that every kind of sum (GEMM, bias, dγ, readout) crosses
 * the cuts.
 */
class LongSumDeterminismTest {
  private static final BatchThreads[] TEAMS = {
    BatchThreads.start(1), BatchThreads.start(2), BatchThreads.start(3)
  };

  @ParameterizedTest(name = "{0} T={1} B={2} H={3} D={4}")
  @CsvSource({
    "LSTM,300,32,9,3",
    "GRU,700,1,9,3",
    "ELMAN,333,5,9,3",
    "LSTM,97,3,9,3",
    // H + D and H + H past one 64-column piece of the threads' weight-gradient tasks, the pieces
    // crossing from dW_hh into dW_ih columns; unit blocks of 64 with a partial last one.
    "GRU,40,32,70,30"
  })
  void everyCutSumsLikeOnePass(CellType cell, int steps, int batch, int h, int d) {
    final int o = 2;
    StackedRnn net = StackedRnn.of(new StackLayout(cell, d, h, 2, o), Activation.TANH);
    net = net.withLayerNorm();
    SplittableRandom r = new SplittableRandom(steps * 131L + batch * 17L + cell.ordinal());
    float[] p = fill(r, net.parameterCount(), 0.3);
    float[] x = fill(r, steps * batch * d, 1);
    float[] s0 = fill(r, batch * net.stateSize(), 0.5);
    float[] g0 = fill(r, net.parameterCount(), 0.1);
    // Loss steps: about 60 %, in runs with gaps, the last step included.
    int[] lossSteps =
        java.util.stream.IntStream.rangeClosed(1, steps)
            .filter(t -> t == steps || r.nextDouble() < 0.6)
            .toArray();
    float[] dy = fill(r, lossSteps.length * batch * o, 1);
    SequenceShape shape = SequenceShape.steps(steps).batch(batch);
    String what = cell + " T=" + steps + " B=" + batch;

    float[] want = run(net, p, g0, x, s0, LossSteps.at(lossSteps), dy, shape, full(), null);

    float[] padded = new float[steps * batch * o];
    for (int i = 0; i < lossSteps.length; i++) {
      int t = lossSteps[i];
      System.arraycopy(dy, i * batch * o, padded, (t - 1) * batch * o, batch * o);
    }
    float[] everyStep = run(net, p, g0, x, s0, LossSteps.everyStep(), padded, shape, full(), null);
    assertArrayEquals(want, everyStep, what + ": compact loss steps against zero-padded upstream");

    for (BpttStrategy s :
        new BpttStrategy[] {
          BpttStrategy.checkpointed(),
          BpttStrategy.checkpointed(7),
          BpttStrategy.checkpointed(50),
          BpttStrategy.checkpointed(129)
        }) {
      float[] got = run(net, p, g0, x, s0, LossSteps.at(lossSteps), dy, shape, s, null);
      assertArrayEquals(want, got, what + " " + s);
    }
    for (BatchThreads team : TEAMS) {
      for (BpttStrategy s : new BpttStrategy[] {full(), BpttStrategy.checkpointed(50)}) {
        float[] got = run(net, p, g0, x, s0, LossSteps.at(lossSteps), dy, shape, s, team);
        assertArrayEquals(want, got, what + " " + s + " threads=" + team.threads());
      }
    }
    assertFalse(Arrays.equals(want, g0), what + ": the gradients must have changed");
  }

  private static BpttStrategy full() {
    return BpttStrategy.full();
  }

  private static float[] run(
      StackedRnn net,
      float[] p,
      float[] g0,
      float[] x,
      float[] s0,
      LossSteps losses,
      float[] dy,
      SequenceShape shape,
      BpttStrategy s,
      BatchThreads team) {
    float[] g = g0.clone();
    SequenceBatch seq =
        new SequenceBatch(net, shape).input(x).initialState(s0).losses(losses).upstream(dy);
    BpttWorkspace ws =
        team == null ? new BpttWorkspace(net, shape, s) : new BpttWorkspace(net, shape, s, team);
    new BpttRunner(net).run(s, p, g, seq, ws);
    return g;
  }

  private static float[] fill(SplittableRandom r, int n, double scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (scale * (2 * r.nextDouble() - 1));
    }
    return a;
  }
}
