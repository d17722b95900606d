package dev.bptt.verify.strategy;

import static dev.bptt.verify.strategy.StrategyDims.K1;
import static dev.bptt.verify.strategy.StrategyDims.K2_EXTRA;
import static dev.bptt.verify.strategy.StrategyDims.SEGMENT;
import static dev.bptt.verify.strategy.StrategyDims.TAU;

import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.TruncationSchedule;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.StepLoss;
import dev.bptt.verify.Bits;
import dev.bptt.verify.Shrink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A {@link StepLoss} through the runner, for every strategy and for the loss patterns every step,
 * {@link LossSteps#lastStep()} and {@link LossSteps#at(int...)}: the callback is called exactly
 * once per loss step, in increasing order, with bitwise the outputs of the ElmanRnn forward pass;
 * the run returns the sum of its values (in step order, so exactly); full, checkpointed (default
 * and fixed segment) and streaming with one window (k1 = k2 = T) return the same value and bitwise
 * the same gradients, which are those of the upstream the callback wrote, passed as an array.
 */
class StrategyStepLossTest {

  /** A squared-error loss against a target, recording the steps and values it was called with. */
  private static final class Recorder implements StepLoss {
    final float[] target;
    final int row;
    final float[] outputs;
    final List<Integer> steps = new ArrayList<>();
    final List<Double> values = new ArrayList<>();

    Recorder(float[] target, int row, int steps) {
      this.target = target;
      this.row = row;
      this.outputs = new float[steps * row];
    }

    @Override
    public double apply(int step, float[] y, int yOff, float[] dy, int dyOff) {
      double v = 0;
      for (int i = 0; i < row; i++) {
        float e = y[yOff + i] - target[(step - 1) * row + i];
        dy[dyOff + i] = e;
        v += 0.5 * (double) e * e;
      }
      System.arraycopy(y, yOff, outputs, (step - 1) * row, row);
      steps.add(step);
      values.add(v);
      return v;
    }

    double sum() {
      double s = 0;
      for (double v : values) {
        s += v;
      }
      return s;
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void everyStrategyCallsTheLossOncePerLossStepInOrder(long seed) {
    Shrink.check(
        seed,
        StrategyDims.draw(seed),
        d -> {
          if (!StrategyDims.valid(d)) {
            return null;
          }
          RnnCase c = StrategyDims.rnnCase(seed, d);
          int steps = c.steps, row = c.batch * c.layout.stepOutputSize();
          float[] target = RnnCase.array(new SplittableRandom(seed * 31 + 7), steps * row, 1);
          RnnWorkspace ref = new RnnWorkspace(c.rnn, c.shape);
          c.rnn.forward(c.params, c.seq(), ref);
          float[] refOut =
              c.layout.hasReadout()
                  ? Arrays.copyOf(ref.output(), steps * row)
                  : Arrays.copyOfRange(ref.hidden(), row, (steps + 1) * row);
          int[] some =
              RnnCase.lossSteps(
                  RnnCase.mask(steps, t -> t == steps || (t * 7 + seed) % 3 == 0), steps);
          LossSteps[] patterns = {LossSteps.everyStep(), LossSteps.lastStep(), LossSteps.at(some)};
          int[][] patternSteps = {RnnCase.lossSteps(null, steps), {steps}, some};
          for (int p = 0; p < patterns.length; p++) {
            Double exactValue = null;
            float[] exactGrads = null;
            for (BpttStrategy s :
                List.of(
                    BpttStrategy.full(),
                    BpttStrategy.checkpointed(),
                    BpttStrategy.checkpointed(d[SEGMENT]),
                    BpttStrategy.streaming(steps, steps),
                    BpttStrategy.streaming(d[K1], d[K1] + d[K2_EXTRA]),
                    BpttStrategy.truncated(d[TAU]),
                    BpttStrategy.randomized(
                        TruncationSchedule.constant(0.3), new SplittableRandom(seed)))) {
              Recorder loss = new Recorder(target, row, steps);
              SequenceBatch seq =
                  new SequenceBatch(c.rnn, c.shape).input(c.x).losses(patterns[p]).loss(loss);
              if (c.h0 != null) {
                seq.initialState(c.h0);
              }
              float[] grads = c.grads0.clone();
              double value = c.runner.run(s, c.params, grads, seq, c.workspace(s));
              String what = s + " losses=" + patterns[p] + " " + c.describe();
              int[] called = loss.steps.stream().mapToInt(Integer::intValue).toArray();
              if (!Arrays.equals(called, patternSteps[p])) {
                return what
                    + ": loss called at steps "
                    + Arrays.toString(called)
                    + ", expected "
                    + Arrays.toString(patternSteps[p]);
              }
              if (Double.doubleToLongBits(value) != Double.doubleToLongBits(loss.sum())) {
                return what
                    + ": returned "
                    + value
                    + ", the callback's values sum to "
                    + loss.sum();
              }
              for (int t : patternSteps[p]) {
                String m =
                    Bits.same(
                        what + " outputs of step " + t,
                        Arrays.copyOfRange(loss.outputs, (t - 1) * row, t * row),
                        Arrays.copyOfRange(refOut, (t - 1) * row, t * row));
                if (m != null) {
                  return m;
                }
              }
              // The same upstream as an array gives the same gradients.
              float[] up = new float[patternSteps[p].length * row];
              for (int i = 0; i < patternSteps[p].length; i++) {
                int t = patternSteps[p][i];
                for (int j = 0; j < row; j++) {
                  up[i * row + j] = refOut[(t - 1) * row + j] - target[(t - 1) * row + j];
                }
              }
              SequenceBatch arraySeq =
                  new SequenceBatch(c.rnn, c.shape).input(c.x).losses(patterns[p]).upstream(up);
              if (c.h0 != null) {
                arraySeq.initialState(c.h0);
              }
              float[] arrayGrads = c.grads0.clone();
              BpttStrategy twin =
                  s instanceof BpttStrategy.Randomized
                      ? BpttStrategy.randomized(
                          TruncationSchedule.constant(0.3), new SplittableRandom(seed))
                      : s;
              double none = c.runner.run(twin, c.params, arrayGrads, arraySeq, c.workspace(twin));
              String m =
                  Bits.first(
                      Bits.same(what + " grads: callback vs upstream array", grads, arrayGrads),
                      none == 0 ? null : what + ": a run without a callback returned " + none);
              if (m != null) {
                return m;
              }
              boolean exact =
                  s instanceof BpttStrategy.Full
                      || s instanceof BpttStrategy.Checkpointed
                      || s instanceof BpttStrategy.Streaming st && st.k1() == steps;
              if (exact) {
                if (exactValue == null) {
                  exactValue = value;
                  exactGrads = grads;
                } else {
                  m =
                      Bits.first(
                          Double.doubleToLongBits(value) == Double.doubleToLongBits(exactValue)
                              ? null
                              : what
                                  + ": loss value "
                                  + value
                                  + " differs from full's "
                                  + exactValue,
                          Bits.same(what + " grads vs full", grads, exactGrads));
                  if (m != null) {
                    return m;
                  }
                }
              }
            }
            // ElmanRnn.forward with the callback returns the same value.
            Recorder loss = new Recorder(target, row, steps);
            SequenceBatch seq =
                new SequenceBatch(c.rnn, c.shape).input(c.x).losses(patterns[p]).loss(loss);
            if (c.h0 != null) {
              seq.initialState(c.h0);
            }
            double fwd = c.rnn.forward(c.params, seq, new RnnWorkspace(c.rnn, c.shape));
            if (Double.doubleToLongBits(fwd) != Double.doubleToLongBits(exactValue)) {
              return "ElmanRnn.forward losses="
                  + patterns[p]
                  + " "
                  + c.describe()
                  + ": "
                  + fwd
                  + " vs runner "
                  + exactValue;
            }
          }
          return null;
        });
  }
}
