package dev.bptt.verify.rnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnStreamState;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StepLoss;
import dev.bptt.verify.Bits;
import dev.bptt.verify.Gen;
import dev.bptt.verify.Shrink;
import dev.bptt.verify.rnn.RnnHarness.KernelResult;
import dev.bptt.verify.rnn.RnnHarness.Reference;
import dev.bptt.verify.rnn.RnnProblem.Loss;
import dev.bptt.verify.rnn.RnnProblem.Spec;
import dev.bptt.verify.rnn.RnnProblem.Weights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the {@link SequenceBatch} / {@link SequenceShape} / {@link LossSteps} API promises beyond
 * the numerics: the workspace's copy of the inputs, the compact upstream layout, shapes smaller
 * than the workspace capacity, streaming inference, named shapes, the {@link StepLoss} callback,
 * and the forward-before-backward contract. Every property runs on seeded cases (the seed and the
 * case are in every failure message; {@link Shrink} reports the seed and the smallest failing
 * dimensions) and compares bitwise where the API promises identical results.
 */
class RnnApiSafetyTest {
  /** Activations with nowhere-zero φ′: a changed input always reaches the gradient. */
  private static final Activation[] SMOOTH = {
    Activation.TANH, Activation.SIGMOID, Activation.IDENTITY
  };

  /** Everything one backward pass writes, copied out. */
  record Run(
      double loss, float[] grads, float[] dh0, float[] delta, float[] traceDh, float[] traceDelta) {
    String sameAs(String what, Run o) {
      return Bits.first(
          Bits.same(what + ": grads", grads, o.grads),
          Bits.same(what + ": dh0", dh0, o.dh0),
          Bits.same(what + ": delta", delta, o.delta),
          Bits.same(what + ": traceDh", traceDh, o.traceDh),
          Bits.same(what + ": traceDelta", traceDelta, o.traceDelta));
    }
  }

  /** Forward and backward of seq on ws (grads from p.grads0), with ∂L/∂h_0 and both traces. */
  static Run run(RnnProblem p, SequenceBatch seq, RnnWorkspace ws) {
    ElmanRnn rnn = p.rnn();
    double loss = rnn.forward(p.params, seq, ws);
    return backward(p, seq, ws, loss);
  }

  /** Backward of seq on ws (after its forward), into fresh outputs. */
  static Run backward(RnnProblem p, SequenceBatch seq, RnnWorkspace ws, double loss) {
    int steps = seq.shape().steps(), bh = seq.shape().batch() * p.layout.hiddenSize();
    float[] grads = p.grads0.clone();
    float[] dh0 = RnnHarness.canaries(bh + RnnProblem.TAIL);
    float[] traceDh = RnnHarness.canaries(steps + RnnProblem.TAIL);
    float[] traceDelta = RnnHarness.canaries(steps + RnnProblem.TAIL);
    seq.initialStateGradient(dh0, 0).traceDh(traceDh).traceDelta(traceDelta);
    p.rnn().backward(p.params, grads, seq, ws);
    float[] delta = Arrays.copyOf(ws.delta(), steps * bh);
    return new Run(loss, grads, dh0, delta, traceDh, traceDelta);
  }

  static int[] dims(Gen g, int maxT, int maxB) {
    SplittableRandom r = g.random();
    return new int[] {
      1 + r.nextInt(maxT),
      1 + r.nextInt(maxB),
      g.size(1, 20),
      g.size(1, 20),
      r.nextBoolean() ? 0 : g.size(1, 9)
    };
  }

  static float[] uniform(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return a;
  }

  // ---- 1. the workspace keeps its own copy of the inputs ----

  /**
   * Overwriting the caller's input array between forward and backward changes nothing: the gradient
   * equals (bitwise) that of a run whose input stayed, and differs from a forward and backward on
   * the new input (so the comparison can see a changed input).
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void inputChangedBetweenForwardAndBackwardCannotChangeTheGradient(long seed) {
    Gen g = new Gen(seed);
    SplittableRandom r = g.random();
    Spec spec =
        new Spec(
            SMOOTH[r.nextInt(SMOOTH.length)],
            Weights.CONTRACTIVE,
            r.nextBoolean() ? Loss.EVERY : Loss.LAST,
            r.nextBoolean(),
            false);
    long refill = r.nextLong();
    Shrink.check(
        seed,
        dims(g, 20, 6),
        d -> {
          RnnProblem p = RnnProblem.of(spec, d, seed);
          int n = p.steps * p.batch * p.layout.inputSize();
          if (n == 0) {
            return null; // D shrunk to 0: nothing to change
          }
          float[] xs = p.x.clone();
          SequenceBatch seq = p.sequence().input(xs, p.xOff);
          RnnWorkspace ws = p.workspace();
          double loss = p.rnn().forward(p.params, seq, ws);
          float[] other = uniform(new SplittableRandom(refill), n);
          System.arraycopy(
              other, 0, xs, p.xOff, n); // the caller refills its array (e.g. the next batch)
          Run changed = backward(p, seq, ws, loss);
          Run kept = run(p, p.sequence(), p.workspace());
          Run onNew = run(p, p.sequence().input(xs, p.xOff), p.workspace());
          String m = changed.sameAs("input refilled after forward vs input kept", kept);
          if (m == null && Bits.same("grads", onNew.grads(), kept.grads()) == null) {
            m =
                "a forward and backward on the new input gave the same gradient: the check cannot"
                    + " see a changed input";
          }
          return m == null ? null : p + ": " + m;
        });
  }

  // ---- 2. compact upstream ----

  /**
   * A loss at the last step with B·O′ upstream floats gives the gradient (bitwise) of every step
   * with a full [T][B][O′] upstream that is zero except at step T; the same for LossSteps.at(a few
   * steps) (in any order) against the zero-padded full array.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void compactUpstreamEqualsZeroPaddedFull(long seed) {
    Gen g = new Gen(seed);
    SplittableRandom r = g.random();
    Activation act = Activation.values()[r.nextInt(Activation.values().length)];
    Spec spec = new Spec(act, Weights.CONTRACTIVE, Loss.EVERY, r.nextBoolean(), r.nextBoolean());
    long blocks = r.nextLong();
    Shrink.check(
        seed,
        dims(g, 25, 6),
        d -> {
          RnnProblem p = RnnProblem.of(spec, d, seed);
          SplittableRandom br = new SplittableRandom(blocks);
          int steps = p.steps, row = p.batch * p.layout.stepOutputSize();
          // Last step only.
          int off = br.nextInt(5);
          float[] last = new float[off + row + 2];
          float[] block = uniform(br, row);
          System.arraycopy(block, 0, last, off, row);
          float[] full = new float[steps * row];
          System.arraycopy(block, 0, full, (steps - 1) * row, row);
          Run compact =
              run(p, p.sequence().losses(LossSteps.lastStep()).upstream(last, off), p.workspace());
          Run atT =
              run(p, p.sequence().losses(LossSteps.at(steps)).upstream(last, off), p.workspace());
          Run padded =
              run(p, p.sequence().losses(LossSteps.everyStep()).upstream(full), p.workspace());
          String m =
              Bits.first(
                  compact.sameAs("lastStep() vs everyStep() zero-padded", padded),
                  atT.sameAs("at(T) vs everyStep() zero-padded", padded));
          if (m != null) {
            return p + ": " + m;
          }
          // A few steps, given in a random order; blocks packed in increasing step order.
          TreeSet<Integer> chosen = new TreeSet<>();
          int k = 1 + br.nextInt(Math.min(steps, 4));
          while (chosen.size() < k) {
            chosen.add(1 + br.nextInt(steps));
          }
          List<Integer> given = new ArrayList<>(chosen);
          java.util.Collections.shuffle(given, new java.util.Random(br.nextLong()));
          int[] at = given.stream().mapToInt(Integer::intValue).toArray();
          float[] packed = new float[off + k * row];
          float[] fullAt = new float[steps * row];
          int i = 0;
          for (int t : chosen) {
            float[] b = uniform(br, row);
            System.arraycopy(b, 0, packed, off + i++ * row, row);
            System.arraycopy(b, 0, fullAt, (t - 1) * row, row);
          }
          Run compactAt =
              run(p, p.sequence().losses(LossSteps.at(at)).upstream(packed, off), p.workspace());
          Run paddedAt =
              run(p, p.sequence().losses(LossSteps.everyStep()).upstream(fullAt), p.workspace());
          m =
              compactAt.sameAs(
                  "at" + Arrays.toString(at) + " vs everyStep() zero-padded", paddedAt);
          return m == null ? null : p + ": " + m;
        });
  }

  // ---- 3. shapes smaller than the workspace capacity ----

  /**
   * A forward (and backward) of shape (T′, B′) on a workspace of a larger capacity, after a
   * full-capacity pass left other values everywhere, gives bitwise the hidden states, outputs, δ,
   * gradients, ∂L/∂h_0 and traces of a workspace of exactly that shape, and matches the double
   * reference within the {@link RnnBounds} (the harness comparison).
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void smallerShapeOnLargerWorkspaceEqualsExactWorkspace(long seed) {
    Gen g = new Gen(seed);
    SplittableRandom r = g.random();
    Activation act = Activation.values()[r.nextInt(Activation.values().length)];
    int steps = 1 + r.nextInt(30), batch = 1 + r.nextInt(6);
    int[] dims = RnnForwardBackwardTest.dims(g, steps, batch);
    Spec spec =
        new Spec(
            act,
            Weights.wellConditioned(steps, dims[RnnProblem.H]),
            Loss.values()[r.nextInt(3)],
            r.nextBoolean(),
            r.nextBoolean());
    int moreT = 1 + r.nextInt(10), moreB = 1 + r.nextInt(4);
    long stale = r.nextLong();
    Shrink.check(
        seed,
        dims,
        d -> {
          RnnProblem p = RnnProblem.of(spec, d, seed);
          ElmanRnn rnn = p.rnn();
          SequenceShape cap = SequenceShape.steps(p.steps + moreT).batch(p.batch + moreB);
          RnnWorkspace big = new RnnWorkspace(rnn, cap);
          // A full-capacity pass first, so that every slot holds something else.
          SplittableRandom sr = new SplittableRandom(stale);
          SequenceBatch full =
              new SequenceBatch(rnn, cap)
                  .input(uniform(sr, Math.toIntExact(cap.rows() * p.layout.inputSize())))
                  .initialState(uniform(sr, cap.batch() * p.layout.hiddenSize()))
                  .upstream(uniform(sr, Math.toIntExact(cap.rows() * p.layout.stepOutputSize())));
          backward(p, full, big, rnn.forward(p.params, full, big));

          KernelResult onBig = RnnHarness.runKernel(p, big);
          KernelResult exact = RnnHarness.runKernel(p, null);
          int h = p.layout.hiddenSize(), o = p.layout.outputSize(), bh = p.batch * h;
          String m =
              Bits.first(
                  p.shape().equals(big.shape())
                      ? null
                      : "big.shape() = " + big.shape() + ", expected " + p.shape(),
                  cap.equals(big.capacity()) ? null : "big.capacity() = " + big.capacity(),
                  big.hiddenOffset(1) == bh
                      ? null
                      : "big.hiddenOffset(1) = " + big.hiddenOffset(1) + ", expected B'·H = " + bh,
                  Bits.same(
                      "hidden (capacity " + cap + " vs exact)",
                      Arrays.copyOf(big.hidden(), (p.steps + 1) * bh),
                      Arrays.copyOf(exact.ws().hidden(), (p.steps + 1) * bh)),
                  Bits.same(
                      "output",
                      Arrays.copyOf(big.output(), p.steps * p.batch * o),
                      Arrays.copyOf(exact.ws().output(), p.steps * p.batch * o)),
                  Bits.same(
                      "delta",
                      Arrays.copyOf(big.delta(), p.steps * bh),
                      Arrays.copyOf(exact.ws().delta(), p.steps * bh)),
                  Bits.same("grads", onBig.grads(), exact.grads()),
                  Bits.same("dh0", onBig.dh0(), exact.dh0()),
                  Bits.same("traceDh", onBig.traceDh(), exact.traceDh()),
                  Bits.same("traceDelta", onBig.traceDelta(), exact.traceDelta()));
          if (m == null) {
            Reference ref = RnnHarness.reference(p, p.grads0D(), big.hidden());
            m = Bits.first(RnnHarness.compare(p, onBig, ref), RnnHarness.informative(p, ref));
          }
          return m == null ? null : p + " on capacity " + cap + ": " + m;
        });
  }

  // ---- 4. streaming inference ----

  /**
   * {@link ElmanRnn#advance} reproduces the full forward bitwise at every step (state and readout),
   * from h_0 = 0 and from a given h_0 (reset(h0, off)), one step at a time and in chunks of several
   * steps; a zero-step advance changes nothing.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void streamingEqualsFullForwardAtEveryStep(long seed) {
    Gen g = new Gen(seed);
    SplittableRandom r = g.random();
    Activation act = Activation.values()[r.nextInt(Activation.values().length)];
    long chunking = r.nextLong();
    int[] dims = dims(g, 40, 8);
    for (boolean withH0 : new boolean[] {false, true}) {
      Spec spec = new Spec(act, Weights.CONTRACTIVE, Loss.EVERY, withH0, false);
      Shrink.check(
          seed,
          dims,
          d -> {
            RnnProblem p = RnnProblem.of(spec, d, seed);
            ElmanRnn rnn = p.rnn();
            RnnWorkspace ws = p.workspace();
            rnn.forward(p.params, p.sequence(), ws);
            int bh = p.batch * p.layout.hiddenSize(), bo = p.batch * p.layout.outputSize();
            int row = p.batch * p.layout.inputSize();
            RnnStreamState st = new RnnStreamState(rnn, p.batch);
            // One step at a time.
            reset(st, p);
            String m = compareStream(st, ws, 0, bh, bo, "start");
            for (int t = 1; t <= p.steps && m == null; t++) {
              rnn.advance(p.params, p.x, p.xOff + (t - 1) * row, 1, st);
              m = compareStream(st, ws, t, bh, bo, "step by step");
            }
            // In chunks of 0..6 steps.
            SplittableRandom cr = new SplittableRandom(chunking);
            reset(st, p);
            for (int t = 0; t < p.steps && m == null; ) {
              int n = Math.min(p.steps - t, cr.nextInt(7));
              rnn.advance(p.params, p.x, p.xOff + t * row, n, st);
              t += n;
              m = compareStream(st, ws, t, bh, bo, "chunk of " + n);
            }
            return m == null ? null : p + ": " + m;
          });
    }
  }

  private static void reset(RnnStreamState st, RnnProblem p) {
    if (p.h0 == null) {
      st.reset();
    } else {
      st.reset(p.h0, p.h0Off);
    }
  }

  private static String compareStream(
      RnnStreamState st, RnnWorkspace ws, int t, int bh, int bo, String how) {
    if (st.steps() != t) {
      return how + ": steps() = " + st.steps() + ", expected " + t;
    }
    float[] h = new float[bh];
    st.copyHidden(h, 0);
    int ho = ws.hiddenOffset(t);
    String m =
        Bits.first(
            Bits.same(
                how + ": stream hidden() at t=" + t,
                Arrays.copyOf(st.hidden(), bh),
                Arrays.copyOfRange(ws.hidden(), ho, ho + bh)),
            Bits.same(
                how + ": stream copyHidden at t=" + t,
                h,
                Arrays.copyOfRange(ws.hidden(), ho, ho + bh)));
    if (m == null && t > 0 && bo > 0) {
      int yo = ws.outputOffset(t);
      m =
          Bits.same(
              how + ": stream output() at t=" + t,
              st.output(),
              Arrays.copyOfRange(ws.output(), yo, yo + bo));
    }
    return m;
  }

  // ---- 5. named shapes ----

  /**
   * steps(T).batch(B) and steps(B).batch(T) are different shapes even though an input of T·B·D
   * floats fits both: with T &gt; B, neither fits a workspace of the other, the exception names
   * both shapes and nothing is written; each runs on its own workspace with the named sizes.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void swappedStepsAndBatchAreDifferentShapes(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int batch = 1 + r.nextInt(4), steps = batch + 1 + r.nextInt(6);
    RnnProblem p =
        RnnProblem.of(
            new Spec(Activation.TANH, Weights.CONTRACTIVE, Loss.EVERY, false, false),
            new int[] {steps, batch, 1 + r.nextInt(6), 1 + r.nextInt(9), r.nextInt(3)},
            seed);
    String ctx = "seed=" + seed + " " + p;
    ElmanRnn rnn = p.rnn();
    SequenceShape tb = SequenceShape.steps(steps).batch(batch);
    SequenceShape bt = SequenceShape.steps(batch).batch(steps);
    assertEquals(steps, tb.steps(), ctx);
    assertEquals(batch, tb.batch(), ctx);
    assertEquals(batch, bt.steps(), ctx);
    assertEquals(steps, bt.batch(), ctx);
    assertEquals(tb.rows(), bt.rows(), ctx);
    assertNotEquals(tb, bt, ctx);
    assertEquals(1, SequenceShape.steps(steps).batch(), ctx);

    float[] x = Arrays.copyOfRange(p.x, p.xOff, p.xOff + steps * batch * p.layout.inputSize());
    // The same array is accepted by both (its length is T·B·D either way).
    SequenceBatch asTb = new SequenceBatch(rnn, tb).input(x);
    SequenceBatch asBt = new SequenceBatch(rnn, bt).input(x);
    assertEquals(tb, asTb.shape(), ctx);
    assertEquals(bt, asBt.shape(), ctx);

    RnnWorkspace wsTb = new RnnWorkspace(rnn, tb);
    RnnWorkspace wsBt = new RnnWorkspace(rnn, bt);
    for (Object[] c : new Object[][] {{asBt, wsTb}, {asTb, wsBt}}) {
      SequenceBatch seq = (SequenceBatch) c[0];
      RnnWorkspace ws = (RnnWorkspace) c[1];
      float[] hidden = ws.hidden().clone(), output = ws.output().clone(), xCopy = x.clone();
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> rnn.forward(p.params, seq, ws),
              ctx + ": " + seq.shape() + " on capacity " + ws.capacity());
      assertTrue(
          e.getMessage().contains(seq.shape().toString())
              && e.getMessage().contains(ws.capacity().toString()),
          ctx + ": the message should name both shapes: " + e.getMessage());
      assertNull(
          Bits.first(
              Bits.same("ws.hidden", ws.hidden(), hidden),
              Bits.same("ws.output", ws.output(), output),
              Bits.same("x", x, xCopy)),
          ctx);
      assertThrows(
          IllegalStateException.class,
          ws::shape,
          ctx + ": the rejected forward left a forward shape");
    }

    rnn.forward(p.params, asTb, wsTb);
    rnn.forward(p.params, asBt, wsBt);
    int h = p.layout.hiddenSize();
    assertEquals(tb, wsTb.shape(), ctx);
    assertEquals(bt, wsBt.shape(), ctx);
    assertEquals(steps, wsTb.shape().steps(), ctx);
    assertEquals(batch, wsTb.shape().batch(), ctx);
    assertEquals(batch * h, wsTb.hiddenOffset(1), ctx);
    assertEquals(steps * h, wsBt.hiddenOffset(1), ctx);
    assertEquals(steps * batch * h, wsTb.hiddenOffset(steps), ctx);
    assertThrows(
        IllegalArgumentException.class,
        () -> wsBt.hiddenOffset(steps),
        ctx + ": T of " + bt + " is " + batch);
  }

  // ---- 6. the StepLoss callback ----

  /**
   * A {@link StepLoss} (squared error against seeded targets) is called once per loss step in
   * increasing step order with the step's outputs; forward returns the sum of its values (equal to
   * the same sum computed directly from the workspace's outputs); the gradient equals (bitwise)
   * that of the same upstream passed explicitly, with the holder's own buffer and with a caller's
   * upstream array that the callback fills.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void stepLossCallbackIsCalledOncePerLossStepAndGivesTheExplicitGradient(long seed) {
    Gen g = new Gen(seed);
    SplittableRandom r = g.random();
    Activation act = Activation.values()[r.nextInt(Activation.values().length)];
    Spec spec = new Spec(act, Weights.CONTRACTIVE, Loss.EVERY, r.nextBoolean(), r.nextBoolean());
    int which = r.nextInt(3);
    long targets = r.nextLong();
    Shrink.check(
        seed,
        dims(g, 25, 6),
        d -> {
          RnnProblem p = RnnProblem.of(spec, d, seed);
          int steps = p.steps, w = p.layout.stepOutputSize(), row = p.batch * w;
          SplittableRandom tr = new SplittableRandom(targets);
          float[] target = uniform(tr, steps * row);
          LossSteps losses =
              switch (which) {
                case 0 -> LossSteps.everyStep();
                case 1 -> LossSteps.lastStep();
                default -> {
                  TreeSet<Integer> s = new TreeSet<>();
                  int k = 1 + tr.nextInt(steps);
                  while (s.size() < k) {
                    s.add(1 + tr.nextInt(steps));
                  }
                  yield LossSteps.at(s.stream().mapToInt(Integer::intValue).toArray());
                }
              };
          List<Integer> expectedSteps = new ArrayList<>();
          for (int t = 1; t <= steps; t++) {
            if (losses.index(t, steps) >= 0) {
              expectedSteps.add(t);
            }
          }
          List<Integer> calls = new ArrayList<>();
          List<float[]> seen = new ArrayList<>();
          StepLoss loss =
              (t, y, yOff, dy, dyOff) -> {
                calls.add(t);
                seen.add(Arrays.copyOfRange(y, yOff, yOff + row));
                double sum = 0;
                for (int i = 0; i < row; i++) {
                  float e = y[yOff + i] - target[(t - 1) * row + i];
                  dy[dyOff + i] = e;
                  sum += 0.5 * e * e;
                }
                return sum;
              };

          // The holder's own upstream buffer (no upstream array set).
          SequenceBatch withCallback = base(p).losses(losses).loss(loss);
          RnnWorkspace ws = p.workspace();
          double total = p.rnn().forward(p.params, withCallback, ws);
          if (!calls.equals(expectedSteps)) {
            return p + " " + losses + ": callback steps " + calls + ", expected " + expectedSteps;
          }
          // Direct: the same per-step values from the workspace's outputs, summed in step order.
          float[] out = p.layout.hasReadout() ? ws.output() : ws.hidden();
          float[] explicit = new float[expectedSteps.size() * row];
          double direct = 0;
          for (int i = 0; i < expectedSteps.size(); i++) {
            int t = expectedSteps.get(i);
            int yOff = p.layout.hasReadout() ? ws.outputOffset(t) : ws.hiddenOffset(t);
            String m =
                Bits.same(
                    "y passed to the callback at t=" + t,
                    seen.get(i),
                    Arrays.copyOfRange(out, yOff, yOff + row));
            if (m != null) {
              return p + " " + losses + ": " + m;
            }
            double sum = 0;
            for (int k = 0; k < row; k++) {
              float e = out[yOff + k] - target[(t - 1) * row + k];
              explicit[i * row + k] = e;
              sum += 0.5 * e * e;
            }
            direct += sum;
          }
          if (Double.doubleToLongBits(total) != Double.doubleToLongBits(direct)) {
            return p
                + " "
                + losses
                + ": forward returned "
                + total
                + ", the direct sum is "
                + direct;
          }
          Run viaCallback = backward(p, withCallback, ws, total);
          String m =
              Bits.same(
                  "holder's upstream after the callback",
                  Arrays.copyOf(withCallback.upstream(), explicit.length),
                  explicit);

          // The same upstream passed explicitly (no callback): forward returns 0.
          SequenceBatch plain = base(p).losses(losses).upstream(explicit);
          Run viaArray = run(p, plain, p.workspace());
          m =
              Bits.first(
                  m,
                  viaCallback.sameAs("StepLoss vs explicit upstream", viaArray),
                  viaArray.loss() == 0
                      ? null
                      : "forward without a callback returned " + viaArray.loss());

          // The callback writing into a caller's upstream array at an offset.
          calls.clear();
          seen.clear();
          int off = 1 + tr.nextInt(5);
          float[] callerUp = RnnHarness.canaries(off + explicit.length + RnnProblem.TAIL);
          SequenceBatch intoCaller = base(p).losses(losses).upstream(callerUp, off).loss(loss);
          Run viaCaller = run(p, intoCaller, p.workspace());
          m =
              Bits.first(
                  m,
                  viaCaller.sameAs(
                      "StepLoss into a caller's upstream vs explicit upstream", viaArray),
                  calls.equals(expectedSteps)
                      ? null
                      : "second run: callback steps " + calls + ", expected " + expectedSteps,
                  Double.doubleToLongBits(viaCaller.loss()) == Double.doubleToLongBits(direct)
                      ? null
                      : "second run: forward returned " + viaCaller.loss() + ", expected " + direct,
                  Bits.same(
                      "caller's upstream written by the callback",
                      Arrays.copyOfRange(callerUp, off, off + explicit.length),
                      explicit),
                  RnnHarness.canariesOutside("caller's upstream", callerUp, off, explicit.length));
          return m == null ? null : p + " " + losses + ": " + m;
        });
  }

  /** A sequence batch with p's input and initial state only. */
  private static SequenceBatch base(RnnProblem p) {
    SequenceBatch s = new SequenceBatch(p.rnn(), p.shape()).input(p.x, p.xOff);
    return p.h0 == null ? s : s.initialState(p.h0, p.h0Off);
  }

  // ---- 7. backward needs the forward of the same shape ----

  /**
   * backward before any forward, or with a sequence batch of another shape than the forward's
   * (smaller or larger, within the capacity), throws IllegalStateException and writes nothing:
   * gradients, ∂L/∂h_0, traces and the workspace's δ keep their bits. The matching backward then
   * goes through.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void backwardWithoutTheMatchingForwardWritesNothing(long seed) {
    Gen g = new Gen(seed);
    SplittableRandom r = g.random();
    Activation act = Activation.values()[r.nextInt(Activation.values().length)];
    int[] d = dims(g, 20, 6);
    d[RnnProblem.T] = Math.max(2, d[RnnProblem.T]);
    d[RnnProblem.B] = Math.max(2, d[RnnProblem.B]);
    RnnProblem p =
        RnnProblem.of(
            new Spec(act, Weights.CONTRACTIVE, Loss.LAST, r.nextBoolean(), true), d, seed);
    String ctx = "seed=" + seed + " " + p;
    ElmanRnn rnn = p.rnn();
    int steps = p.steps, batch = p.batch;
    RnnWorkspace ws = p.workspace();
    SequenceShape fewerSteps = SequenceShape.steps(steps - 1).batch(batch);
    SequenceShape fewerSeqs = SequenceShape.steps(steps).batch(batch - 1);

    // Before any forward.
    expectNothingWritten(ctx + ": backward before forward", p, ws, p.sequence());
    // After a forward of the full shape: backward of a smaller shape.
    rnn.forward(p.params, p.sequence(), ws);
    expectNothingWritten(
        ctx + ": forward " + p.shape() + ", backward " + fewerSteps, p, ws, smaller(p, fewerSteps));
    expectNothingWritten(
        ctx + ": forward " + p.shape() + ", backward " + fewerSeqs, p, ws, smaller(p, fewerSeqs));
    // After a forward of a smaller shape: backward of the full shape, and of the other smaller one.
    rnn.forward(p.params, smaller(p, fewerSteps), ws);
    expectNothingWritten(
        ctx + ": forward " + fewerSteps + ", backward " + p.shape(), p, ws, p.sequence());
    expectNothingWritten(
        ctx + ": forward " + fewerSteps + ", backward " + fewerSeqs, p, ws, smaller(p, fewerSeqs));
    // The matching pair goes through.
    rnn.forward(p.params, p.sequence(), ws);
    float[] grads = p.grads0.clone();
    rnn.backward(p.params, grads, p.sequence(), ws);
    assertNotNull(
        Bits.same("grads", grads, p.grads0), ctx + ": the matching backward wrote no gradient");
  }

  /**
   * p's input (its first rows) and initial state cut to a smaller shape, a loss at the last step.
   */
  private static SequenceBatch smaller(RnnProblem p, SequenceShape s) {
    int w = p.layout.stepOutputSize();
    SequenceBatch seq =
        new SequenceBatch(p.rnn(), s)
            .input(p.x, p.xOff)
            .losses(LossSteps.lastStep())
            .upstream(Arrays.copyOfRange(p.up, p.upOff, p.upOff + s.batch() * w));
    return p.h0 == null ? seq : seq.initialState(p.h0, p.h0Off);
  }

  private static void expectNothingWritten(
      String what, RnnProblem p, RnnWorkspace ws, SequenceBatch seq) {
    int bh = seq.shape().batch() * p.layout.hiddenSize(), steps = seq.shape().steps();
    float[] grads = p.grads0.clone();
    float[] dh0 = RnnHarness.canaries(bh + RnnProblem.TAIL);
    float[] traceDh = RnnHarness.canaries(steps + RnnProblem.TAIL);
    float[] traceDelta = RnnHarness.canaries(steps + RnnProblem.TAIL);
    float[] delta = ws.delta().clone(), hidden = ws.hidden().clone();
    seq.initialStateGradient(dh0, 0).traceDh(traceDh).traceDelta(traceDelta);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> p.rnn().backward(p.params, grads, seq, ws), what);
    assertNotNull(e.getMessage(), what);
    assertTrue(e.getMessage().contains("forward"), what + ": " + e.getMessage());
    assertNull(
        Bits.first(
            Bits.same("grads", grads, p.grads0),
            RnnHarness.canariesOutside("dh0", dh0, 0, 0),
            RnnHarness.canariesOutside("traceDh", traceDh, 0, 0),
            RnnHarness.canariesOutside("traceDelta", traceDelta, 0, 0),
            Bits.same("ws.delta", ws.delta(), delta),
            Bits.same("ws.hidden", ws.hidden(), hidden)),
        what);
  }
}
