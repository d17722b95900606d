package dev.bptt.verify.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.ExplosionMonitor;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.NonFiniteGradientException;
import dev.bptt.kernel.clip.NonFinitePolicy;
import dev.bptt.kernel.clip.NormType;
import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.rnn.BatchThreads;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RecurrentNetwork;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackLayout;
import dev.bptt.kernel.rnn.StackedRnn;
import dev.bptt.kernel.training.Adam;
import dev.bptt.kernel.training.LrSchedule;
import dev.bptt.kernel.training.MseLoss;
import dev.bptt.kernel.training.Optimizer;
import dev.bptt.kernel.training.OptimizerState;
import dev.bptt.kernel.training.RmsProp;
import dev.bptt.kernel.training.Sgd;
import dev.bptt.kernel.training.Trainer;
import dev.bptt.kernel.training.Trainer.Clip;
import dev.bptt.verify.AllocationSites;
import dev.bptt.verify.Seeds;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Trainer}: every step is bitwise the documented sequence written out by hand with the
 * public pieces (BpttRunner, GradientClipper, Optimizer, LrSchedule), for an Elman RNN, a stacked
 * Elman RNN, an LSTM and a GRU (with and without layer normalization), under several strategies,
 * optimizers, schedules, clip kinds, gradient scaling, masking and a thread team; the explosion
 * check skips an update without writing θ or the optimizer state; the histories hold what the steps
 * returned; bad arguments are refused before anything is written. And {@link
 * StackedRnn#initialParameters}: the documented draws in flat order, the bound 1/√H, γ = 1 and β =
 * 0 with layer normalization, and the moments of U(−b, b) within six standard errors.
 *
 * <p>Seeds come from {@link Seeds} ({@code -Dprop.seed}); every message names its seed.
 */
class TrainerTest {
  private static final int T = 5;
  private static final int B = 3;
  private static final int STEPS = 6;

  enum Kind {
    ELMAN,
    STACKED_ELMAN,
    LSTM,
    GRU
  }

  static Stream<Arguments> cases() {
    return Seeds.fewSeeds()
        .boxed()
        .flatMap(s -> Arrays.stream(Kind.values()).map(k -> Arguments.of(k, s)));
  }

  // ------------------------------------------------------------------ fixtures

  private static float[] uniform(SplittableRandom r, int n, float scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (scale * (2 * r.nextDouble() - 1));
    }
    return a;
  }

  private static TensorGroup tensors(RecurrentNetwork net, float[] array) {
    if (net instanceof ElmanRnn e) {
      return e.layout().tensors(array);
    }
    return ((StackedRnn) net).layout().tensors(array);
  }

  private static TensorView named(TensorGroup g, String name) {
    for (TensorView v : g.views()) {
      if (v.name().equals(name)) {
        return v;
      }
    }
    throw new AssertionError("no view " + name + " in " + g);
  }

  /** A network, its initial parameters and STEPS batches of inputs and MSE targets. */
  private static final class Problem {
    final Kind kind;
    final long seed;
    final RecurrentNetwork net;
    final float[] params0;
    final SequenceShape shape = SequenceShape.steps(T).batch(B);
    final LossSteps losses;
    final float[] s0;
    final float[][] xs;
    final float[][] targets;
    final String[] maskNames;

    Problem(Kind kind, long seed) {
      this.kind = kind;
      this.seed = seed;
      SplittableRandom r = new SplittableRandom(seed);
      net =
          switch (kind) {
            case ELMAN -> new ElmanRnn(new RnnLayout(3, 5, 2), Activation.TANH);
            case STACKED_ELMAN ->
                StackedRnn.elman(3, 4, Activation.TANH).withLayers(2).withLayerNorm();
            case LSTM -> StackedRnn.lstm(3, 4).withLayers(2).withReadout(2);
            case GRU -> StackedRnn.gru(3, 5).withReadout(1).withLayerNorm();
          };
      params0 =
          net instanceof StackedRnn s
              ? s.initialParameters(r)
              : uniform(r, net.parameterCount(), 0.5f);
      losses = r.nextBoolean() ? LossSteps.everyStep() : LossSteps.lastStep();
      s0 = uniform(r, B * net.stateSize(), 0.5f);
      xs = new float[STEPS][];
      targets = new float[STEPS][];
      for (int i = 0; i < STEPS; i++) {
        xs[i] = uniform(r, T * B * net.inputSize(), 1f);
        targets[i] = uniform(r, losses.count(T) * B * net.stepOutputSize(), 1f);
      }
      maskNames =
          net instanceof ElmanRnn
              ? new String[] {"b_h", "W_hh"}
              : new String[] {"bias_hh_l0", "weight_ih_l0"};
    }

    Batch batch() {
      return new Batch(this, shape);
    }

    String what() {
      return "seed=" + seed + " " + kind + " (" + net + ", " + losses + ")";
    }
  }

  /** A sequence batch over its own input and target buffers, refilled per step. */
  private static final class Batch {
    final float[] x;
    final float[] target;
    final SequenceBatch seq;

    Batch(Problem p, SequenceShape shape) {
      RecurrentNetwork net = p.net;
      x = new float[shape.steps() * shape.batch() * net.inputSize()];
      target = new float[p.losses.count(shape.steps()) * shape.batch() * net.stepOutputSize()];
      seq =
          new SequenceBatch(net, shape)
              .input(x)
              .losses(p.losses)
              .loss(
                  MseLoss.of()
                      .stepLoss(
                          p.losses, shape.steps(), shape.batch(), net.stepOutputSize(), target, 0));
      if (shape.batch() == B) {
        seq.initialState(p.s0);
      }
    }

    Batch load(Problem p, int i) {
      System.arraycopy(p.xs[i], 0, x, 0, x.length);
      System.arraycopy(p.targets[i], 0, target, 0, target.length);
      return this;
    }

    /** Batch i with its first input NaN: the loss and every gradient entry become NaN. */
    Batch loadNaN(Problem p, int i) {
      load(p, i);
      x[0] = Float.NaN;
      return this;
    }

    /** Batch i with its targets multiplied by f (a gradient about f times larger). */
    Batch loadScaledTargets(Problem p, int i, float f) {
      load(p, i);
      for (int k = 0; k < target.length; k++) {
        target[k] *= f;
      }
      return this;
    }
  }

  /** One configuration, applied alike to a Trainer and to the hand-written loop. */
  private record Setup(
      String name,
      Supplier<BpttStrategy> strategy,
      Optimizer optimizer,
      LrSchedule schedule, // null: the builder's default (the optimizer's constant rate)
      Clip clip, // NONE: clip(...) not called
      GradientClipper clipper,
      double threshold,
      double scale, // 1: gradientScale(...) not called
      boolean mask,
      boolean frozenStayPut, // no decay: masked parameters never move
      boolean team) {}

  private static List<Setup> setups() {
    GradientClipper pytorch = GradientClipper.of(ClipRule.PYTORCH);
    return List.of(
        new Setup(
            "Adam, global-norm clip 1e-3, cosine schedule, full",
            BpttStrategy::full,
            Adam.of(1e-2),
            LrSchedule.cosine(1e-2, 4, 1e-4),
            Clip.GLOBAL_NORM,
            pytorch,
            1e-3,
            1,
            false,
            false,
            false),
        new Setup(
            "SGD Nesterov momentum + weight decay, value clip, step schedule, truncated(2)",
            () -> BpttStrategy.truncated(2),
            Sgd.of(0.05).withMomentum(0.9).withNesterov(true).withWeightDecay(1e-3),
            LrSchedule.step(0.05, 2, 0.5),
            Clip.VALUE,
            pytorch,
            0.01,
            1,
            false,
            false,
            false),
        new Setup(
            "centered RMSprop, gradient scale 3, mask, per-view clip (strict), linear warm-up,"
                + " checkpointed",
            BpttStrategy::checkpointed,
            RmsProp.of(1e-3).withCentered(true),
            LrSchedule.linear(1e-3, 0.25, 1, 3),
            Clip.PER_VIEW,
            GradientClipper.of(ClipRule.STRICT),
            0.02,
            3,
            true,
            true,
            false),
        new Setup(
            "AdamW amsgrad, adaptive clip, exponential schedule, checkpointed(2), team of 2",
            () -> BpttStrategy.checkpointed(2),
            Adam.adamW(1e-3).withAmsgrad(true),
            LrSchedule.exponential(1e-3, 0.9),
            Clip.ADAPTIVE,
            pytorch.withNonFinitePolicy(NonFinitePolicy.PROPAGATE),
            0.01,
            1,
            false,
            false,
            true),
        new Setup(
            "plain SGD, defaults (no clip, constant rate), gradient scale 1/1024, mask",
            BpttStrategy::full,
            Sgd.of(0.1),
            null,
            Clip.NONE,
            null,
            0,
            0x1p-10,
            true,
            true,
            false));
  }

  private static Trainer.Builder builder(Problem p, Setup s, float[] params, BatchThreads team) {
    Trainer.Builder b =
        Trainer.builder(p.net, params, s.optimizer())
            .shape(p.shape)
            .strategy(s.strategy().get())
            .history(STEPS);
    if (team != null) {
      b.threads(team);
    }
    if (s.schedule() != null) {
      b.schedule(s.schedule());
    }
    if (s.clip() != Clip.NONE) {
      b.clip(s.clip(), s.clipper(), s.threshold());
    }
    if (s.scale() != 1) {
      b.gradientScale(s.scale());
    }
    if (s.mask()) {
      b.mask(p.maskNames);
    }
    return b;
  }

  /** The step of the Trainer's class comment, written out with the public pieces. */
  private static final class Hand {
    final Setup s;
    final float[] params;
    final float[] grads;
    final BpttStrategy strategy;
    final BpttRunner runner;
    final BpttWorkspace ws;
    final OptimizerState state;
    final TensorGroup gradViews;
    final TensorGroup paramViews;
    final TensorView[] masked;
    final ClipResult result = new ClipResult();
    int i;
    int clipEvents;
    double norm;
    boolean clipped;

    Hand(Problem p, Setup s, float[] params) {
      this.s = s;
      this.params = params;
      this.grads = new float[p.net.parameterCount()];
      this.strategy = s.strategy().get();
      this.runner = new BpttRunner(p.net);
      this.ws = new BpttWorkspace(p.net, p.shape, strategy);
      this.state = s.optimizer().newState(p.net.parameterCount());
      this.gradViews = tensors(p.net, grads);
      this.paramViews = tensors(p.net, params);
      String[] names = s.mask() ? p.maskNames : new String[0];
      this.masked = new TensorView[names.length];
      for (int k = 0; k < names.length; k++) {
        masked[k] = named(gradViews, names[k]);
      }
    }

    double step(SequenceBatch seq) {
      Arrays.fill(grads, 0f);
      double loss = runner.run(strategy, params, grads, seq, ws);
      float scale = (float) s.scale();
      if (scale != 1f) {
        for (int k = 0; k < grads.length; k++) {
          grads[k] *= scale;
        }
      }
      for (TensorView v : masked) {
        Arrays.fill(grads, v.offset(), v.offset() + v.length(), 0f);
      }
      norm = GradientClipper.totalNorm(gradViews, NormType.L2);
      GradientClipper c = s.clipper();
      clipped =
          switch (s.clip()) {
            case NONE -> false;
            case GLOBAL_NORM -> c.clipGlobalNorm(gradViews, s.threshold(), result).clipped();
            case PER_VIEW -> c.clipPerView(gradViews, s.threshold(), result).clipped();
            case VALUE -> c.clipValue(gradViews, (float) s.threshold(), result).clipped();
            case ADAPTIVE -> c.clipAdaptive(gradViews, paramViews, s.threshold(), result).clipped();
          };
      clipEvents += clipped ? 1 : 0;
      if (s.schedule() == null) {
        s.optimizer().step(params, grads, state);
      } else {
        s.optimizer().step(params, grads, state, s.schedule().lr(i));
      }
      i++;
      return loss;
    }
  }

  /** Bitwise equality (raw bits: NaN payloads and the sign of zero count), first index named. */
  private static void sameBits(float[] want, float[] got, String what) {
    assertEquals(want.length, got.length, what + ": length");
    for (int k = 0; k < want.length; k++) {
      if (Float.floatToRawIntBits(want[k]) != Float.floatToRawIntBits(got[k])) {
        fail(what + ": [" + k + "] is " + got[k] + ", expected " + want[k] + " (bitwise)");
      }
    }
  }

  private static void sameState(OptimizerState want, OptimizerState got, String what) {
    assertEquals(want.step(), got.step(), what + ": optimizer t");
    assertEquals(want.bufferNames(), got.bufferNames(), what + ": buffers");
    for (int k = 0; k < want.bufferCount(); k++) {
      sameBits(want.buffer(k), got.buffer(k), what + ": " + want.bufferName(k));
    }
  }

  private static float[][] buffers(OptimizerState s) {
    float[][] b = new float[s.bufferCount()][];
    for (int k = 0; k < b.length; k++) {
      b[k] = s.buffer(k).clone();
    }
    return b;
  }

  private static void sameBuffers(float[][] want, OptimizerState got, String what) {
    for (int k = 0; k < want.length; k++) {
      sameBits(want[k], got.buffer(k), what + ": " + got.bufferName(k));
    }
  }

  // ------------------------------------------------------------------ equivalence

  @ParameterizedTest(name = "{0} seed={1}")
  @MethodSource("cases")
  void stepsAreBitwiseTheHandWrittenLoop(Kind kind, long seed) {
    Problem p = new Problem(kind, seed);
    for (Setup s : setups()) {
      String what = p.what() + " [" + s.name() + "]";
      float[] tp = p.params0.clone();
      float[] hp = p.params0.clone();
      BatchThreads team = s.team() ? BatchThreads.start(2) : null;
      try {
        Trainer t = builder(p, s, tp, team).build();
        assertSame(tp, t.params(), what + ": params() is the caller's array");
        Hand h = new Hand(p, s, hp);
        Batch tb = p.batch();
        Batch hb = p.batch();
        for (int i = 0; i < STEPS; i++) {
          String at = what + " step " + i;
          double got = t.step(tb.load(p, i).seq);
          double want = h.step(hb.load(p, i).seq);
          assertTrue(Double.isFinite(want) && want > 0, at + ": loss " + want);
          assertEquals(0, Double.compare(want, got), at + ": loss " + got + ", by hand " + want);
          assertEquals(0, Double.compare(got, t.lastLoss()), at + ": lastLoss()");
          assertEquals(
              0,
              Double.compare(h.norm, t.lastNorm()),
              at + ": pre-clip norm " + t.lastNorm() + ", by hand " + h.norm);
          sameBits(h.grads, t.grads(), at + ": g");
          sameBits(hp, tp, at + ": θ");
          sameState(h.state, t.state(), at);
          assertEquals(h.clipped ? Trainer.CLIPPED : 0, t.flags(i), at + ": flags");
          assertEquals(h.clipEvents, t.clipEvents(), at + ": clipEvents()");
          assertEquals(i + 1, t.steps(), at + ": steps()");
          assertEquals(0, t.skippedSteps(), at + ": skippedSteps()");
        }
        assertFalse(Arrays.equals(tp, p.params0), what + ": θ never moved");
        if (s.clip() == Clip.GLOBAL_NORM) {
          assertTrue(t.clipEvents() > 0, what + ": a global-norm clip at 1e-3 never clipped");
        }
        if (s.frozenStayPut()) {
          TensorGroup before = tensors(p.net, p.params0);
          for (String name : p.maskNames) {
            TensorView v = named(before, name);
            sameBits(
                Arrays.copyOfRange(p.params0, v.offset(), v.offset() + v.length()),
                Arrays.copyOfRange(tp, v.offset(), v.offset() + v.length()),
                what + ": masked view " + name + " moved");
          }
        }
      } finally {
        if (team != null) {
          team.close();
        }
      }
    }
  }

  // ------------------------------------------------------------------ explosion check

  /** A schedule that records the indices it is asked for. */
  private static LrSchedule recording(List<Integer> asked, double lr) {
    return e -> {
      asked.add(e);
      return lr;
    };
  }

  @ParameterizedTest(name = "{0} seed={1}")
  @MethodSource("cases")
  void monitorSkipsANonFiniteStepWithoutWriting(Kind kind, long seed) {
    Problem p = new Problem(kind, seed);
    String what = p.what();
    float[] params = p.params0.clone();
    ExplosionMonitor m = new ExplosionMonitor();
    List<Integer> asked = new ArrayList<>();
    Trainer t =
        Trainer.builder(p.net, params, Sgd.of(0.05).withMomentum(0.5))
            .shape(p.shape)
            .schedule(recording(asked, 0.05))
            .monitor(m, true)
            .clip(Clip.GLOBAL_NORM, GradientClipper.of(ClipRule.PYTORCH), 1.0)
            .history(8)
            .build();
    Batch b = p.batch();
    double first = t.step(b.load(p, 0).seq);
    assertEquals(0, t.flags(0) & ~Trainer.CLIPPED, what + ": flags of a finite first step");
    int clips = t.clipEvents();
    float[] theta = params.clone();
    float[][] buf = buffers(t.state());

    double loss = t.step(b.loadNaN(p, 1).seq);
    assertTrue(Double.isNaN(loss), what + ": loss of a NaN input " + loss);
    assertTrue(Double.isNaN(t.lastNorm()), what + ": norm of a NaN gradient " + t.lastNorm());
    assertEquals(Trainer.SKIPPED | Trainer.NON_FINITE, t.flags(1), what + ": flags");
    sameBits(theta, params, what + ": θ after a skipped step");
    sameBuffers(buf, t.state(), what + " after a skipped step");
    assertEquals(1, t.state().step(), what + ": optimizer t after a skipped step");
    assertEquals(2, t.steps(), what + ": steps()");
    assertEquals(1, t.skippedSteps(), what + ": skippedSteps()");
    assertEquals(clips, t.clipEvents(), what + ": a skipped step clipped");
    assertEquals(1, m.nonFiniteCount(), what + ": monitor non-finite count");
    assertEquals(2, m.steps(), what + ": monitor steps");
    assertEquals(ExplosionMonitor.Status.NON_FINITE, m.lastStatus(), what);
    assertTrue(Float.isNaN(t.loss(1)) && Float.isNaN(t.norm(1)), what + ": NaN histories");
    assertEquals(0, Double.compare((float) first, t.loss(0)), what + ": loss(0)");

    t.step(b.load(p, 2).seq);
    assertEquals(0, t.flags(2) & ~Trainer.CLIPPED, what + ": flags after recovery");
    assertFalse(Arrays.equals(theta, params), what + ": θ did not move after recovery");
    assertEquals(2, t.state().step(), what + ": optimizer t");
    assertEquals(List.of(0, 2), asked, what + ": schedule indices (the call index, skips count)");
    assertEquals(1, t.skippedSteps(), what);
  }

  @ParameterizedTest(name = "{0} seed={1}")
  @MethodSource("cases")
  void monitorSkipsASpikeOnlyWhenAskedTo(Kind kind, long seed) {
    Problem p = new Problem(kind, seed);
    for (boolean skip : new boolean[] {true, false}) {
      String what = p.what() + " skip=" + skip;
      float[] params = p.params0.clone();
      ExplosionMonitor m = new ExplosionMonitor(2, 100, 1, 16);
      Trainer t =
          Trainer.builder(p.net, params, Adam.of(1e-2))
              .shape(p.shape)
              .monitor(m, skip)
              .history(3)
              .build();
      Batch b = p.batch();
      t.step(b.load(p, 0).seq);
      float[] theta = params.clone();
      float[][] buf = buffers(t.state());
      t.step(b.loadScaledTargets(p, 1, 1e4f).seq);
      assertEquals(ExplosionMonitor.Status.SPIKE, m.lastStatus(), what + ": " + m);
      assertTrue(Double.isFinite(t.lastNorm()), what + ": norm " + t.lastNorm());
      if (skip) {
        assertEquals(Trainer.SKIPPED, t.flags(1), what + ": flags of a spike");
        sameBits(theta, params, what + ": θ after a skipped spike");
        sameBuffers(buf, t.state(), what + " after a skipped spike");
        assertEquals(1, t.state().step(), what + ": optimizer t");
        assertEquals(1, t.skippedSteps(), what);
      } else {
        assertEquals(0, t.flags(1), what + ": flags of a spike not skipped");
        assertFalse(Arrays.equals(theta, params), what + ": θ did not move");
        assertEquals(2, t.state().step(), what + ": optimizer t");
        assertEquals(0, t.skippedSteps(), what);
      }
      t.step(b.load(p, 2).seq);
      assertEquals(0, t.flags(2), what + ": flags after the spike");
      assertEquals(1, m.spikeCount(), what + ": spikes");
      assertEquals(3, t.steps(), what);
    }
  }

  @Test
  void withoutCheckOrClipANonFiniteGradientReachesTheta() {
    Problem p = new Problem(Kind.LSTM, Seeds.base());
    float[] params = p.params0.clone();
    Trainer t = Trainer.builder(p.net, params, Sgd.of(0.1)).shape(p.shape).history(1).build();
    t.step(p.batch().loadNaN(p, 0).seq);
    assertEquals(Trainer.NON_FINITE, t.flags(0), p.what());
    boolean nan = false;
    for (float v : params) {
      nan |= Float.isNaN(v);
    }
    assertTrue(nan, p.what() + ": θ stayed finite after a NaN gradient reached the optimizer");
    assertEquals(1, t.state().step(), p.what());
  }

  @Test
  void aThrowingClipperWritesNothingAndTheStepIsNotCounted() {
    Problem p = new Problem(Kind.GRU, Seeds.base());
    String what = p.what();
    float[] params = p.params0.clone();
    List<Integer> asked = new ArrayList<>();
    Trainer t =
        Trainer.builder(p.net, params, Adam.of(1e-2))
            .shape(p.shape)
            .schedule(recording(asked, 1e-2))
            .clip(Clip.GLOBAL_NORM, GradientClipper.of(ClipRule.PYTORCH), 1.0) // THROW default
            .history(4)
            .build();
    Batch b = p.batch();
    double first = t.step(b.load(p, 0).seq);
    float[] theta = params.clone();
    float[][] buf = buffers(t.state());
    assertThrows(NonFiniteGradientException.class, () -> t.step(b.loadNaN(p, 1).seq), what);
    sameBits(theta, params, what + ": θ after a refused step");
    sameBuffers(buf, t.state(), what + " after a refused step");
    assertEquals(1, t.state().step(), what);
    assertEquals(1, t.steps(), what + ": a step that threw was counted");
    assertEquals(1, t.recorded(), what);
    assertEquals(0, Double.compare(first, t.lastLoss()), what + ": lastLoss() of a refused step");
    double next = t.step(b.load(p, 2).seq);
    assertEquals(0, Double.compare((float) next, t.loss(1)), what + ": loss(1)");
    assertEquals(List.of(0, 1), asked, what + ": schedule indices");
  }

  @Test
  void aZeroingClipperFreezesTheStep() {
    Problem p = new Problem(Kind.STACKED_ELMAN, Seeds.base());
    float[] params = p.params0.clone();
    Trainer t =
        Trainer.builder(p.net, params, Sgd.of(0.1))
            .shape(p.shape)
            .clip(
                Clip.GLOBAL_NORM,
                GradientClipper.of(ClipRule.PYTORCH).withNonFinitePolicy(NonFinitePolicy.ZERO),
                1.0)
            .history(1)
            .build();
    t.step(p.batch().loadNaN(p, 0).seq);
    assertEquals(Trainer.NON_FINITE, t.flags(0) & Trainer.NON_FINITE, p.what());
    sameBits(new float[params.length], t.grads(), p.what() + ": g after ZERO");
    sameBits(p.params0, params, p.what() + ": θ after a zeroed gradient (plain SGD)");
  }

  /**
   * One step on {@code good}, then one on {@code bad} (made after the first step, as batches share
   * buffers): θ and the optimizer buffers after the second equal those after the first, bitwise.
   *
   * @return the second step's loss
   */
  private static double stepThenSkip(
      Trainer t,
      float[] params,
      SequenceBatch good,
      java.util.function.Supplier<SequenceBatch> bad,
      String what) {
    t.step(good);
    float[] theta = params.clone();
    float[][] buf = buffers(t.state());
    double loss = t.step(bad.get());
    sameBits(theta, params, what + ": θ after the skipped step");
    sameBuffers(buf, t.state(), what + ": optimizer state after the skipped step");
    return loss;
  }

  /**
   * NonFinitePolicy.SKIP: "the caller should skip the optimizer step": the trainer reads {@link
   * ClipResult#skipStep()} and leaves θ and the state as they were, the step flagged SKIPPED.
   */
  @Test
  void aSkippingClipperSkipsTheUpdate() {
    Problem p = new Problem(Kind.LSTM, Seeds.base());
    float[] params = p.params0.clone();
    Trainer t =
        Trainer.builder(p.net, params, Adam.of(1e-2))
            .shape(p.shape)
            .clip(
                Clip.GLOBAL_NORM,
                GradientClipper.of(ClipRule.PYTORCH).withNonFinitePolicy(NonFinitePolicy.SKIP),
                1.0)
            .history(2)
            .build();
    Batch b = p.batch();
    stepThenSkip(t, params, b.load(p, 0).seq, () -> b.loadNaN(p, 1).seq, p.what() + ": SKIP clip");
    assertEquals(1, t.state().step(), p.what());
    assertEquals(Trainer.NON_FINITE | Trainer.SKIPPED, t.flags(1), p.what());
    assertEquals(1, t.skippedSteps(), p.what());
  }

  /**
   * The sequence's own non-finite check under SKIP returns L = NaN with g = 0 (N = 0, which the
   * monitor does not see as non-finite): with skip on, the monitor skips on the non-finite L.
   */
  @Test
  void monitorSkipsAStepWhoseSequenceCheckSkipped() {
    Problem p = new Problem(Kind.GRU, Seeds.base());
    float[] params = p.params0.clone();
    Trainer t =
        Trainer.builder(p.net, params, Adam.of(1e-2))
            .shape(p.shape)
            .monitor(new ExplosionMonitor(), true)
            .history(2)
            .build();
    Batch b = p.batch();
    double loss =
        stepThenSkip(
            t,
            params,
            b.load(p, 0).seq,
            () -> b.loadNaN(p, 1).seq.nonFiniteCheck(NonFinitePolicy.SKIP),
            p.what() + ": skipped sequence");
    assertTrue(Double.isNaN(loss), p.what() + ": L of a skipped sequence " + loss);
    assertEquals(0.0, t.lastNorm(), p.what() + ": N of the runner's untouched g");
    assertEquals(Trainer.NON_FINITE | Trainer.SKIPPED, t.flags(1), p.what());
  }

  // ------------------------------------------------------------------ histories

  @Test
  void historiesHoldWhatTheStepsReturned() {
    Problem p = new Problem(Kind.GRU, Seeds.base());
    String what = p.what();
    Trainer t =
        Trainer.builder(p.net, p.params0.clone(), Adam.of(1e-2))
            .shape(p.shape)
            .clip(Clip.PER_VIEW, GradientClipper.of(ClipRule.PYTORCH), 0.05)
            .history(3)
            .build();
    assertEquals(0, t.recorded(), what);
    assertEquals(0, t.steps(), what);
    assertTrue(Double.isNaN(t.lastLoss()) && Double.isNaN(t.lastNorm()), what + ": before");
    assertThrows(IndexOutOfBoundsException.class, () -> t.loss(0), what);
    double[] loss = new double[5];
    double[] norm = new double[5];
    int[] flags = new int[5];
    Batch b = p.batch();
    for (int i = 0; i < 5; i++) {
      int clips = t.clipEvents();
      loss[i] = t.step(b.load(p, i).seq);
      norm[i] = t.lastNorm();
      flags[i] = t.clipEvents() > clips ? Trainer.CLIPPED : 0;
      assertEquals(Math.min(i + 1, 3), t.recorded(), what + " step " + i);
      assertEquals(0, Double.compare(loss[i], t.lastLoss()), what + " step " + i);
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(
          Float.floatToRawIntBits((float) loss[i]),
          Float.floatToRawIntBits(t.loss(i)),
          what + ": loss(" + i + ") " + t.loss(i) + ", step returned " + loss[i]);
      assertEquals(
          Float.floatToRawIntBits((float) norm[i]),
          Float.floatToRawIntBits(t.norm(i)),
          what + ": norm(" + i + ") " + t.norm(i) + ", lastNorm() was " + norm[i]);
      assertEquals(flags[i], t.flags(i), what + ": flags(" + i + ")");
    }
    for (int bad : new int[] {-1, 3, 4, 5, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
      assertThrows(IndexOutOfBoundsException.class, () -> t.loss(bad), what + " loss " + bad);
      assertThrows(IndexOutOfBoundsException.class, () -> t.norm(bad), what + " norm " + bad);
      assertThrows(IndexOutOfBoundsException.class, () -> t.flags(bad), what + " flags " + bad);
    }
    Trainer none = Trainer.builder(p.net, p.params0.clone(), Sgd.of(0.1)).shape(p.shape).build();
    none.step(b.load(p, 0).seq);
    none.step(b.load(p, 1).seq);
    assertEquals(0, none.recorded(), what + ": default history");
    assertEquals(2, none.steps(), what);
    assertThrows(IndexOutOfBoundsException.class, () -> none.loss(0), what);
    assertThrows(IndexOutOfBoundsException.class, () -> none.flags(0), what);
  }

  // ------------------------------------------------------------------ arguments

  private static void rejects(
      Class<? extends Throwable> type, String word, Executable call, float[] unchanged) {
    float[] before = unchanged.clone();
    Throwable e = assertThrows(type, call, "expected " + type.getSimpleName() + " for " + word);
    assertTrue(
        e.getMessage() != null && e.getMessage().contains(word),
        "message '" + e.getMessage() + "' should name '" + word + "'");
    sameBits(before, unchanged, "params after a refused " + word);
  }

  @Test
  void badArgumentsAreRefusedBeforeAnythingIsWritten() {
    Problem p = new Problem(Kind.LSTM, Seeds.base());
    RecurrentNetwork net = p.net;
    float[] params = p.params0.clone();
    Optimizer o = Adam.of();
    int n = net.parameterCount();
    rejects(NullPointerException.class, "net", () -> Trainer.builder(null, params, o), params);
    rejects(NullPointerException.class, "params", () -> Trainer.builder(net, null, o), params);
    rejects(
        NullPointerException.class, "optimizer", () -> Trainer.builder(net, params, null), params);
    for (int len : new int[] {0, n - 1, n + 1}) {
      float[] wrong = new float[len];
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Trainer.builder(net, wrong, o));
      assertTrue(
          e.getMessage().contains("params")
              && e.getMessage().contains(Integer.toString(len))
              && e.getMessage().contains(Integer.toString(n)),
          "message should name params, " + len + " and " + n + ": " + e.getMessage());
    }

    Trainer.Builder b = Trainer.builder(net, params, o);
    GradientClipper c = GradientClipper.of(ClipRule.PYTORCH);
    for (Clip kind : new Clip[] {Clip.GLOBAL_NORM, Clip.PER_VIEW, Clip.VALUE, Clip.ADAPTIVE}) {
      for (double bad : new double[] {-1, -Double.MIN_VALUE, Double.NaN, -0.5e-300}) {
        rejects(IllegalArgumentException.class, "threshold", () -> b.clip(kind, c, bad), params);
      }
      rejects(NullPointerException.class, "clipper", () -> b.clip(kind, null, 1), params);
      assertSame(b, b.clip(kind, c, Double.POSITIVE_INFINITY), "+∞ is a valid threshold");
      assertSame(b, b.clip(kind, c, 0), "0 is a valid threshold");
    }
    rejects(NullPointerException.class, "kind", () -> b.clip(null, c, 1), params);
    assertSame(b, b.clip(Clip.NONE, null, Double.NaN), "NONE ignores clipper and threshold");

    for (double bad :
        new double[] {
          0,
          -0.0,
          -1,
          Double.NaN,
          Double.POSITIVE_INFINITY,
          Double.NEGATIVE_INFINITY,
          1e-50, // rounds to 0f
          Double.MIN_VALUE,
          1e39, // rounds to +∞f
          Double.MAX_VALUE
        }) {
      rejects(IllegalArgumentException.class, "gradientScale", () -> b.gradientScale(bad), params);
    }
    assertSame(b, b.gradientScale(Float.MIN_VALUE), "the smallest float factor");
    assertSame(b, b.gradientScale(Float.MAX_VALUE), "the largest float factor");

    rejects(IllegalArgumentException.class, "no_such_view", () -> b.mask("no_such_view"), params);
    rejects(
        IllegalArgumentException.class,
        "weight_hh_l7",
        () -> b.mask("bias_hh_l0", "weight_hh_l7"),
        params);
    rejects(NullPointerException.class, "viewNames", () -> b.mask((String[]) null), params);
    rejects(NullPointerException.class, "viewNames[1]", () -> b.mask("bias_hh_l0", null), params);
    assertSame(b, b.mask(), "an empty mask");

    rejects(IllegalArgumentException.class, "history", () -> b.history(-1), params);
    rejects(IllegalArgumentException.class, "history", () -> b.history(Integer.MIN_VALUE), params);
    rejects(NullPointerException.class, "shape", () -> b.shape(null), params);
    rejects(NullPointerException.class, "strategy", () -> b.strategy(null), params);
    rejects(NullPointerException.class, "schedule", () -> b.schedule(null), params);
    rejects(NullPointerException.class, "monitor", () -> b.monitor(null, true), params);
    assertSame(b, b.threads(null), "threads(null): the caller's thread");
    rejects(IllegalStateException.class, "shape", b::build, params);

    Trainer t = b.shape(p.shape).build();
    rejects(NullPointerException.class, "seq", () -> t.step(null), params);
    assertEquals(0, t.steps());
    assertEquals(0, t.state().step());
  }

  @ParameterizedTest(name = "{0} seed={1}")
  @MethodSource("cases")
  void aBatchThatDoesNotFitIsRefusedWithNothingWritten(Kind kind, long seed) {
    Problem p = new Problem(kind, seed);
    String what = p.what();
    float[] params = p.params0.clone();
    Trainer t =
        Trainer.builder(p.net, params, Adam.of(1e-2).withAmsgrad(true))
            .shape(p.shape)
            .strategy(BpttStrategy.checkpointed())
            .clip(Clip.GLOBAL_NORM, GradientClipper.of(ClipRule.PYTORCH), 0.1)
            .monitor(new ExplosionMonitor(), true)
            .history(4)
            .build();
    double first = t.step(p.batch().load(p, 0).seq);
    float[] theta = params.clone();
    float[][] buf = buffers(t.state());
    RecurrentNetwork other = new ElmanRnn(new RnnLayout(3, 6, 1), Activation.TANH);
    List<SequenceBatch> bad =
        List.of(
            new Batch(p, SequenceShape.steps(T + 1).batch(B)).seq,
            new Batch(p, SequenceShape.steps(T).batch(B + 1)).seq,
            new Batch(p, SequenceShape.steps(2 * T).batch(2 * B)).seq,
            new SequenceBatch(other, p.shape)
                .input(new float[T * B * 3])
                .upstream(new float[T * B]));
    for (SequenceBatch seq : bad) {
      String at = what + " batch " + seq.shape() + " of " + seq.network();
      assertThrows(IllegalArgumentException.class, () -> t.step(seq), at);
      sameBits(theta, params, at + ": θ");
      sameBuffers(buf, t.state(), at);
      assertEquals(1, t.state().step(), at + ": optimizer t");
      assertEquals(1, t.steps(), at + ": steps()");
      assertEquals(1, t.recorded(), at + ": recorded()");
      assertEquals(0, Double.compare(first, t.lastLoss()), at + ": lastLoss()");
    }
    // a smaller batch fits the capacity
    SequenceBatch smaller = new Batch(p, SequenceShape.steps(T - 1).batch(B - 1)).seq;
    double loss = t.step(smaller);
    assertTrue(Double.isFinite(loss), what + ": loss of a smaller batch " + loss);
    assertEquals(2, t.steps(), what);
  }

  /**
   * {@link Trainer#grads()} is "g of the last step"; today a refused step zeroes it first (the
   * trainer fills g with 0 before BpttRunner checks the batch), so g of the last step is lost.
   */
  @Test
  void aRefusedStepKeepsTheLastGradient() {
    Problem p = new Problem(Kind.LSTM, Seeds.base());
    Trainer t = Trainer.builder(p.net, p.params0.clone(), Sgd.of(0.1)).shape(p.shape).build();
    t.step(p.batch().load(p, 0).seq);
    float[] g = t.grads().clone();
    SequenceBatch longer = new Batch(p, SequenceShape.steps(T + 1).batch(B)).seq;
    assertThrows(IllegalArgumentException.class, () -> t.step(longer));
    sameBits(g, t.grads(), p.what() + ": grads() after a refused step");
  }

  // ------------------------------------------------------------------ allocation

  @Test
  void stepsAllocateNothingAfterBuild() {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    assumeTrue(
        mx instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported(),
        "per-thread allocation counter not available on this JVM");
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) mx;
    threads.setThreadAllocatedMemoryEnabled(true);
    Problem p = new Problem(Kind.LSTM, Seeds.base());
    float[] params = p.params0.clone();
    Trainer t =
        Trainer.builder(p.net, params, Adam.of(1e-4))
            .shape(p.shape)
            .schedule(LrSchedule.cosine(1e-4, 50, 0))
            .clip(Clip.GLOBAL_NORM, GradientClipper.of(ClipRule.PYTORCH), 0.5)
            .monitor(new ExplosionMonitor(), true)
            .gradientScale(0.5)
            .mask(p.maskNames)
            .history(16)
            .build();
    Batch b = p.batch().load(p, 0);
    // At least 300 rounds and up to a minute: C2's one compiler thread can take seconds to reach
    // the step's kernels after the earlier tests, and until then they run C1 code that boxes.
    long[] perRound = new long[300];
    long deadline = System.nanoTime() + 60_000_000_000L;
    for (int round = 0; round < perRound.length || System.nanoTime() < deadline; round++) {
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 100; i++) {
        t.step(b.seq);
      }
      long bytes = threads.getCurrentThreadAllocatedBytes() - before;
      if (bytes == 0) {
        return;
      }
      perRound[Math.min(round, perRound.length - 1)] = bytes;
    }
    String sites =
        AllocationSites.of(
            () -> {
              for (int i = 0; i < 2000; i++) {
                t.step(b.seq);
              }
            },
            8);
    fail(
        "every round of 100 trainer steps allocated; bytes per round (the last: the latest round): "
            + Arrays.toString(perRound)
            + "\nallocation sites sampled over 2000 more steps:"
            + sites);
  }

  // ------------------------------------------------------------------ initialParameters

  private static List<StackedRnn> stacks() {
    return List.of(
        StackedRnn.lstm(3, 4),
        StackedRnn.lstm(5, 16).withLayers(2).withReadout(3),
        StackedRnn.lstm(2, 3).withLayers(2).withLayerNorm().withReadout(1),
        StackedRnn.gru(2, 7).withLayerNorm(),
        StackedRnn.gru(4, 1).withLayers(3),
        StackedRnn.elman(3, 9, Activation.TANH).withLayers(2).withLayerNorm().withReadout(2),
        StackedRnn.elman(1, 2, Activation.RELU).withReadout(4));
  }

  /** Marks the layer-norm entries: 1 for γ, 2 for β, 0 for the drawn ones. */
  private static byte[] layerNormEntries(StackLayout l) {
    byte[] ln = new byte[l.size()];
    float[] probe = new float[l.size()];
    for (int k = 0; k < l.layers(); k++) {
      TensorView g = l.layerNormWeight(k, probe);
      TensorView b = l.layerNormBias(k, probe);
      Arrays.fill(ln, g.offset(), g.offset() + g.length(), (byte) 1);
      Arrays.fill(ln, b.offset(), b.offset() + b.length(), (byte) 2);
    }
    return ln;
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void initialParametersAreTheDocumentedDraws(long seed) {
    for (StackedRnn net : stacks()) {
      String what = "seed=" + seed + " " + net;
      StackLayout l = net.layout();
      SplittableRandom rng = new SplittableRandom(seed);
      float[] p = net.initialParameters(rng);
      assertNotNull(p, what);
      assertEquals(net.parameterCount(), p.length, what + ": length");
      double bound = 1 / Math.sqrt(l.hiddenSize());
      float fBound = (float) bound; // the bound, rounded like the draws
      byte[] ln = layerNormEntries(l);
      SplittableRandom replay = new SplittableRandom(seed);
      int drawn = 0;
      for (int i = 0; i < p.length; i++) {
        float want = (float) (bound * (2 * replay.nextDouble() - 1));
        if (ln[i] == 1) {
          want = 1f;
        } else if (ln[i] == 2) {
          want = 0f;
        } else {
          drawn++;
          assertTrue(
              Math.abs(p[i]) <= fBound,
              what + ": |θ[" + i + "]| = " + Math.abs(p[i]) + " > 1/√H = " + bound);
        }
        if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(p[i])) {
          fail(what + ": θ[" + i + "] = " + p[i] + ", the documented draw gives " + want);
        }
      }
      assertTrue(drawn > 0, what);
      assertEquals(
          0,
          Double.compare(replay.nextDouble(), rng.nextDouble()),
          what + ": the rng did not advance by exactly one draw per entry");
      if (net.layerNorm()) {
        for (int k = 0; k < l.layers(); k++) {
          TensorView g = l.layerNormWeight(k, p);
          TensorView b = l.layerNormBias(k, p);
          assertTrue(g.length() > 0 && b.length() > 0, what);
          for (int i = 0; i < g.length(); i++) {
            assertEquals(
                Float.floatToRawIntBits(1f),
                Float.floatToRawIntBits(p[g.offset() + i]),
                what + ": " + g.name() + "[" + i + "]");
            assertEquals(
                Float.floatToRawIntBits(0f),
                Float.floatToRawIntBits(p[b.offset() + i]),
                what + ": " + b.name() + "[" + i + "] (+0)");
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void initialParametersAreDeterministicPerSeed(long seed) {
    for (StackedRnn net : stacks()) {
      String what = "seed=" + seed + " " + net;
      float[] a = net.initialParameters(new SplittableRandom(seed));
      float[] b = net.initialParameters(new SplittableRandom(seed));
      sameBits(a, b, what + ": same seed");
      float[] c = net.initialParameters(new SplittableRandom(seed + 0x9E3779B97F4A7C15L));
      assertFalse(Arrays.equals(a, c), what + ": two seeds gave the same parameters");
      SplittableRandom shared = new SplittableRandom(seed);
      float[] first = net.initialParameters(shared);
      float[] second = net.initialParameters(shared);
      assertFalse(Arrays.equals(first, second), what + ": a second call drew the same values");
    }
    NullPointerException e =
        assertThrows(
            NullPointerException.class, () -> StackedRnn.gru(2, 3).initialParameters(null));
    assertTrue(e.getMessage() != null && e.getMessage().contains("rng"), e.getMessage());
  }

  /**
   * The moments of the drawn entries against U(−b, b), b = 1/√H: for n draws the sample mean has
   * standard error b/√(3n), the mean of squares has mean b²/3 and standard error b²·√(4/45)/√n
   * (E[x⁴] = b⁴/5). Six standard errors: a false alarm about once in 10⁹ per check.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void initialParametersHaveTheMomentsOfTheUniform(long seed) {
    for (StackedRnn net :
        List.of(
            StackedRnn.lstm(16, 64).withLayers(2).withReadout(8),
            StackedRnn.gru(8, 9).withLayers(3).withLayerNorm(),
            StackedRnn.elman(20, 100, Activation.TANH).withReadout(5))) {
      String what = "seed=" + seed + " " + net;
      float[] p = net.initialParameters(new SplittableRandom(seed));
      byte[] ln = layerNormEntries(net.layout());
      double b = 1 / Math.sqrt(net.layout().hiddenSize());
      double sum = 0;
      double sumSq = 0;
      int n = 0;
      for (int i = 0; i < p.length; i++) {
        if (ln[i] == 0) {
          sum += p[i];
          sumSq += (double) p[i] * p[i];
          n++;
        }
      }
      double mean = sum / n;
      double meanSq = sumSq / n;
      double seMean = b / Math.sqrt(3.0 * n);
      double seSq = b * b * Math.sqrt(4.0 / 45) / Math.sqrt(n);
      double rounding = b * b * 0x1p-22; // the float rounding of the draws
      assertTrue(
          Math.abs(mean) <= 6 * seMean,
          what + ": mean " + mean + " over " + n + " draws, 6 SE = " + 6 * seMean);
      assertTrue(
          Math.abs(meanSq - b * b / 3) <= 6 * seSq + rounding,
          what
              + ": mean square "
              + meanSq
              + ", U(−b, b) gives "
              + b * b / 3
              + " ± "
              + 6 * seSq
              + " (n = "
              + n
              + ")");
    }
  }
}
