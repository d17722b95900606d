package dev.bptt.verify.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.verify.Bits;
import dev.bptt.verify.Gen;
import dev.bptt.verify.Shrink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Streaming TBPTT(k1, k2) against a naive reference that runs the same windows one by one: window j
 * ends at e = min((j+1)·k1, T), starts at lo = max(1, e − k2 + 1), and is a fresh forward pass of
 * the fused RNN over steps lo..e from h_{lo−1} (taken from one forward pass over the whole
 * sequence), then a full backward pass over it with the losses of steps j·k1+1..e only. The runner
 * must give bitwise the same gradient per window, the same sum when windows accumulate, and the
 * same h_T as the forward pass over the whole sequence.
 */
class StreamingTbpttTest {

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void windowsEqualTheNaiveWindowsBitwise(long seed) {
    Gen g = new Gen(seed);
    int steps = g.size(1, 50), k1 = 1 + g.random().nextInt(Math.max(1, steps + 2));
    int k2 = k1 + g.random().nextInt(steps + 3);
    int[] dims = {
      steps, k1, k2, 1 + g.random().nextInt(3), g.size(0, 6), g.size(1, 19), g.size(0, 4)
    };
    Shrink.check(
        seed,
        dims,
        d -> {
          if (d[0] < 1 || d[1] < 1 || d[2] < d[1] || d[3] < 1 || d[5] < 1) {
            return null;
          }
          return check(RnnCase.random(seed, d[4], d[5], d[6], d[0], d[3]), d[1], d[2]);
        });
  }

  private static String check(RnnCase c, int k1, int k2) {
    int steps = c.steps, batch = c.batch, h = c.layout.hiddenSize();
    int bh = batch * h,
        rowX = batch * c.layout.inputSize(),
        rowOut = batch * c.layout.stepOutputSize();
    float[] allStates = c.full().states();

    // The naive windows, each gradient on its own and their running sum from grads0.
    List<float[]> expected = new ArrayList<>();
    List<int[]> spans = new ArrayList<>();
    float[] expectedSum = c.grads0.clone();
    for (int done = 0; done < steps; ) {
      int end = Math.min(steps, done + k1), lo = Math.max(1, end - k2 + 1), len = end - lo + 1;
      boolean[] mask = new boolean[len];
      for (int i = 0; i < len; i++) {
        int t = lo + i;
        mask[i] = t > done && (c.lossAt == null || c.lossAt[t - 1]);
      }
      // The window's upstream blocks from the full array, compact; a window without a loss step
      // is a loss at every step with zero upstream (LossSteps cannot name none).
      float[] windowFull = Arrays.copyOfRange(c.dOut, (lo - 1) * rowOut, end * rowOut);
      boolean none = RnnCase.count(mask) == 0;
      LossSteps windowLosses =
          none ? LossSteps.everyStep() : LossSteps.at(RnnCase.lossSteps(mask, len));
      float[] windowUp =
          none ? new float[len * rowOut] : RnnCase.compact(windowFull, mask, len, rowOut);
      SequenceShape windowShape = SequenceShape.steps(len).batch(batch);
      SequenceBatch seq =
          new SequenceBatch(c.rnn, windowShape)
              .input(c.x, (lo - 1) * rowX)
              .initialState(allStates, (lo - 1) * bh)
              .losses(windowLosses)
              .upstream(windowUp);
      RnnWorkspace ws = new RnnWorkspace(c.rnn, windowShape);
      c.rnn.forward(c.params, seq, ws);
      float[] own = new float[c.layout.size()];
      c.rnn.backward(c.params, own, seq, ws);
      c.rnn.backward(c.params, expectedSum, seq, ws);
      expected.add(own);
      spans.add(new int[] {lo, end});
      done = end;
    }

    String what = "streaming(k1=" + k1 + ", k2=" + k2 + ") " + c.describe();
    // Per window: the listener sees the window's gradient alone (grads zeroed after each).
    float[] grads = new float[c.layout.size()];
    List<String> failures = new ArrayList<>();
    BpttStrategy perWindow =
        BpttStrategy.streaming(
            k1,
            k2,
            (j, lo, end) -> {
              if (j >= expected.size() || !Arrays.equals(spans.get(j), new int[] {lo, end})) {
                failures.add(what + ": window " + j + " spans " + lo + ".." + end);
              } else {
                String m = Bits.same(what + " window " + j + " grads", grads, expected.get(j));
                if (m != null) {
                  failures.add(m);
                }
              }
              Arrays.fill(grads, 0f);
            });
    BpttWorkspace ws = c.workspace(perWindow);
    // The StepLoss callback: every loss step exactly once, in increasing order; it writes the
    // case's upstream block, so the gradients are those of the upstream array.
    int[] next = {0};
    c.run(
        perWindow,
        ws,
        grads,
        (step, y, yOff, dy, dyOff) -> {
          if (next[0] >= c.lossSteps.length || step != c.lossSteps[next[0]]) {
            failures.add(
                what
                    + ": loss of step "
                    + step
                    + " reported, expected "
                    + (next[0] < c.lossSteps.length ? "step " + c.lossSteps[next[0]] : "none"));
          }
          c.writeUpstream(step, dy, dyOff);
          next[0]++;
          return 0;
        });
    if (!failures.isEmpty()) {
      return failures.get(0);
    }
    if (ws.windows() != expected.size() || next[0] != c.lossSteps.length) {
      return what
          + ": "
          + ws.windows()
          + " windows, "
          + next[0]
          + " loss steps reported of "
          + c.lossSteps.length;
    }
    if (ws.storedStates() != Math.min(k2, steps) + 1) {
      return what + ": holds " + ws.storedStates() + " states";
    }
    // Accumulated over all windows (no listener), and h_T.
    BpttStrategy summed = BpttStrategy.streaming(k1, k2);
    RnnCase.Result got = c.run(summed, c.workspace(summed));
    float[] hT = Arrays.copyOfRange(allStates, steps * bh, (steps + 1) * bh);
    return Bits.first(
        Bits.same(what + " summed grads", got.grads(), expectedSum),
        Bits.same(what + " h_T", got.hT(), hT));
  }

  /** One window over everything (k1 = T) with all its losses is full BPTT. */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void oneWindowOverTheWholeSequenceIsFullBptt(long seed) {
    Gen g = new Gen(seed);
    int steps = g.size(1, 40);
    RnnCase c =
        RnnCase.random(
            seed, g.size(0, 5), g.size(1, 17), g.size(0, 3), steps, 1 + g.random().nextInt(3));
    BpttStrategy strategy = BpttStrategy.streaming(steps, steps + g.random().nextInt(5));
    RnnCase.Result got = c.run(strategy, c.workspace(strategy));
    assertNull(Bits.same(strategy + " " + c.describe(), got.grads(), c.full().grads()));
    assertEquals(0, c.workspace(strategy).recomputedSteps());
  }
}
