package dev.bptt.verify.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackLayout;
import dev.bptt.kernel.rnn.StackedRnn;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code chunked(k)} is PyTorch's {@code for chunk in x.split(k): loss(chunk).backward(); h =
 * h.detach()}: bitwise the gradient of full BPTT run chunk by chunk on the sub-sequences, each
 * starting from the carried (detached) state of the full forward pass and adding into the same
 * gradient array in chunk order. It equals {@code streaming(k, k)} when k divides T and differs
 * from it otherwise (streaming's last window reaches a full k steps back).
 */
class ChunkedTbpttTest {
  private static final int T = 23, B = 3, D = 3, H = 5, O = 2;

  @ParameterizedTest(name = "{0} k={1}")
  @CsvSource({"ELMAN,5", "GRU,7", "LSTM,5", "LSTM,1", "LSTM,23", "LSTM,30", "GRU,4"})
  void chunkedIsFullBpttPerChunk(CellType cell, int k) {
    StackedRnn net = StackedRnn.of(new StackLayout(cell, D, H, 2, O), Activation.TANH);
    SplittableRandom r = new SplittableRandom(k * 31L + cell.ordinal());
    float[] p = fill(r, net.parameterCount(), 0.4);
    float[] x = fill(r, T * B * D, 1);
    float[] s0 = fill(r, B * net.stateSize(), 0.5);
    float[] dy = fill(r, T * B * O, 1);
    SequenceShape shape = SequenceShape.steps(T).batch(B);

    float[] got = new float[p.length];
    BpttStrategy chunked = BpttStrategy.chunked(k);
    SequenceBatch seq =
        new SequenceBatch(net, shape).input(x).initialState(s0).losses(LossSteps.everyStep());
    seq.upstream(dy);
    new BpttRunner(net).run(chunked, p, got, seq, new BpttWorkspace(net, shape, chunked));

    // Reference: the carried states from one forward pass, then full BPTT per chunk.
    RnnWorkspace fwd = new RnnWorkspace(net, shape);
    net.forward(p, new SequenceBatch(net, shape).input(x).initialState(s0), fwd);
    float[] want = new float[p.length];
    float[] state = new float[B * net.stateSize()];
    for (int a = 1; a <= T; a += k) {
      int len = Math.min(k, T - a + 1);
      fwd.copyState(a - 1, state, 0);
      SequenceShape cs = SequenceShape.steps(len).batch(B);
      SequenceBatch chunk =
          new SequenceBatch(net, cs)
              .input(x, (a - 1) * B * D)
              .initialState(state)
              .losses(LossSteps.everyStep());
      chunk.upstream(dy, (a - 1) * B * O);
      new BpttRunner(net)
          .run(
              BpttStrategy.full(), p, want, chunk, new BpttWorkspace(net, cs, BpttStrategy.full()));
    }
    assertArrayEquals(want, got, cell + " k=" + k);

    float[] sliding = new float[p.length];
    BpttStrategy streaming = BpttStrategy.streaming(k, k);
    new BpttRunner(net).run(streaming, p, sliding, seq, new BpttWorkspace(net, shape, streaming));
    if (T % k == 0 || k >= T) {
      assertArrayEquals(got, sliding, "k divides T: chunked = streaming(k, k)");
    } else {
      assertFalse(Arrays.equals(got, sliding), "the last chunk must differ from a full window");
    }
    assertEquals(chunked, BpttStrategy.chunked(k));
  }

  private static float[] fill(SplittableRandom r, int n, double scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (scale * (2 * r.nextDouble() - 1));
    }
    return a;
  }
}
