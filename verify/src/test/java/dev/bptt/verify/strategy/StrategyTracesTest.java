package dev.bptt.verify.strategy;

import static dev.bptt.verify.strategy.StrategyDims.K1;
import static dev.bptt.verify.strategy.StrategyDims.K2_EXTRA;
import static dev.bptt.verify.strategy.StrategyDims.SEGMENT;
import static dev.bptt.verify.strategy.StrategyDims.STEPS;
import static dev.bptt.verify.strategy.StrategyDims.TAU;

import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.bptt.TruncationSchedule;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.verify.Bits;
import dev.bptt.verify.Shrink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Per-step traces ‖∂L/∂h_t‖₂ and ‖δ_t‖₂ through the runner, for every strategy: the exact ones
 * (checkpointed with the default and a fixed segment, randomized that never truncates, truncated
 * with τ ≥ T, streaming with one window k1 = k2 = T) write bitwise the traces of full BPTT, which
 * are those of {@link dev.bptt.kernel.rnn.ElmanRnn#backward}; truncated(τ &lt; T) writes the norms
 * of the truncated reference within the derived bound of {@link TruncatedReference}. Trace arrays
 * longer than T are written at 0..T−1 only.
 */
class StrategyTracesTest {
  private static final float SENTINEL = Float.intBitsToFloat(0x7fc0beef);

  /** Traces of one run (length T + 2, sentinels beyond T). */
  record Traces(float[] dh, float[] delta, float[] grads) {}

  static Traces run(RnnCase c, BpttStrategy strategy, BpttWorkspace ws) {
    float[] dh = new float[c.steps + 2], delta = new float[c.steps + 2];
    Arrays.fill(dh, SENTINEL);
    Arrays.fill(delta, SENTINEL);
    SequenceBatch seq = c.seq().traceDh(dh).traceDelta(delta);
    float[] grads = c.grads0.clone();
    c.runBatch(strategy, ws, grads, seq);
    return new Traces(dh, delta, grads);
  }

  static String untouchedBeyondT(String what, RnnCase c, Traces t) {
    for (float[] a : new float[][] {t.dh(), t.delta()}) {
      for (int i = c.steps; i < a.length; i++) {
        if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(SENTINEL)) {
          return what + ": trace entry " + i + " beyond T=" + c.steps + " written";
        }
      }
    }
    return null;
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void exactStrategiesWriteTheTracesOfFullBitwise(long seed) {
    Shrink.check(
        seed,
        StrategyDims.draw(seed),
        d -> {
          if (!StrategyDims.valid(d)) {
            return null;
          }
          RnnCase c = StrategyDims.rnnCase(seed, d);
          Traces full = run(c, BpttStrategy.full(), c.workspace(BpttStrategy.full()));
          // Full through the runner is ElmanRnn's own backward pass.
          float[] rdh = new float[c.steps], rdelta = new float[c.steps];
          RnnWorkspace rws = new RnnWorkspace(c.rnn, c.shape);
          SequenceBatch rseq = c.seq().traceDh(rdh).traceDelta(rdelta);
          c.rnn.forward(c.params, rseq, rws);
          c.rnn.backward(c.params, c.grads0.clone(), rseq, rws);
          String m =
              Bits.first(
                  untouchedBeyondT("full " + c.describe(), c, full),
                  Bits.same(
                      "full vs ElmanRnn traceDh " + c.describe(),
                      Arrays.copyOf(full.dh(), c.steps),
                      rdh),
                  Bits.same(
                      "full vs ElmanRnn traceDelta " + c.describe(),
                      Arrays.copyOf(full.delta(), c.steps),
                      rdelta));
          if (m != null) {
            return m;
          }
          List<BpttStrategy> exact =
              new ArrayList<>(
                  List.of(
                      BpttStrategy.checkpointed(),
                      BpttStrategy.checkpointed(d[SEGMENT]),
                      BpttStrategy.randomized(
                          TruncationSchedule.constant(0), new SplittableRandom(seed)),
                      BpttStrategy.truncated(d[STEPS]),
                      BpttStrategy.truncated(d[STEPS] + d[TAU]),
                      BpttStrategy.streaming(d[STEPS], d[STEPS])));
          for (BpttStrategy s : exact) {
            Traces got = run(c, s, c.workspace(s));
            String what = s + " " + c.describe();
            m =
                Bits.first(
                    untouchedBeyondT(what, c, got),
                    Bits.same(what + " traceDh", got.dh(), full.dh()),
                    Bits.same(what + " traceDelta", got.delta(), full.delta()),
                    Bits.same(what + " grads", got.grads(), full.grads()));
            if (m != null) {
              return m;
            }
          }
          return null;
        });
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void truncatedTracesAreTheNormsOfTheTruncatedReference(long seed) {
    Shrink.check(
        seed,
        StrategyDims.draw(seed),
        d -> {
          if (!StrategyDims.valid(d)) {
            return null;
          }
          RnnCase c = StrategyDims.rnnCase(seed, d);
          float[] states = c.full().states();
          int tau = d[TAU];
          BpttStrategy s = BpttStrategy.truncated(tau);
          Traces got = run(c, s, c.workspace(s));
          TruncatedReference ref = new TruncatedReference(c, states, tau);
          String what = s + " " + c.describe();
          String m = untouchedBeyondT(what, c, got);
          if (m != null) {
            return m;
          }
          for (int t = 1; t <= c.steps; t++) {
            double expDelta = ref.norm(ref.delta, t),
                boundDelta = ref.traceBound(ref.delta, ref.deltaMag, t);
            if (!(Math.abs(got.delta()[t - 1] - expDelta) <= boundDelta)) {
              return what
                  + ": traceDelta["
                  + (t - 1)
                  + "] = "
                  + got.delta()[t - 1]
                  + ", reference "
                  + expDelta
                  + ", bound "
                  + boundDelta;
            }
            double expDh = ref.norm(ref.dh, t), boundDh = ref.traceBound(ref.dh, ref.dhMag, t);
            if (!(Math.abs(got.dh()[t - 1] - expDh) <= boundDh)) {
              return what
                  + ": traceDh["
                  + (t - 1)
                  + "] = "
                  + got.dh()[t - 1]
                  + ", reference "
                  + expDh
                  + ", bound "
                  + boundDh;
            }
          }
          // The reference at reach T, against the full run's traces, checks the reference itself.
          Traces full = run(c, BpttStrategy.full(), c.workspace(BpttStrategy.full()));
          TruncatedReference all = new TruncatedReference(c, states, c.steps);
          for (int t = 1; t <= c.steps; t++) {
            double exp = all.norm(all.delta, t), bound = all.traceBound(all.delta, all.deltaMag, t);
            if (!(Math.abs(full.delta()[t - 1] - exp) <= bound)) {
              return "full "
                  + c.describe()
                  + ": traceDelta["
                  + (t - 1)
                  + "] = "
                  + full.delta()[t - 1]
                  + ", reference "
                  + exp
                  + ", bound "
                  + bound;
            }
          }
          return null;
        });
  }

  /**
   * Streaming(k1, k2) in general: a trace entry holds the last window that reached its step,
   * bitwise the trace of ElmanRnn's backward pass over that window (fresh forward from the full
   * forward's h_{lo−1}, the window's own losses only).
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void streamingTracesHoldTheLastWindowThatReachedTheStep(long seed) {
    Shrink.check(
        seed,
        StrategyDims.draw(seed),
        d -> {
          if (!StrategyDims.valid(d)) {
            return null;
          }
          RnnCase c = StrategyDims.rnnCase(seed, d);
          int k1 = Math.min(d[K1], d[STEPS]), k2 = k1 + d[K2_EXTRA];
          int steps = c.steps, batch = c.batch, bh = batch * c.layout.hiddenSize();
          int rowX = batch * c.layout.inputSize(), rowOut = batch * c.layout.stepOutputSize();
          float[] allStates = c.full().states();
          float[] expDh = new float[steps + 2], expDelta = new float[steps + 2];
          Arrays.fill(expDh, SENTINEL);
          Arrays.fill(expDelta, SENTINEL);
          for (int done = 0; done < steps; ) {
            int end = Math.min(steps, done + k1),
                lo = Math.max(1, end - k2 + 1),
                len = end - lo + 1;
            boolean[] mask = new boolean[len];
            for (int i = 0; i < len; i++) {
              int t = lo + i;
              mask[i] = t > done && (c.lossAt == null || c.lossAt[t - 1]);
            }
            float[] windowFull = Arrays.copyOfRange(c.dOut, (lo - 1) * rowOut, end * rowOut);
            boolean none = RnnCase.count(mask) == 0;
            SequenceBatch seq =
                new SequenceBatch(c.rnn, dev.bptt.kernel.rnn.SequenceShape.steps(len).batch(batch))
                    .input(c.x, (lo - 1) * rowX)
                    .initialState(allStates, (lo - 1) * bh)
                    .losses(
                        none
                            ? dev.bptt.kernel.rnn.LossSteps.everyStep()
                            : dev.bptt.kernel.rnn.LossSteps.at(RnnCase.lossSteps(mask, len)))
                    .upstream(
                        none
                            ? new float[len * rowOut]
                            : RnnCase.compact(windowFull, mask, len, rowOut));
            float[] wdh = new float[len], wdelta = new float[len];
            seq.traceDh(wdh).traceDelta(wdelta);
            RnnWorkspace ws = new RnnWorkspace(c.rnn, seq.shape());
            c.rnn.forward(c.params, seq, ws);
            c.rnn.backward(c.params, new float[c.layout.size()], seq, ws);
            System.arraycopy(wdh, 0, expDh, lo - 1, len);
            System.arraycopy(wdelta, 0, expDelta, lo - 1, len);
            done = end;
          }
          BpttStrategy s = BpttStrategy.streaming(k1, k2);
          Traces got = run(c, s, c.workspace(s));
          String what = s + " " + c.describe();
          return Bits.first(
              Bits.same(what + " traceDh", got.dh(), expDh),
              Bits.same(what + " traceDelta", got.delta(), expDelta));
        });
  }
}
