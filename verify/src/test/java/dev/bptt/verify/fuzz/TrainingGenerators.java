package dev.bptt.verify.fuzz;

import static dev.bptt.verify.fuzz.FuzzCall.of;

import dev.bptt.kernel.clip.ExplosionMonitor;
import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorSet;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.rnn.BatchThreads;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RecurrentNetwork;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackedRnn;
import dev.bptt.kernel.rnn.StepLoss;
import dev.bptt.kernel.training.Adam;
import dev.bptt.kernel.training.Checkpoint;
import dev.bptt.kernel.training.CrossEntropyLoss;
import dev.bptt.kernel.training.LrSchedule;
import dev.bptt.kernel.training.MseLoss;
import dev.bptt.kernel.training.Optimizer;
import dev.bptt.kernel.training.OptimizerState;
import dev.bptt.kernel.training.Reduction;
import dev.bptt.kernel.training.RmsProp;
import dev.bptt.kernel.training.Sgd;
import dev.bptt.kernel.training.Trainer;
import dev.bptt.verify.Gen;
import dev.bptt.verify.fuzz.Fixtures.Net;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The generators of {@code dev.bptt.kernel.training}: optimizers (Sgd, Adam, RmsProp, their
 * configuration copies, states and steps), learning-rate schedules, losses and safetensors
 * checkpoints. Registered into {@link Registry} like its own sections; the acceptance checks are
 * the javadoc's promises: a step writes only θ and the state buffers (the gradient is never
 * written), advances t by one and stays finite for finite inputs; a schedule gives a finite rate ≥
 * 0 at every epoch; a loss returns a finite value ≥ 0 (bitwise the documented double evaluation)
 * and fills only its dy range; a checkpoint round-trips bitwise and a corrupted file is refused
 * with nothing written; a trainer's builder writes nothing and returns itself, and a trainer step
 * counts itself once, writes θ and the optimizer state only when it updates (not when skipped),
 * stays finite for finite inputs and records what it returned.
 */
final class TrainingGenerators {
  private TrainingGenerators() {}

  private static Registry reg;

  static void register(Registry r) {
    reg = r;
    optimizers();
    states();
    schedules();
    losses();
    checkpoints();
    trainers();
  }

  private static void reg(
      String key, String names, java.util.function.Function<Gen, FuzzCall> gen) {
    reg.reg("training." + key, names, gen);
  }

  private static int sz(Gen g, int max) {
    return g.size(max);
  }

  // ================================================================ optimizers

  /** A random optimizer with buffers ({@code needsBuffers}) or any, with random penalties. */
  static Optimizer optimizer(Gen g, int kind, boolean needsBuffers) {
    SplittableRandom r = g.random();
    int k = kind >= 0 ? kind : r.nextInt(3);
    Optimizer o =
        switch (k) {
          case 0 -> sgd(g, needsBuffers);
          case 1 -> adam(g);
          default -> rms(g);
        };
    if (r.nextInt(3) == 0) {
      o = o.withWeightDecay(0.01 * r.nextDouble());
    }
    if (r.nextInt(4) == 0) {
      o = o.withL1(0.001 * r.nextDouble());
    }
    if (r.nextInt(3) == 0) {
      o = o.withDecoupledWeightDecay(0.05 * r.nextDouble());
    }
    return o;
  }

  static Sgd sgd(Gen g, boolean needsBuffers) {
    SplittableRandom r = g.random();
    Sgd s = Sgd.of(0.001 + 0.1 * r.nextDouble());
    if (needsBuffers || r.nextBoolean()) {
      s = s.withMomentum(0.5 + 0.45 * r.nextDouble());
      if (r.nextBoolean()) {
        s = s.withNesterov(true);
      } else if (r.nextBoolean()) {
        s = s.withDampening(0.1 * r.nextDouble());
      }
    }
    return s;
  }

  static Adam adam(Gen g) {
    SplittableRandom r = g.random();
    Adam a = r.nextInt(4) == 0 ? Adam.adamW(0.001 + 0.01 * r.nextDouble()) : Adam.of();
    if (r.nextBoolean()) {
      a = a.withBetas(0.5 + 0.49 * r.nextDouble(), 0.9 + 0.0999 * r.nextDouble());
    }
    if (r.nextInt(3) == 0) {
      a = a.withAmsgrad(true);
    }
    if (r.nextInt(4) == 0) {
      a = a.withEps(1e-6);
    }
    return a;
  }

  static RmsProp rms(Gen g) {
    SplittableRandom r = g.random();
    RmsProp p = r.nextBoolean() ? RmsProp.of() : RmsProp.of(0.001 + 0.01 * r.nextDouble());
    if (r.nextBoolean()) {
      p = p.withAlpha(0.8 + 0.19 * r.nextDouble());
    }
    if (r.nextBoolean()) {
      p = p.withMomentum(0.9 * r.nextDouble());
    }
    if (r.nextBoolean()) {
      p = p.withCentered(true);
    }
    return p;
  }

  private static boolean finite(float[] a) {
    return Fixtures.finite(a);
  }

  /** Two steps of o on small finite data: null if they stay finite (or o's settings conflict). */
  static String stepsFinite(Optimizer o) {
    float[] p = {0.5f, -0.25f, 1f, -1f, 0.125f, 0f};
    float[] gr = {0.1f, -0.3f, 0.7f, 0.05f, -1f, 0.5f};
    OptimizerState s;
    try {
      s = o.newState(p.length);
      o.step(p, gr, s);
      o.step(p, gr, s);
    } catch (IllegalArgumentException e) {
      return null; // conflicting settings (Nesterov without momentum) or exempt ranges beyond n
    }
    for (int i = 0; i < s.bufferCount(); i++) {
      if (!finite(s.buffer(i))) {
        return "two steps of the configured " + o + " left " + s.bufferName(i) + " non-finite";
      }
    }
    return finite(p)
        ? null
        : "two steps of the configured " + o + " on finite data gave θ " + Arrays.toString(p);
  }

  private static String sameCommon(Optimizer a, Optimizer b, String except) {
    if (!except.equals("lr") && Double.compare(a.lr(), b.lr()) != 0) {
      return "lr changed from " + a.lr() + " to " + b.lr();
    }
    if (!except.equals("weightDecay") && Double.compare(a.weightDecay(), b.weightDecay()) != 0) {
      return "weightDecay changed";
    }
    if (!except.equals("l1") && Double.compare(a.l1(), b.l1()) != 0) {
      return "l1 changed";
    }
    if (!except.equals("decoupled")
        && Double.compare(a.decoupledWeightDecay(), b.decoupledWeightDecay()) != 0) {
      return "decoupledWeightDecay changed";
    }
    if (!except.equals("exempt") && !Arrays.equals(a.exemptRanges(), b.exemptRanges())) {
      return "exempt ranges changed";
    }
    if (a.getClass() != b.getClass()) {
      return "returned a " + b.getClass().getSimpleName() + " for a " + a.getClass();
    }
    return null;
  }

  /** A double setter: the getter gives the value, other settings stay, a step stays finite. */
  private static void dSetter(
      String key,
      String names,
      Function<Gen, Optimizer> recv,
      ToDoubleFunction<Gen> valid,
      ToDoubleFunction<Optimizer> getter,
      String common) {
    reg(
        key,
        names,
        g ->
            of(recv.apply(g), valid.applyAsDouble(g))
                .ref(
                    c -> {
                      Optimizer before = (Optimizer) c.receiver;
                      double v = (Double) c.args[0];
                      return r -> {
                        Optimizer o = (Optimizer) r;
                        if (Double.compare(getter.applyAsDouble(o), v) != 0) {
                          return "getter gives " + getter.applyAsDouble(o) + " after setting " + v;
                        }
                        String s = sameCommon(before, o, common);
                        return s != null
                            ? s
                            : v <= 1e3 || v > Float.MAX_VALUE ? stepsFinite(o) : null;
                      };
                    }));
  }

  private static void bSetter(
      String key, String names, Function<Gen, Optimizer> recv, Function<Optimizer, Boolean> get) {
    reg(
        key,
        names,
        g ->
            of(recv.apply(g), g.random().nextBoolean())
                .ref(
                    c -> {
                      Optimizer before = (Optimizer) c.receiver;
                      boolean v = (Boolean) c.args[0];
                      return r -> {
                        Optimizer o = (Optimizer) r;
                        if (get.apply(o) != v) {
                          return "getter gives " + get.apply(o) + " after setting " + v;
                        }
                        String s = sameCommon(before, o, "");
                        return s != null ? s : stepsFinite(o);
                      };
                    }));
  }

  /** Views named like RNN parameters (some biases) over one array of n floats, with gaps. */
  static TensorGroup paramViews(Gen g, float[][] holder, int k, boolean oddNames) {
    SplittableRandom r = g.random();
    String[] pool = {
      "weight_ih_l0",
      "weight_hh_l0",
      "bias_ih_l0",
      "bias_hh_l0",
      "fc.weight",
      "fc.bias",
      "b_h",
      "W_xh",
      "rnn.bias",
      "b_y"
    };
    List<String> names = new ArrayList<>(List.of(pool));
    for (int i = names.size() - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      names.set(i, names.set(j, names.get(i)));
    }
    if (oddNames && r.nextInt(3) == 0) {
      names.set(0, r.nextBoolean() ? "w\"q\\uote\n" : "n\u00e9\u4e2d\ud83d\ude00");
    }
    int[] off = new int[k], rows = new int[k], cols = new int[k];
    int n = 0;
    for (int i = 0; i < k; i++) {
      boolean bias = names.get(i).contains("b");
      rows[i] = bias && !names.get(i).contains("weight") ? 1 : r.nextInt(8) == 0 ? 0 : 1 + sz(g, 4);
      cols[i] = r.nextInt(10) == 0 ? 0 : 1 + sz(g, 6);
      n += r.nextInt(3) == 0 ? 1 + r.nextInt(3) : 0;
      off[i] = n;
      n += rows[i] * cols[i];
    }
    n += r.nextBoolean() ? 0 : 1 + r.nextInt(3);
    float[] a = special(g, n);
    holder[0] = a;
    TensorView[] v = new TensorView[k];
    for (int i = 0; i < k; i++) {
      v[i] = TensorView.matrix(names.get(i), a, off[i], rows[i], cols[i]);
    }
    return TensorGroup.of(v);
  }

  /**
   * Random floats with the odd ones a bitwise round trip must keep: −0, NaN payloads, ±∞,
   * subnormals.
   */
  static float[] special(Gen g, int n) {
    float[] a = g.array(n, 1);
    SplittableRandom r = g.random();
    for (int i = 0; i < n; i++) {
      if (r.nextInt(8) == 0) {
        float[] odd = {
          -0f,
          Float.intBitsToFloat(0x7fc01234),
          Float.intBitsToFloat(0xffa00001),
          Float.POSITIVE_INFINITY,
          Float.NEGATIVE_INFINITY,
          Float.MIN_VALUE,
          -3e-41f,
          Float.MAX_VALUE
        };
        a[i] = odd[r.nextInt(odd.length)];
      }
    }
    return a;
  }

  /** Checks the exempt ranges of o: sorted, disjoint, exactly the union of before's and views'. */
  private static String exemptOk(Optimizer before, TensorSet views, Optimizer o) {
    int[] e = o.exemptRanges();
    if (e.length % 2 != 0) {
      return "odd exempt range array " + Arrays.toString(e);
    }
    int max = 0;
    for (int i = 0; i < e.length; i += 2) {
      if (e[i] >= e[i + 1] || (i > 0 && e[i] <= e[i - 1])) {
        return "exempt ranges not sorted, disjoint, non-empty: " + Arrays.toString(e);
      }
      max = Math.max(max, e[i + 1]);
    }
    int[] b = before.exemptRanges();
    for (int i = 1; i < b.length; i += 2) {
      max = Math.max(max, b[i]);
    }
    for (int i = 0; i < views.viewCount(); i++) {
      max = Math.max(max, views.view(i).offset() + views.view(i).length());
    }
    boolean[] want = new boolean[max], got = new boolean[max];
    for (int i = 0; i < b.length; i += 2) {
      Arrays.fill(want, b[i], b[i + 1], true);
    }
    for (int i = 0; i < views.viewCount(); i++) {
      TensorView v = views.view(i);
      Arrays.fill(want, v.offset(), v.offset() + v.length(), true);
    }
    for (int i = 0; i < e.length; i += 2) {
      Arrays.fill(got, e[i], e[i + 1], true);
    }
    return Arrays.equals(want, got)
        ? null
        : "exempt ranges "
            + Arrays.toString(e)
            + " are not the union of the old ones and the views";
  }

  private static Function<Gen, Optimizer> recvOf(int kind) {
    return g -> optimizer(g, kind, false);
  }

  private static FuzzCall stepCall(Gen g, boolean withLr) {
    SplittableRandom r = g.random();
    Optimizer o = optimizer(g, -1, false);
    int n = sz(g, 40);
    if (n > 2 && r.nextBoolean()) {
      int s = r.nextInt(n - 1);
      float[] tmp = new float[n];
      o = o.withoutDecay(TensorView.vector("bias", tmp, s, 1 + r.nextInt(n - s)));
    }
    OptimizerState st = o.newState(n);
    for (int k = r.nextInt(3); k > 0; k--) {
      o.step(g.array(n, 1), g.array(n, 1), st);
    }
    float[] p = g.array(n, 1), gr = g.array(n, 1);
    Optimizer opt = o;
    FuzzCall c = withLr ? of(o, p, gr, st, 1e-3 + 0.1 * r.nextDouble()) : of(o, p, gr, st);
    c.out("params|θ");
    for (int i = 0; i < st.bufferCount(); i++) {
      c.reach("state." + st.bufferName(i), st.buffer(i)).out("state." + st.bufferName(i));
      float[] b = st.buffer(i);
      c.foreign(0, () -> b).foreign(1, () -> b);
    }
    c.foreign(
        2,
        () ->
            (st.bufferCount() == 0 ? Adam.of() : Sgd.of(0.1))
                .newState(n)); // another optimizer's buffers
    c.foreign(2, () -> opt.newState(n + 1));
    if (n > 0) {
      c.foreign(2, () -> opt.newState(n - 1));
    }
    return c.ref(
        cc -> {
          float[] p0 = ((float[]) cc.args[0]).clone();
          boolean fin = finite(p0) && finite((float[]) cc.args[1]);
          for (int i = 0; i < st.bufferCount(); i++) {
            fin &= finite(st.buffer(i));
          }
          long t0 = st.step();
          double lr = withLr ? (Double) cc.args[3] : opt.lr();
          boolean finiteIn = fin;
          return res -> {
            if (st.step() != t0 + 1) {
              return "step count " + st.step() + " after a step from " + t0;
            }
            float[] p1 = (float[]) cc.args[0];
            if (lr == 0 && finiteIn) {
              for (int i = 0; i < p0.length; i++) {
                if (p1[i] != p0[i]) {
                  return "γ = 0 changed θ[" + i + "] from " + p0[i] + " to " + p1[i];
                }
              }
            }
            if (finiteIn && (lr <= 1e3 || lr > Float.MAX_VALUE)) {
              if (!finite(p1)) {
                return "non-finite θ after a step on finite inputs (γ = " + lr + ", " + opt + ")";
              }
              for (int i = 0; i < st.bufferCount(); i++) {
                if (!finite(st.buffer(i))) {
                  return "non-finite " + st.bufferName(i) + " after a step on finite inputs";
                }
              }
            }
            return null;
          };
        });
  }

  private static void optimizers() {
    reg(
        "Optimizer#step(float[],float[],OptimizerState,double)",
        "params|θ,grads|g,state,lr|γ",
        g -> stepCall(g, true));
    reg(
        "Optimizer#step(float[],float[],OptimizerState)",
        "params|θ,grads|g,state",
        g -> stepCall(g, false));
    reg(
        "Optimizer#newState(int)",
        "n",
        g ->
            of(optimizer(g, -1, false), sz(g, 40))
                .bounded(0)
                .ref(
                    c -> {
                      int n = (Integer) c.args[0];
                      return r -> {
                        OptimizerState s = (OptimizerState) r;
                        if (s.size() != n || s.step() != 0) {
                          return "state of size " + s.size() + ", t " + s.step() + " for n " + n;
                        }
                        for (int i = 0; i < s.bufferCount(); i++) {
                          for (float x : s.buffer(i)) {
                            if (Float.floatToRawIntBits(x) != 0) {
                              return "fresh buffer " + s.bufferName(i) + " not zero";
                            }
                          }
                        }
                        return null;
                      };
                    }));
    reg(
        "Optimizer#biases(TensorGroup)",
        "views",
        g ->
            of(null, paramViews(g, new float[1][], 1 + g.random().nextInt(8), false))
                .ref(
                    c -> {
                      TensorGroup in = (TensorGroup) c.args[0];
                      return r -> {
                        List<TensorView> want = new ArrayList<>();
                        for (TensorView v : in.views()) {
                          String l =
                              v.name().substring(v.name().lastIndexOf('.') + 1).toLowerCase();
                          if (l.startsWith("bias") || l.startsWith("b_")) {
                            want.add(v);
                          }
                        }
                        return want.equals(((TensorGroup) r).views())
                            ? null
                            : "biases " + r + ", expected " + want;
                      };
                    }));
    String[] classes = {"Optimizer", "Sgd", "Adam", "RmsProp"};
    for (int ci = 0; ci < classes.length; ci++) {
      String cls = classes[ci];
      Function<Gen, Optimizer> recv = recvOf(ci - 1);
      dSetter(
          cls + "#withLr(double)",
          "lr|γ",
          recv,
          g -> 0.001 + g.random().nextDouble() * 0.1,
          Optimizer::lr,
          "lr");
      dSetter(
          cls + "#withWeightDecay(double)",
          "lambda|λ|weightDecay",
          recv,
          g -> g.random().nextDouble() * 0.1,
          Optimizer::weightDecay,
          "weightDecay");
      dSetter(
          cls + "#withL1(double)",
          "lambda1|λ₁|l1",
          recv,
          g -> g.random().nextDouble() * 0.01,
          Optimizer::l1,
          "l1");
      dSetter(
          cls + "#withDecoupledWeightDecay(double)",
          "lambda|λ_d|decoupledWeightDecay",
          recv,
          g -> g.random().nextDouble() * 0.1,
          Optimizer::decoupledWeightDecay,
          "decoupled");
      reg(
          cls + "#withDecayEverywhere()",
          "",
          g ->
              of(recv.apply(g).withoutDecay(TensorView.vector("b", new float[9], 2, 3)))
                  .ref(
                      c ->
                          r -> {
                            Optimizer o = (Optimizer) r;
                            if (o.exemptRanges().length != 0) {
                              return "exempt ranges left: " + Arrays.toString(o.exemptRanges());
                            }
                            return sameCommon((Optimizer) c.receiver, o, "exempt");
                          }));
      reg(
          cls + "#withoutDecay(TensorSet)",
          "views",
          g -> {
            Optimizer o = recv.apply(g);
            if (g.random().nextBoolean()) {
              o = o.withoutDecay(TensorView.vector("b", new float[30], 3, 4));
            }
            TensorSet v =
                g.random().nextBoolean()
                    ? paramViews(g, new float[1][], 1 + g.random().nextInt(5), false)
                    : TensorView.vector("bias", new float[20], g.random().nextInt(10), 5);
            return of(o, v)
                .ref(
                    c -> {
                      Optimizer before = (Optimizer) c.receiver;
                      TensorSet views = (TensorSet) c.args[0];
                      return r -> {
                        String s = exemptOk(before, views, (Optimizer) r);
                        return s != null ? s : sameCommon(before, (Optimizer) r, "exempt");
                      };
                    });
          });
    }
    Function<Gen, Object> anyOpt = g -> optimizer(g, -1, false);
    reg.noArgs("training.Optimizer", anyOpt, "decoupledWeightDecay", "l1", "lr", "weightDecay");
    reg(
        "Optimizer#exemptRanges()",
        "",
        g ->
            of(optimizer(g, -1, false).withoutDecay(TensorView.vector("b", new float[9], 2, 3)))
                .ref(
                    c ->
                        r -> {
                          int[] e = (int[]) r;
                          int[] again = ((Optimizer) c.receiver).exemptRanges();
                          if (!Arrays.equals(e, new int[] {2, 5})) {
                            return "exempt ranges " + Arrays.toString(e) + ", expected [2, 5]";
                          }
                          e[0] = 99;
                          return ((Optimizer) c.receiver).exemptRanges()[0] == 2 && e != again
                              ? null
                              : "exemptRanges() is not a copy";
                        }));

    // Sgd
    reg(
        "Sgd#of(double)",
        "lr|γ",
        g ->
            of(null, 0.001 + g.random().nextDouble())
                .ref(c -> r -> ((Sgd) r).lr() == (Double) c.args[0] ? null : "lr not kept"));
    dSetter(
        "Sgd#withMomentum(double)",
        "mu|μ|momentum",
        recvOf(0),
        g -> g.random().nextDouble(),
        o -> ((Sgd) o).momentum(),
        "");
    dSetter(
        "Sgd#withDampening(double)",
        "tau|τ|dampening",
        recvOf(0),
        g -> g.random().nextDouble(),
        o -> ((Sgd) o).dampening(),
        "");
    bSetter("Sgd#withNesterov(boolean)", "on|nesterov", recvOf(0), o -> ((Sgd) o).nesterov());
    reg.noArgs("training.Sgd", g -> sgd(g, false), "dampening", "momentum", "nesterov");

    // Adam
    reg(
        "Adam#of()",
        "",
        g ->
            of(null)
                .ref(
                    c ->
                        r -> {
                          Adam a = (Adam) r;
                          return a.lr() == 1e-3
                                  && a.beta1() == 0.9
                                  && a.beta2() == 0.999
                                  && a.eps() == 1e-8
                                  && !a.amsgrad()
                                  && a.weightDecay() == 0
                                  && a.decoupledWeightDecay() == 0
                              ? null
                              : "defaults are not PyTorch's: " + a;
                        }));
    reg(
        "Adam#of(double)",
        "lr|γ",
        g ->
            of(null, 0.001 + g.random().nextDouble())
                .ref(c -> r -> ((Adam) r).lr() == (Double) c.args[0] ? null : "lr not kept"));
    reg(
        "Adam#adamW(double)",
        "lr|γ",
        g ->
            of(null, 0.001 + g.random().nextDouble())
                .ref(
                    c ->
                        r ->
                            ((Adam) r).lr() == (Double) c.args[0]
                                    && ((Adam) r).decoupledWeightDecay() == 0.01
                                ? null
                                : "adamW is not of(lr).withDecoupledWeightDecay(0.01): " + r));
    reg(
        "Adam#withBetas(double,double)",
        "beta1|β₁,beta2|β₂",
        g ->
            of(adam(g), g.random().nextDouble() * 0.99, g.random().nextDouble() * 0.999)
                .ref(
                    c -> {
                      double b1 = (Double) c.args[0], b2 = (Double) c.args[1];
                      return r -> {
                        Adam a = (Adam) r;
                        if (Double.compare(a.beta1(), b1) != 0
                            || Double.compare(a.beta2(), b2) != 0) {
                          return "betas " + a.beta1() + ", " + a.beta2() + " after " + b1 + ", "
                              + b2;
                        }
                        return b1 <= 1 && b2 <= 1 ? stepsFinite(a) : null;
                      };
                    }));
    dSetter("Adam#withEps(double)", "eps|ε", recvOf(1), g -> 1e-8, o -> ((Adam) o).eps(), "");
    bSetter("Adam#withAmsgrad(boolean)", "on|amsgrad", recvOf(1), o -> ((Adam) o).amsgrad());
    reg.noArgs("training.Adam", TrainingGenerators::adam, "amsgrad", "beta1", "beta2", "eps");

    // RmsProp
    reg(
        "RmsProp#of()",
        "",
        g ->
            of(null)
                .ref(
                    c ->
                        r -> {
                          RmsProp p = (RmsProp) r;
                          return p.lr() == 1e-2
                                  && p.alpha() == 0.99
                                  && p.eps() == 1e-8
                                  && p.momentum() == 0
                                  && !p.centered()
                              ? null
                              : "defaults are not PyTorch's: " + p;
                        }));
    reg(
        "RmsProp#of(double)",
        "lr|γ",
        g ->
            of(null, 0.001 + g.random().nextDouble())
                .ref(c -> r -> ((RmsProp) r).lr() == (Double) c.args[0] ? null : "lr not kept"));
    dSetter(
        "RmsProp#withAlpha(double)",
        "alpha|α",
        recvOf(2),
        g -> g.random().nextDouble(),
        o -> ((RmsProp) o).alpha(),
        "");
    dSetter("RmsProp#withEps(double)", "eps|ε", recvOf(2), g -> 1e-8, o -> ((RmsProp) o).eps(), "");
    dSetter(
        "RmsProp#withMomentum(double)",
        "mu|μ|momentum",
        recvOf(2),
        g -> g.random().nextDouble(),
        o -> ((RmsProp) o).momentum(),
        "");
    bSetter(
        "RmsProp#withCentered(boolean)", "on|centered", recvOf(2), o -> ((RmsProp) o).centered());
    reg.noArgs("training.RmsProp", TrainingGenerators::rms, "alpha", "centered", "eps", "momentum");
  }

  // ================================================================ state

  private static OptimizerState warmState(Gen g, Optimizer o) {
    int n = sz(g, 20);
    OptimizerState s = o.newState(n);
    for (int k = g.random().nextInt(3); k > 0; k--) {
      o.step(g.array(n, 1), g.array(n, 1), s);
    }
    return s;
  }

  private static FuzzCall stateCall(Gen g, boolean needsBuffers, Object... args) {
    OptimizerState s = warmState(g, optimizer(g, -1, needsBuffers));
    FuzzCall c = of(s, args);
    for (int i = 0; i < s.bufferCount(); i++) {
      c.reach("state." + s.bufferName(i), s.buffer(i));
    }
    return c;
  }

  private static void states() {
    for (String m : new String[] {"bufferCount", "bufferNames", "size", "step"}) {
      reg("OptimizerState#" + m + "()", "", g -> stateCall(g, false));
    }
    reg(
        "OptimizerState#reset()",
        "",
        g -> {
          FuzzCall c = stateCall(g, false);
          c.out(c.reachable.keySet().toArray(new String[0]));
          return c.ref(
              cc ->
                  r -> {
                    OptimizerState s = (OptimizerState) cc.receiver;
                    if (s.step() != 0) {
                      return "t = " + s.step() + " after reset";
                    }
                    for (int i = 0; i < s.bufferCount(); i++) {
                      for (float x : s.buffer(i)) {
                        if (Float.floatToRawIntBits(x) != 0) {
                          return s.bufferName(i) + " not zero after reset";
                        }
                      }
                    }
                    return null;
                  });
        });
    reg(
        "OptimizerState#setStep(long)",
        "t|step",
        g -> {
          FuzzCall c = stateCall(g, false, (long) g.random().nextInt(1000));
          return c.ref(
              cc ->
                  r ->
                      ((OptimizerState) cc.receiver).step() == (Long) cc.args[0]
                          ? null
                          : "step() does not return the t just set");
        });
    reg(
        "OptimizerState#buffer(int)",
        "i",
        g -> {
          FuzzCall c = stateCall(g, true, 0);
          OptimizerState s = (OptimizerState) c.receiver;
          c.args[0] = g.random().nextInt(s.bufferCount());
          return c.ref(
              cc ->
                  r ->
                      r == s.buffer(s.bufferName((Integer) cc.args[0]))
                          ? null
                          : "buffer(i) is not buffer(bufferName(i))");
        });
    reg(
        "OptimizerState#bufferName(int)",
        "i",
        g -> {
          FuzzCall c = stateCall(g, true, 0);
          OptimizerState s = (OptimizerState) c.receiver;
          c.args[0] = g.random().nextInt(s.bufferCount());
          return c.ref(
              cc ->
                  r ->
                      r.equals(s.bufferNames().get((Integer) cc.args[0]))
                          ? null
                          : "bufferName(i) is not bufferNames().get(i)");
        });
    reg(
        "OptimizerState#buffer(String)",
        "name|buffer",
        g -> {
          FuzzCall c = stateCall(g, true, "");
          OptimizerState s = (OptimizerState) c.receiver;
          int i = g.random().nextInt(s.bufferCount());
          c.args[0] = s.bufferName(i);
          return c.foreign(0, () -> "no_such_buffer")
              .foreign(0, () -> s.bufferName(i).toUpperCase())
              .ref(cc -> r -> r == s.buffer(i) ? null : "buffer(name) is not that buffer");
        });
  }

  // ================================================================ schedules

  private static final int[] EPOCHS = {
    0, 1, 2, 3, 4, 5, 7, 10, 31, 100, 1000, 1 << 20, Integer.MAX_VALUE
  };

  /** lr(e) finite and ≥ 0 at sample epochs, lr(−1) refused, lr(0) == first (if not NaN). */
  private static Function<FuzzCall, Function<Object, String>> schedule(
      Function<FuzzCall, Double> first) {
    return c -> {
      Double want;
      try {
        want = first.apply(c);
      } catch (RuntimeException e) {
        want = null;
      }
      Double w = want;
      return r -> {
        LrSchedule s = (LrSchedule) r;
        for (int e : EPOCHS) {
          double v = s.lr(e);
          if (!(v >= 0 && v < Double.POSITIVE_INFINITY)) {
            return "lr(" + e + ") = " + v + " (a rate must be finite and >= 0)";
          }
        }
        if (w != null && Double.compare(s.lr(0), w) != 0) {
          return "lr(0) = " + s.lr(0) + ", expected " + w;
        }
        try {
          s.lr(-1);
          return "lr(-1) accepted";
        } catch (IllegalArgumentException expected) {
          return null;
        }
      };
    };
  }

  private static double rate(Gen g) {
    return g.random().nextInt(5) == 0 ? 0 : 0.001 + g.random().nextDouble();
  }

  private static double decay(Gen g) {
    return g.random().nextInt(5) == 0 ? 1 : g.random().nextDouble();
  }

  private static void schedules() {
    reg(
        "LrSchedule#constant(double)",
        "lr|γ",
        g -> of(null, rate(g)).ref(schedule(c -> (Double) c.args[0])));
    reg(
        "LrSchedule#step(double,int,double)",
        "lr|γ,stepSize,gamma",
        g -> of(null, rate(g), 1 + sz(g, 30), decay(g)).ref(schedule(c -> (Double) c.args[0])));
    reg(
        "LrSchedule#multiStep(double,int[],double)",
        "lr|γ,milestones,gamma",
        g -> {
          int k = 1 + g.random().nextInt(4);
          int[] m = new int[k];
          for (int i = 0; i < k; i++) {
            m[i] = 1 + g.random().nextInt(50);
          }
          return of(null, rate(g), m, decay(g))
              .ref(
                  schedule(
                      c -> {
                        int zeros = 0;
                        for (int x : (int[]) c.args[1]) {
                          zeros += x == 0 ? 1 : 0;
                        }
                        return (Double) c.args[0] * Math.pow((Double) c.args[2], zeros);
                      }));
        });
    reg(
        "LrSchedule#exponential(double,double)",
        "lr|γ,gamma",
        g -> of(null, rate(g), decay(g)).ref(schedule(c -> (Double) c.args[0])));
    reg(
        "LrSchedule#cosine(double,int,double)",
        "lr|γ,tMax|T_max,etaMin|η_min",
        g ->
            of(null, rate(g), 1 + sz(g, 100), rate(g) * 0.1)
                .ref(schedule(c -> (Double) c.args[0])));
    reg(
        "LrSchedule#linear(double,double,double,int)",
        "lr|γ,startFactor,endFactor,totalIters",
        g ->
            of(
                    null,
                    rate(g),
                    0.01 + 0.99 * g.random().nextDouble(),
                    g.random().nextDouble(),
                    1 + sz(g, 20))
                .ref(schedule(c -> (Double) c.args[0] * (Double) c.args[1])));
    reg(
        "LrSchedule#sequential(LrSchedule[],int[])",
        "schedules,milestones",
        g -> {
          int k = 1 + g.random().nextInt(3);
          LrSchedule[] s = new LrSchedule[k];
          int[] m = new int[k - 1];
          for (int i = 0; i < k; i++) {
            s[i] =
                i % 2 == 0
                    ? LrSchedule.linear(0.1, 0.1, 1, 5)
                    : LrSchedule.cosine(0.1, 1 + g.random().nextInt(50), 0.001);
          }
          for (int i = 0; i < k - 1; i++) {
            m[i] = (i == 0 ? 0 : m[i - 1]) + 1 + g.random().nextInt(20);
          }
          LrSchedule[] withNull = s.clone();
          withNull[k - 1] = null;
          return of(null, s, m)
              .foreign(0, () -> new LrSchedule[0])
              .foreign(0, () -> withNull)
              .foreign(0, () -> Arrays.copyOf(s, k + 1))
              .ref(schedule(c -> ((LrSchedule[]) c.args[0])[0].lr(0)));
        });
  }

  // ================================================================ losses

  private static Reduction reduction(Gen g) {
    return g.random().nextBoolean() ? Reduction.MEAN : Reduction.SUM;
  }

  /** Checks the returned value and the dy array against an exact replay of the documented sums. */
  private static Function<Object, String> lossCheck(
      double want, float[] dy, float[] dyWant, float[] dyArray) {
    return r -> {
      double v = (Double) r;
      if (!(v >= 0 && v < Double.POSITIVE_INFINITY)) {
        return "loss " + v + " for finite inputs";
      }
      if (Double.compare(v, want) != 0) {
        return "loss " + v + ", the documented double evaluation gives " + want;
      }
      for (int i = 0; i < dyWant.length; i++) {
        if (Float.floatToRawIntBits(dyArray[i]) != Float.floatToRawIntBits(dyWant[i])) {
          return "dy[" + i + "] = " + dyArray[i] + ", expected " + dyWant[i];
        }
      }
      return null;
    };
  }

  private static FuzzCall mse(Gen g, boolean withCount) {
    SplittableRandom r = g.random();
    int n = sz(g, 40), yo = g.offset(), to = g.offset(), dyo = g.offset();
    float[] y = g.array(yo + n, 1), t = g.array(to + n, 1);
    boolean alias = r.nextInt(4) == 0;
    float[] dy = alias ? y : g.array(dyo + n, 1);
    if (alias) {
      dyo = yo;
    }
    MseLoss loss = MseLoss.of().withReduction(reduction(g));
    FuzzCall c =
        withCount
            ? of(loss, y, yo, t, to, n, dy, dyo, (long) (1 + r.nextInt(3 * n + 2)))
            : of(loss, y, yo, t, to, n, dy, dyo);
    return c.out("dy")
        .ref(
            cc -> {
              Object[] a = cc.args;
              float[] yy = (float[]) a[0], tt = (float[]) a[2], dd = (float[]) a[5];
              int yOff = (Integer) a[1], tOff = (Integer) a[3], nn = (Integer) a[4];
              int dOff = (Integer) a[6];
              long count =
                  ((MseLoss) cc.receiver).reduction() == Reduction.SUM
                      ? 1
                      : withCount ? (Long) a[7] : Math.max(1, nn);
              float[] want = dd.clone();
              double scale = 2.0 / count, sum = 0;
              float[] ys = Arrays.copyOfRange(yy, yOff, yOff + nn);
              for (int i = 0; i < nn; i++) {
                double d = (double) ys[i] - tt[tOff + i];
                sum += d * d;
                want[dOff + i] = (float) (scale * d);
              }
              return lossCheck(sum / count, dd, want, dd);
            });
  }

  private static FuzzCall ce(Gen g, boolean withCount) {
    SplittableRandom r = g.random();
    int rows = sz(g, 12), classes = 1 + sz(g, 12);
    int xo = g.offset(), lo = g.offset(), dxo = g.offset();
    float[] x = g.array(xo + rows * classes, 4);
    int[] labels = new int[lo + rows + r.nextInt(2)];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = r.nextInt(classes);
    }
    boolean alias = r.nextInt(4) == 0;
    float[] dx = alias ? x : g.array(dxo + rows * classes, 1);
    if (alias) {
      dxo = xo;
    }
    CrossEntropyLoss loss = CrossEntropyLoss.of().withReduction(reduction(g));
    FuzzCall c =
        withCount
            ? of(loss, rows, classes, x, xo, labels, lo, dx, dxo, (long) (1 + r.nextInt(40)))
            : of(loss, rows, classes, x, xo, labels, lo, dx, dxo);
    return c.out("dx")
        .ref(
            cc -> {
              Object[] a = cc.args;
              int nr = (Integer) a[0], nc = (Integer) a[1], xOff = (Integer) a[3];
              int lOff = (Integer) a[5], dOff = (Integer) a[7];
              float[] xx = ((float[]) a[2]).clone(), dd = (float[]) a[6];
              int[] lab = (int[]) a[4];
              long count =
                  ((CrossEntropyLoss) cc.receiver).reduction() == Reduction.SUM
                      ? 1
                      : withCount ? (Long) a[8] : Math.max(1, nr);
              float[] want = dd.clone();
              double total = 0;
              for (int row = 0; row < nr; row++) {
                int o = xOff + row * nc, d = dOff + row * nc, k = lab[lOff + row];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < nc; j++) {
                  max = Math.max(max, xx[o + j]);
                }
                double sum = 0;
                for (int j = 0; j < nc; j++) {
                  sum += Math.exp(xx[o + j] - max);
                }
                total += Math.log(sum) + max - xx[o + k];
                double inv = 1 / sum;
                for (int j = 0; j < nc; j++) {
                  double p = Math.exp(xx[o + j] - max) * inv;
                  want[d + j] = (float) ((j == k ? p - 1 : p) / count);
                }
              }
              return lossCheck(total / count, dd, want, dd);
            });
  }

  /** Runs a StepLoss over every step of T: finite shares ≥ 0, refusal at steps without a loss. */
  /** Whether every label of a cross-entropy step-loss call lies in [0, classes). */
  private static boolean labelsInRange(FuzzCall c) {
    int classes = (Integer) c.args[3];
    int[] labels = (int[]) c.args[4];
    for (int i = (Integer) c.args[5]; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classes) {
        return false;
      }
    }
    return true;
  }

  /**
   * Labels are read (and checked) at each call, so a step loss made over labels outside [0,
   * classes) is accepted and each step whose block holds one refuses with an
   * IllegalArgumentException naming the labels, writing nothing into dy.
   */
  private static String refusesOutOfRangeLabels(StepLoss sl, FuzzCall c, Gen g) {
    LossSteps losses = (LossSteps) c.args[0];
    int steps = (Integer) c.args[1], batch = (Integer) c.args[2], classes = (Integer) c.args[3];
    int[] labels = (int[]) c.args[4];
    int off = (Integer) c.args[5];
    for (int t = 1; t <= steps; t++) {
      int i = losses.index(t, steps);
      if (i < 0) {
        continue;
      }
      boolean bad = false;
      for (int b = 0; b < batch; b++) {
        int label = labels[off + i * batch + b];
        bad |= label < 0 || label >= classes;
      }
      int block = batch * classes;
      float[] y = g.array(block, 2), dy = new float[block];
      try {
        sl.apply(t, y, 0, dy, 0);
        if (bad) {
          return "step " + t + " accepted a label outside [0, " + classes + ")";
        }
      } catch (IllegalArgumentException e) {
        if (!bad) {
          return "step " + t + " refused valid labels: " + e.getMessage();
        }
        if (!e.getMessage().contains("labels")
            || !finite(dy)
            || !Arrays.equals(dy, new float[block])) {
          return "step " + t + ": refusal does not name labels or wrote dy: " + e.getMessage();
        }
      }
    }
    return null;
  }

  private static String runSteps(
      StepLoss sl, LossSteps losses, int steps, int batch, int width, boolean labels, Gen g) {
    double total = 0;
    for (int t = 1; t <= steps; t++) {
      if (t == 9 && steps > 16) {
        t = steps - 7; // long sequences: the first and the last steps
      }
      int block = batch * width;
      float[] y = g.array(block, 2), dy = new float[block + 1];
      dy[block] = 42f;
      if (losses.index(t, steps) < 0) {
        try {
          sl.apply(t, y, 0, dy, 0);
          return "step " + t + " carries no loss but was accepted";
        } catch (IllegalArgumentException e) {
          continue;
        }
      }
      double v = sl.apply(t, y, 0, dy, 0);
      if (!(v >= 0 && v < Double.POSITIVE_INFINITY)) {
        return "step " + t + " loss " + v;
      }
      if (dy[block] != 42f || !finite(Arrays.copyOf(dy, block))) {
        return "step " + t + " wrote outside dy's block or a non-finite dy";
      }
      total += v;
    }
    return Double.isFinite(total) ? null : "total " + total;
  }

  private static void losses() {
    reg(
        "MseLoss#apply(float[],int,float[],int,int,float[],int,long)",
        "y,yOff,target,tOff|target,n,dy,dyOff,meanCount|N",
        g -> mse(g, true));
    reg(
        "MseLoss#apply(float[],int,float[],int,int,float[],int)",
        "y,yOff,target,tOff|target,n,dy,dyOff",
        g -> mse(g, false));
    reg(
        "CrossEntropyLoss#apply(int,int,float[],int,int[],int,float[],int,long)",
        "rows|length,classes|class|length,x,xOff,labels,lOff|labels,dx,dxOff,meanCount|N",
        g -> ce(g, true));
    reg(
        "CrossEntropyLoss#apply(int,int,float[],int,int[],int,float[],int)",
        "rows|length,classes|class|length,x,xOff,labels,lOff|labels,dx,dxOff",
        g -> ce(g, false));
    reg(
        "MseLoss#stepLoss(LossSteps,int,int,int,float[],int)",
        "losses,steps|T,batch|targets,outputs|targets,targets,tOff|targets",
        g -> {
          LossSteps l = Registry.lossSteps(g);
          int steps = 3 + sz(g, 6), batch = 1 + sz(g, 4), outs = 1 + sz(g, 4), to = g.offset();
          float[] t = g.array(to + l.count(steps) * batch * outs, 1);
          return of(MseLoss.of().withReduction(reduction(g)), l, steps, batch, outs, t, to)
              .foreign(0, () -> LossSteps.at(steps + 1))
              .ref(
                  c -> {
                    float[] tt = ((float[]) c.args[4]).clone();
                    return r -> {
                      String s =
                          runSteps(
                              (StepLoss) r,
                              (LossSteps) c.args[0],
                              (Integer) c.args[1],
                              (Integer) c.args[2],
                              (Integer) c.args[3],
                              false,
                              g);
                      return s != null || Arrays.equals(tt, (float[]) c.args[4])
                          ? s
                          : "the step loss wrote into targets";
                    };
                  });
        });
    reg(
        "CrossEntropyLoss#stepLoss(LossSteps,int,int,int,int[],int)",
        "losses,steps|T,batch|labels,classes|labels,labels,lOff|labels",
        g -> {
          LossSteps l = Registry.lossSteps(g);
          int steps = 3 + sz(g, 6), batch = 1 + sz(g, 4), classes = 1 + sz(g, 6), lo = g.offset();
          int[] lab = new int[lo + l.count(steps) * batch];
          for (int i = 0; i < lab.length; i++) {
            lab[i] = g.random().nextInt(classes);
          }
          return of(
                  CrossEntropyLoss.of().withReduction(reduction(g)),
                  l,
                  steps,
                  batch,
                  classes,
                  lab,
                  lo)
              .foreign(0, () -> LossSteps.at(steps + 1))
              .ref(
                  c ->
                      r ->
                          labelsInRange(c)
                              ? runSteps(
                                  (StepLoss) r,
                                  (LossSteps) c.args[0],
                                  (Integer) c.args[1],
                                  (Integer) c.args[2],
                                  (Integer) c.args[3],
                                  true,
                                  g)
                              : refusesOutOfRangeLabels((StepLoss) r, c, g));
        });
    reg(
        "MseLoss#of()",
        "",
        g ->
            of(null)
                .ref(c -> r -> ((MseLoss) r).reduction() == Reduction.MEAN ? null : "not MEAN"));
    reg(
        "CrossEntropyLoss#of()",
        "",
        g ->
            of(null)
                .ref(
                    c ->
                        r ->
                            ((CrossEntropyLoss) r).reduction() == Reduction.MEAN
                                ? null
                                : "not MEAN"));
    reg(
        "MseLoss#withReduction(Reduction)",
        "r|reduction",
        g ->
            of(MseLoss.of().withReduction(reduction(g)), reduction(g))
                .ref(
                    c -> r -> ((MseLoss) r).reduction() == c.args[0] ? null : "reduction not set"));
    reg(
        "CrossEntropyLoss#withReduction(Reduction)",
        "r|reduction",
        g ->
            of(CrossEntropyLoss.of().withReduction(reduction(g)), reduction(g))
                .ref(
                    c ->
                        r ->
                            ((CrossEntropyLoss) r).reduction() == c.args[0]
                                ? null
                                : "reduction not set"));
    reg("MseLoss#reduction()", "", g -> of(MseLoss.of().withReduction(reduction(g))));
    reg(
        "CrossEntropyLoss#reduction()",
        "",
        g -> of(CrossEntropyLoss.of().withReduction(reduction(g))));
  }

  // ================================================================ checkpoints

  /** A checkpoint with the arrays it holds (for round trips) and its optimizer states. */
  static final class Ck {
    Checkpoint ck;
    float[] params;
    TensorGroup layout;
    final List<float[]> arrays = new ArrayList<>();
    final List<OptimizerState> states = new ArrayList<>();
    final Map<String, String> meta = new java.util.LinkedHashMap<>();

    FuzzCall reach(FuzzCall c, boolean outputs) {
      for (int i = 0; i < arrays.size(); i++) {
        c.reach("ck.array" + i, arrays.get(i));
        if (outputs) {
          c.out("ck.array" + i);
        }
      }
      return c;
    }
  }

  private static final String[] META = {
    "format", "pt", "epoch", "k\"ey\\", "ctl\u0001\n\t", "\u00e9t\u00e9", "\ud83d\ude00", "", "x y"
  };

  static Ck ck(Gen g, boolean state, boolean meta) {
    SplittableRandom r = g.random();
    Ck k = new Ck();
    float[][] h = new float[1][];
    k.layout = paramViews(g, h, 1 + r.nextInt(5), true);
    k.params = h[0];
    k.arrays.add(h[0]);
    String prefix = r.nextBoolean() ? "" : "model.";
    k.ck =
        r.nextBoolean() && prefix.isEmpty()
            ? Checkpoint.of(k.layout)
            : Checkpoint.of(prefix, k.layout);
    if (state) {
      Optimizer o = optimizer(g, -1, true);
      OptimizerState s = o.newState(k.params.length);
      for (int i = r.nextInt(3); i > 0; i--) {
        o.step(g.array(k.params.length, 1), g.array(k.params.length, 1), s);
      }
      k.ck = k.ck.withOptimizerState("optim.", k.layout, s);
      k.states.add(s);
      for (int i = 0; i < s.bufferCount(); i++) {
        k.arrays.add(s.buffer(i));
      }
    }
    if (meta) {
      for (int i = r.nextInt(3); i > 0; i--) {
        String key = META[r.nextInt(META.length)], v = META[r.nextInt(META.length)];
        k.ck = k.ck.withMetadata(key, v);
        k.meta.put(key, v);
      }
    }
    if (r.nextInt(4) == 0) {
      k.ck = k.ck.withStrict(false);
    }
    return k;
  }

  /**
   * Round trip: bytes = toBytes(); the arrays scrambled (twice, with two markers, so entries no
   * view covers are told apart), step counts changed; load(bytes) must give every covered entry
   * back bitwise and the step counts. The arrays are restored afterwards. Returns null or what went
   * wrong.
   */
  static String roundTrip(Checkpoint c, List<float[]> arrays, List<OptimizerState> states) {
    byte[] b = c.toBytes();
    long hl = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if ((8 + hl) % 8 != 0) {
      return "header length " + hl + ": the buffer does not start at a multiple of 8";
    }
    List<float[]> saved = new ArrayList<>();
    for (float[] a : arrays) {
      saved.add(a.clone());
    }
    long[] steps = new long[states.size()];
    for (int i = 0; i < states.size(); i++) {
      steps[i] = states.get(i).step();
    }
    String msg = null;
    List<float[]> first = new ArrayList<>();
    for (float marker : new float[] {12345f, -6789f}) {
      for (float[] a : arrays) {
        Arrays.fill(a, marker);
      }
      for (OptimizerState s : states) {
        s.setStep(77);
      }
      try {
        c.load(b);
      } catch (RuntimeException e) {
        msg = "its own toBytes() does not load: " + e;
        break;
      }
      for (int i = 0; i < arrays.size(); i++) {
        first.add(arrays.get(i).clone());
      }
    }
    if (msg == null) {
      outer:
      for (int i = 0; i < arrays.size(); i++) {
        float[] s = saved.get(i), a1 = first.get(i), a2 = first.get(arrays.size() + i);
        for (int j = 0; j < s.length; j++) {
          boolean uncovered = a1[j] == 12345f && a2[j] == -6789f;
          int want = Float.floatToRawIntBits(s[j]);
          if (!uncovered
              && (Float.floatToRawIntBits(a1[j]) != want
                  || Float.floatToRawIntBits(a2[j]) != want)) {
            msg =
                "entry "
                    + j
                    + " of array "
                    + i
                    + " changed in a round trip: "
                    + s[j]
                    + " -> "
                    + a1[j];
            break outer;
          }
        }
      }
    }
    for (int i = 0; msg == null && i < states.size(); i++) {
      if (states.get(i).step() != steps[i]) {
        msg = "step count " + steps[i] + " came back as " + states.get(i).step();
      }
    }
    for (int i = 0; i < arrays.size(); i++) {
      System.arraycopy(saved.get(i), 0, arrays.get(i), 0, saved.get(i).length);
    }
    for (int i = 0; i < states.size(); i++) {
      states.get(i).setStep(steps[i]);
    }
    if (msg != null) {
      return msg;
    }
    Map<String, String> d = Checkpoint.describe(b);
    if (!new ArrayList<>(d.keySet()).equals(c.names())) {
      return "describe lists " + d.keySet() + ", the checkpoint " + c.names();
    }
    return null;
  }

  private static Function<FuzzCall, Function<Object, String>> trips(Ck k) {
    return c ->
        r -> {
          Checkpoint out = (Checkpoint) r;
          return roundTrip(out, k.arrays, k.states);
        };
  }

  private static Path dir() {
    Path d = Path.of("target", "fuzz-checkpoints");
    try {
      Files.createDirectories(d);
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path file(byte[] b) {
    try {
      Path p = Files.createTempFile(dir(), "ck", ".safetensors");
      p.toFile().deleteOnExit();
      Files.write(p, b);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Corruptions of a valid file that every reader must refuse (none keeps a valid file). */
  static byte[] corrupt(byte[] b, SplittableRandom r) {
    long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    switch (r.nextInt(7)) {
      case 0 -> {
        return Arrays.copyOf(b, r.nextInt(b.length)); // truncated
      }
      case 1 -> {
        return Arrays.copyOf(b, b.length + 1 + r.nextInt(8)); // trailing bytes
      }
      case 2, 3 -> {
        byte[] c = b.clone();
        long m = r.nextBoolean() ? n + 1 : n - 1;
        ByteBuffer.wrap(c, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(r.nextInt(4) == 0 ? -m : m);
        return c;
      }
      case 4 -> {
        byte[] c = b.clone();
        c[8 + r.nextInt((int) n)] = (byte) 0xFF; // not UTF-8
        return c;
      }
      case 5 -> {
        // the header's closing brace opens another object: the JSON ends too early (a byte picked
        // near the end could land inside the last metadata string, which stays valid JSON)
        byte[] c = b.clone();
        int end = 8 + (int) n - 1;
        while (end > 8 && c[end] != '}') {
          end--;
        }
        c[end] = '{';
        return c;
      }
      default -> {
        return new byte[r.nextInt(8)];
      }
    }
  }

  /** A valid file for k's checkpoint (other contents), the arrays refilled afterwards. */
  private static byte[] otherFile(Gen g, Ck k) {
    for (float[] a : k.arrays) {
      float[] s = special(g, a.length);
      System.arraycopy(s, 0, a, 0, a.length);
    }
    for (OptimizerState s : k.states) {
      s.setStep(g.random().nextInt(100));
    }
    byte[] b = k.ck.toBytes();
    for (float[] a : k.arrays) {
      float[] s = special(g, a.length);
      System.arraycopy(s, 0, a, 0, a.length);
    }
    for (OptimizerState s : k.states) {
      s.setStep(g.random().nextInt(100));
    }
    return b;
  }

  /**
   * Another random checkpoint's file that k's checkpoint cannot load: one holding every tensor of
   * {@code file} with the same shape would be a valid file for it (the generator drew such a layout
   * now and then, and a non-strict checkpoint also takes a superset), so those are drawn again.
   */
  private static byte[] otherCheckpointFile(Gen g, byte[] file) {
    Map<?, ?> want = Checkpoint.describe(file);
    while (true) {
      byte[] other = ck(g, false, false).ck.toBytes();
      Map<?, ?> got = Checkpoint.describe(other);
      if (!got.entrySet().containsAll(want.entrySet())) {
        return other;
      }
    }
  }

  private static Function<Object, String> loaded(Ck k, byte[] file) {
    return r -> {
      @SuppressWarnings("unchecked")
      Map<String, String> m = (Map<String, String>) r;
      for (Map.Entry<String, String> e : k.meta.entrySet()) {
        if (!e.getValue().equals(m.get(e.getKey()))) {
          return "metadata '" + e.getKey() + "' came back as '" + m.get(e.getKey()) + "'";
        }
      }
      return Arrays.equals(k.ck.toBytes(), file)
          ? null
          : "after load, toBytes() differs from the file that was loaded";
    };
  }

  private static void checkpoints() {
    reg(
        "Checkpoint#load(byte[])",
        "file|header|buffer|tensor",
        g -> {
          Ck k = ck(g, g.random().nextBoolean(), true);
          byte[] b = otherFile(g, k);
          SplittableRandom r = g.random();
          return k.reach(of(k.ck, (Object) b), true)
              .foreign(0, () -> corrupt(b, r))
              .foreign(0, () -> corrupt(b, r))
              .foreign(0, () -> otherCheckpointFile(g, b))
              .ref(c -> loaded(k, (byte[]) c.args[0]));
        });
    reg(
        "Checkpoint#load(Path)",
        "path|file|header|buffer|tensor",
        g -> {
          Ck k = ck(g, g.random().nextBoolean(), true);
          byte[] b = otherFile(g, k);
          SplittableRandom r = g.random();
          return k.reach(of(k.ck, file(b)), true)
              .foreign(0, () -> file(corrupt(b, r)))
              .ref(c -> loaded(k, b));
        });
    reg(
        "Checkpoint#describe(byte[])",
        "file|header|buffer|tensor",
        g -> {
          Ck k = ck(g, g.random().nextBoolean(), true);
          byte[] b = k.ck.toBytes();
          SplittableRandom r = g.random();
          return of(null, (Object) b)
              .foreign(0, () -> corrupt(b, r))
              .ref(
                  c ->
                      res -> {
                        Map<?, ?> d = (Map<?, ?>) res;
                        if (!new ArrayList<>(d.keySet()).equals(k.ck.names())) {
                          return "describe lists " + d.keySet() + ", saved " + k.ck.names();
                        }
                        for (Object v : d.values()) {
                          if (!v.toString().startsWith("F32[")) {
                            return "describe gives " + v;
                          }
                        }
                        return null;
                      });
        });
    reg(
        "Checkpoint#toBytes()",
        "",
        g -> {
          Ck k = ck(g, g.random().nextBoolean(), true);
          return k.reach(of(k.ck), false)
              .ref(
                  c ->
                      r ->
                          Arrays.equals((byte[]) r, k.ck.toBytes())
                              ? trips(k).apply(c).apply(k.ck)
                              : "toBytes not deterministic");
        });
    reg(
        "Checkpoint#save(Path)",
        "path",
        g -> {
          Ck k = ck(g, g.random().nextBoolean(), true);
          Path p = file(new byte[0]);
          return k.reach(of(k.ck, p), false)
              .ref(
                  c ->
                      r -> {
                        try {
                          if (!Arrays.equals(Files.readAllBytes(p), k.ck.toBytes())) {
                            return "the saved file differs from toBytes()";
                          }
                          Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
                          return Files.exists(tmp) ? "temporary file " + tmp + " left" : null;
                        } catch (IOException e) {
                          return "reading the saved file: " + e;
                        }
                      });
        });
    reg(
        "Checkpoint#empty()",
        "",
        g ->
            of(null)
                .ref(
                    c ->
                        r -> {
                          Checkpoint e = (Checkpoint) r;
                          return e.names().isEmpty()
                              ? roundTrip(e, List.of(), List.of())
                              : "not empty";
                        }));
    reg(
        "Checkpoint#of(TensorSet)",
        "tensors|tensor",
        g -> {
          Ck k = ck(g, false, false);
          return k.reach(of(null, k.layout), false)
              .foreign(0, () -> TensorView.vector("", new float[2], 0, 2))
              .foreign(0, () -> TensorView.vector("__metadata__", new float[2], 0, 2))
              .ref(
                  c ->
                      r ->
                          ((Checkpoint) r).names().size() == k.layout.viewCount()
                              ? trips(k).apply(c).apply(r)
                              : "names " + ((Checkpoint) r).names());
        });
    reg(
        "Checkpoint#of(String,TensorSet)",
        "prefix,tensors|tensor",
        g -> {
          Ck k = ck(g, false, false);
          return k.reach(of(null, "rnn.", k.layout), false)
              .foreign(1, () -> TensorView.vector("", new float[2], 0, 2))
              .ref(
                  c ->
                      r -> {
                        for (String nm : ((Checkpoint) r).names()) {
                          if (!nm.startsWith((String) c.args[0])) {
                            return "name " + nm + " without the prefix";
                          }
                        }
                        return trips(k).apply(c).apply(r);
                      });
        });
    reg(
        "Checkpoint#withTensors(String,TensorSet)",
        "prefix|tensor name,tensors|tensor",
        g -> {
          Ck k = ck(g, g.random().nextBoolean(), true);
          float[] extra = special(g, 1 + sz(g, 9));
          k.arrays.add(extra);
          TensorView v = TensorView.vector("bias", extra, 0, extra.length);
          float[] p = k.params;
          return k.reach(of(k.ck, "extra.", v), false)
              .foreign(0, () -> "model.")
              .foreign(0, () -> "")
              .foreign(1, () -> TensorView.vector("overlap", p, 0, p.length))
              .ref(
                  c ->
                      r -> {
                        List<String> nm = ((Checkpoint) r).names();
                        if (!nm.get(nm.size() - 1)
                                .equals(c.args[0] + ((TensorSet) c.args[1]).view(0).name())
                            || nm.size() != k.ck.names().size() + 1) {
                          return "names " + nm;
                        }
                        return roundTrip((Checkpoint) r, k.arrays, k.states);
                      });
        });
    reg(
        "Checkpoint#withOptimizerState(String,TensorSet,OptimizerState)",
        "prefix,layout,state",
        g -> {
          Ck k = ck(g, g.random().nextBoolean(), true);
          Optimizer o = optimizer(g, -1, true);
          int n = k.params.length;
          OptimizerState s = o.newState(n);
          o.step(g.array(n, 1), g.array(n, 1), s);
          s.setStep(1 + g.random().nextInt(1000));
          for (int i = 0; i < s.bufferCount(); i++) {
            System.arraycopy(special(g, n), 0, s.buffer(i), 0, n);
            k.arrays.add(s.buffer(i));
          }
          k.states.add(s);
          FuzzCall c = k.reach(of(k.ck, "optim2.", k.layout, s), false);
          for (int i = 0; i < s.bufferCount(); i++) {
            c.reach("state." + s.bufferName(i), s.buffer(i));
          }
          if (!k.states.isEmpty() && k.states.size() > 1) {
            c.foreign(0, () -> "optim.");
          }
          int last = 0;
          for (TensorView v : k.layout.views()) {
            last = Math.max(last, v.offset() + v.length());
          }
          if (last > 0) {
            int small = last - 1;
            c.foreign(2, () -> o.newState(small));
          }
          return c.ref(
              cc ->
                  r -> {
                    List<String> nm = ((Checkpoint) r).names();
                    int want = k.ck.names().size() + s.bufferCount() * k.layout.viewCount();
                    if (nm.size() != want) {
                      return "names " + nm + ", expected " + want + " of them";
                    }
                    return roundTrip((Checkpoint) r, k.arrays, k.states);
                  });
        });
    reg(
        "Checkpoint#withMetadata(String,String)",
        "key,value",
        g -> {
          Ck k = ck(g, g.random().nextBoolean(), false);
          SplittableRandom r = g.random();
          // Paired surrogates (a code point above U+FFFF) are valid; unpaired ones are refused
          // (FindingsTest#metadataWithUnpairedSurrogatesIsRefused).
          String key = META[r.nextInt(META.length)] + (r.nextInt(6) == 0 ? "\ud83d\ude00" : "");
          String value = META[r.nextInt(META.length)] + (r.nextInt(6) == 0 ? "x\ud800\udc00" : "");
          return k.reach(of(k.ck, key, value), false)
              .ref(
                  c ->
                      res -> {
                        Checkpoint out = (Checkpoint) res;
                        String s = roundTrip(out, k.arrays, k.states);
                        if (s != null) {
                          return s;
                        }
                        Map<String, String> m;
                        try {
                          m = out.load(out.toBytes());
                        } catch (RuntimeException e) {
                          return "its own file does not load: " + e;
                        }
                        String kk = (String) c.args[0], vv = (String) c.args[1];
                        return vv.equals(m.get(kk))
                            ? null
                            : "metadata '"
                                + escape(kk)
                                + "' = '"
                                + escape(vv)
                                + "' came back as "
                                + escape(String.valueOf(m.get(kk)))
                                + " (keys "
                                + escape(m.keySet().toString())
                                + ")";
                      });
        });
    reg(
        "Checkpoint#withStrict(boolean)",
        "on|strict",
        g -> {
          Ck k = ck(g, g.random().nextBoolean(), true);
          return k.reach(of(k.ck, g.random().nextBoolean()), false)
              .ref(
                  c ->
                      res -> {
                        Checkpoint out = (Checkpoint) res;
                        String s = roundTrip(out, k.arrays, k.states);
                        if (s != null) {
                          return s;
                        }
                        byte[] more =
                            out.withTensors("zz.", TensorView.vector("x", new float[2], 0, 2))
                                .toBytes();
                        boolean strict = (Boolean) c.args[0];
                        List<float[]> saved = new ArrayList<>();
                        for (float[] a : k.arrays) {
                          saved.add(a.clone());
                        }
                        try {
                          out.load(more);
                          return strict ? "strict load accepted an extra tensor" : null;
                        } catch (IllegalArgumentException e) {
                          if (!strict) {
                            return "non-strict load refused an extra tensor: " + e.getMessage();
                          }
                          for (int i = 0; i < saved.size(); i++) {
                            if (!Arrays.equals(saved.get(i), k.arrays.get(i))) {
                              return "refused strict load wrote array " + i;
                            }
                          }
                          return null;
                        }
                      });
        });
    reg(
        "Checkpoint#names()",
        "",
        g -> {
          Ck k = ck(g, g.random().nextBoolean(), false);
          return k.reach(of(k.ck), false)
              .ref(
                  c ->
                      r -> {
                        try {
                          ((List<String>) r).add("x");
                          return "names() is modifiable";
                        } catch (UnsupportedOperationException e) {
                          return null;
                        }
                      });
        });
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char ch : s.toCharArray()) {
      b.append(ch < 0x20 || Character.isSurrogate(ch) ? String.format("\\u%04x", (int) ch) : ch);
    }
    return b.toString();
  }

  // ================================================================ trainer

  /** The view names of a network's flat layout (the names {@code Trainer.Builder#mask} takes). */
  static List<String> viewNames(RecurrentNetwork net) {
    float[] probe = new float[net.parameterCount()];
    TensorGroup views =
        net instanceof ElmanRnn e
            ? e.layout().tensors(probe)
            : ((StackedRnn) net).layout().tensors(probe);
    List<String> names = new ArrayList<>();
    for (TensorView v : views.views()) {
      names.add(v.name());
    }
    return names;
  }

  /**
   * A builder over a fixture network with random settings: optimizer, strategy (with the exact
   * shape) or a larger capacity, schedule, clip kind and clipper, monitor, gradient scale, mask,
   * history and a one-thread team (no worker to leak); the shape is set when {@code shape}.
   */
  static Trainer.Builder trainerBuilder(Gen g, Net n, boolean shape) {
    SplittableRandom r = g.random();
    Trainer.Builder b = Trainer.builder(n.net, n.params, optimizer(g, -1, false));
    if (r.nextBoolean()) {
      b.strategy(Registry.strategy(g, n.steps));
      if (shape) {
        b.shape(n.shape);
      }
    } else if (shape) {
      b.shape(SequenceShape.steps(n.steps + r.nextInt(3)).batch(n.batch + r.nextInt(2)));
    }
    if (r.nextBoolean()) {
      b.schedule(LrSchedule.cosine(0.001 + 0.05 * r.nextDouble(), 1 + r.nextInt(20), 0));
    }
    Trainer.Clip kind = Trainer.Clip.values()[r.nextInt(Trainer.Clip.values().length)];
    double threshold =
        kind == Trainer.Clip.VALUE ? 0.01 + 0.1 * r.nextDouble() : 0.05 + r.nextDouble();
    b.clip(kind, kind == Trainer.Clip.NONE ? null : Registry.clipper(g), threshold);
    if (r.nextInt(3) == 0) {
      b.monitor(Registry.monitor(g), r.nextBoolean());
    }
    if (r.nextInt(3) == 0) {
      b.gradientScale(0.25 + 4 * r.nextDouble());
    }
    if (r.nextInt(3) == 0) {
      List<String> names = viewNames(n.net);
      b.mask(names.get(r.nextInt(names.size())));
    }
    b.history(r.nextInt(4));
    if (r.nextInt(4) == 0) {
      b.threads(BatchThreads.start(1));
    }
    return b;
  }

  /** A built trainer after 0 to 2 steps, with what each step returned and recorded. */
  private static final class Tr {
    final Net n;
    final Trainer trainer;
    final List<Double> losses = new ArrayList<>();
    final List<Double> norms = new ArrayList<>();
    final List<Integer> flags = new ArrayList<>();

    Tr(Gen g, int minSteps, int history) {
      n = Fixtures.net(g, -1);
      Trainer.Builder b = trainerBuilder(g, n, true);
      if (history >= 0) {
        b.history(history);
      }
      trainer = b.build();
      for (int k = minSteps + g.random().nextInt(3); k > 0; k--) {
        int clips = trainer.clipEvents(), skips = trainer.skippedSteps();
        losses.add(trainer.step(n.seq));
        norms.add(trainer.lastNorm());
        flags.add(
            (trainer.clipEvents() > clips ? Trainer.CLIPPED : 0)
                | (trainer.skippedSteps() > skips ? Trainer.SKIPPED : 0));
      }
    }
  }

  private static boolean sameBits(float[] a, float[] b) {
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < a.length; i++) {
      if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
        return false;
      }
    }
    return true;
  }

  /** A builder setter returns its builder, which still builds a trainer that steps n.seq. */
  private static Function<FuzzCall, Function<Object, String>> builds(Net n) {
    return builds(n, true);
  }

  /**
   * {@link #builds(Net)}; θ must stay finite after the step when {@code finiteTheta} (not for huge
   * gradient scales: g² overflows in the optimizer state, as it would without the trainer).
   */
  private static Function<FuzzCall, Function<Object, String>> builds(Net n, boolean finiteTheta) {
    return c ->
        r -> {
          if (r != c.receiver) {
            return "returned " + r + ", not its builder";
          }
          Trainer t = ((Trainer.Builder) r).build();
          if (t.params() != n.params || t.steps() != 0 || t.recorded() != 0) {
            return "a fresh trainer has params " + t.params() + ", steps " + t.steps();
          }
          double loss = t.step(n.seq);
          if (t.steps() != 1 || !Double.isFinite(loss) || (finiteTheta && !finite(n.params))) {
            return "a step after the call gave loss " + loss + ", steps " + t.steps();
          }
          return null;
        };
  }

  private static FuzzCall builderCall(Net n, Trainer.Builder b, Object... args) {
    return of(b, args).reach("params|θ", n.params).ref(builds(n));
  }

  private static SequenceBatch batchOf(RecurrentNetwork net, int steps, int batch) {
    return new SequenceBatch(net, SequenceShape.steps(steps).batch(batch))
        .input(new float[steps * batch * net.inputSize()])
        .upstream(new float[steps * batch * net.stepOutputSize()]);
  }

  private static void trainers() {
    reg(
        "Trainer#builder(RecurrentNetwork,float[],Optimizer)",
        "net|network,params|θ,optimizer",
        g -> {
          Net n = Fixtures.net(g, -1);
          return of(null, n.net, n.params, optimizer(g, -1, false))
              .foreign(0, () -> Fixtures.other(n.net))
              .ref(
                  c ->
                      r -> {
                        Trainer t =
                            ((Trainer.Builder) r)
                                .shape(SequenceShape.steps(n.steps).batch(n.batch))
                                .build();
                        return t.params() == c.args[1]
                                && t.state().size() == ((float[]) c.args[1]).length
                            ? null
                            : "the trainer does not hold the params it was given";
                      });
        });
    reg(
        "Trainer#step(SequenceBatch)",
        "seq|sequence|batch",
        g -> {
          Tr tr = new Tr(g, 0, -1);
          Net n = tr.n;
          Trainer t = tr.trainer;
          FuzzCall c = of(t, n.seq);
          Fixtures.reachBatch(c, n);
          c.reach("params|θ", n.params).out("params|θ");
          OptimizerState st = t.state();
          for (int i = 0; i < st.bufferCount(); i++) {
            c.reach("state." + st.bufferName(i), st.buffer(i)).out("state." + st.bufferName(i));
          }
          // t.grads() is not reached: a refused step zeroes it before the batch is checked
          return c.foreign(0, () -> batchOf(Fixtures.other(n.net), n.steps, n.batch))
              .foreign(0, () -> batchOf(n.net, n.steps + 3, n.batch))
              .foreign(0, () -> batchOf(n.net, n.steps, n.batch + 2))
              .ref(
                  cc -> {
                    int steps0 = t.steps(), skips0 = t.skippedSteps(), clips0 = t.clipEvents();
                    int rec0 = t.recorded();
                    long t0 = st.step();
                    float[] p0 = n.params.clone();
                    return res -> {
                      double loss = (Double) res;
                      if (t.steps() != steps0 + 1) {
                        return "steps() " + t.steps() + " after a step from " + steps0;
                      }
                      if (Double.compare(loss, t.lastLoss()) != 0) {
                        return "returned " + loss + ", lastLoss() " + t.lastLoss();
                      }
                      int ds = t.skippedSteps() - skips0, dc = t.clipEvents() - clips0;
                      if (ds < 0 || ds > 1 || dc < 0 || dc > 1 || ds + dc > 1) {
                        return "skipped/clip counters moved by " + ds + "/" + dc;
                      }
                      if (ds == 1 && (!sameBits(p0, n.params) || st.step() != t0)) {
                        return "a skipped step wrote θ or advanced the optimizer (t "
                            + st.step()
                            + ")";
                      }
                      if (ds == 0 && st.step() != t0 + 1) {
                        return "optimizer t " + st.step() + " after an update from " + t0;
                      }
                      if (!Double.isFinite(loss)
                          || !Double.isFinite(t.lastNorm())
                          || !finite(n.params)) {
                        return "non-finite loss "
                            + loss
                            + ", norm "
                            + t.lastNorm()
                            + " or θ for finite inputs";
                      }
                      int rec = t.recorded();
                      if (rec != rec0 && rec != rec0 + 1) {
                        return "recorded() " + rec + " after " + rec0;
                      }
                      if (rec > rec0) {
                        int want =
                            (dc == 1 ? Trainer.CLIPPED : 0) | (ds == 1 ? Trainer.SKIPPED : 0);
                        if (Float.compare(t.loss(rec0), (float) loss) != 0
                            || Float.compare(t.norm(rec0), (float) t.lastNorm()) != 0
                            || t.flags(rec0) != want) {
                          return "history of step "
                              + rec0
                              + ": "
                              + t.loss(rec0)
                              + ", "
                              + t.norm(rec0)
                              + ", flags "
                              + t.flags(rec0)
                              + "; expected "
                              + loss
                              + ", "
                              + t.lastNorm()
                              + ", "
                              + want;
                        }
                      }
                      return null;
                    };
                  });
        });
    reg.noArgs(
        "training.Trainer",
        g -> new Tr(g, 0, -1).trainer,
        "clipEvents",
        "grads",
        "lastClip",
        "lastLoss",
        "lastNorm",
        "params",
        "recorded",
        "skippedSteps",
        "state",
        "steps");
    String[] hist = {"loss", "norm", "flags"};
    for (String h : hist) {
      reg(
          "Trainer#" + h + "(int)",
          "i",
          g -> {
            Tr tr = new Tr(g, 1, 1 + g.random().nextInt(3));
            Trainer t = tr.trainer;
            return of(t, g.random().nextInt(t.recorded()))
                .ref(
                    c ->
                        r -> {
                          int i = (Integer) c.args[0];
                          Object want =
                              switch (h) {
                                case "loss" -> (float) (double) tr.losses.get(i);
                                case "norm" -> (float) (double) tr.norms.get(i);
                                default -> tr.flags.get(i);
                              };
                          return want.equals(r)
                              ? null
                              : h + "(" + i + ") " + r + ", step gave " + want;
                        });
          });
    }

    // Trainer.Builder
    String builder = "Trainer$Builder#";
    reg(
        builder + "shape(SequenceShape)",
        "shape|capacity",
        g -> {
          Net n = Fixtures.net(g, -1);
          return builderCall(n, trainerBuilder(g, n, false), n.shape);
        });
    reg(
        builder + "strategy(BpttStrategy)",
        "strategy",
        g -> {
          Net n = Fixtures.net(g, -1);
          Trainer.Builder b = trainerBuilder(g, n, false).shape(n.shape);
          return builderCall(n, b, Registry.strategy(g, n.steps));
        });
    reg(
        builder + "threads(BatchThreads)",
        "threads",
        g -> {
          Net n = Fixtures.net(g, -1);
          return builderCall(n, trainerBuilder(g, n, true), BatchThreads.start(1)).nullable(0);
        });
    reg(
        builder + "schedule(LrSchedule)",
        "schedule",
        g -> {
          Net n = Fixtures.net(g, -1);
          return builderCall(n, trainerBuilder(g, n, true), LrSchedule.step(0.01, 2, 0.5));
        });
    reg(
        builder + "clip(Clip,GradientClipper,double)",
        "kind,clipper,threshold|θ|c|λ",
        g -> {
          Net n = Fixtures.net(g, -1);
          SplittableRandom r = g.random();
          Trainer.Clip kind = Trainer.Clip.values()[r.nextInt(Trainer.Clip.values().length)];
          return builderCall(
              n, trainerBuilder(g, n, true), kind, Registry.clipper(g), 2 * r.nextDouble());
        });
    reg(
        builder + "monitor(ExplosionMonitor,boolean)",
        "monitor,skip",
        g -> {
          Net n = Fixtures.net(g, -1);
          ExplosionMonitor m = Registry.monitor(g);
          return of(trainerBuilder(g, n, true), m, g.random().nextBoolean())
              .reach("params|θ", n.params)
              .ref(
                  c -> {
                    Function<Object, String> base = builds(n).apply(c);
                    long seen = m.steps();
                    return r -> {
                      String s = base.apply(r);
                      return s != null || c.args[0] != m || m.steps() == seen + 1
                          ? s
                          : "the monitor saw " + (m.steps() - seen) + " norms in one step";
                    };
                  });
        });
    reg(
        builder + "gradientScale(double)",
        "s|gradientScale",
        g -> {
          Net n = Fixtures.net(g, -1);
          return of(trainerBuilder(g, n, true), 0.25 + 4 * g.random().nextDouble())
              .reach("params|θ", n.params)
              .ref(c -> builds(n, (Double) c.args[0] <= 1e3).apply(c));
        });
    reg(
        builder + "mask(String[])",
        "viewNames",
        g -> {
          Net n = Fixtures.net(g, -1);
          List<String> names = viewNames(n.net);
          SplittableRandom r = g.random();
          String[] pick =
              r.nextBoolean()
                  ? new String[] {names.get(r.nextInt(names.size()))}
                  : new String[] {
                    names.get(r.nextInt(names.size())), names.get(r.nextInt(names.size()))
                  };
          return of(trainerBuilder(g, n, true), (Object) pick)
              .reach("params|θ", n.params)
              .foreign(0, () -> new String[] {"no_such_view"})
              .foreign(0, () -> new String[] {names.get(0), null})
              .foreign(0, () -> new String[] {names.get(0).toUpperCase() + "x"})
              .ref(
                  c -> {
                    Function<Object, String> base = builds(n).apply(c);
                    return r2 -> {
                      String s = base.apply(r2);
                      if (s != null) {
                        return s;
                      }
                      // the masked views' gradient is zero after a step
                      Trainer t = ((Trainer.Builder) r2).build();
                      t.step(n.seq);
                      float[] probe = new float[n.net.parameterCount()];
                      TensorGroup views =
                          n.net instanceof ElmanRnn e
                              ? e.layout().tensors(probe)
                              : ((StackedRnn) n.net).layout().tensors(probe);
                      for (String name : (String[]) c.args[0]) {
                        for (TensorView v : views.views()) {
                          if (v.name().equals(name)) {
                            for (int i = v.offset(); i < v.offset() + v.length(); i++) {
                              if (t.grads()[i] != 0) {
                                return "masked view " + name + " has gradient " + t.grads()[i];
                              }
                            }
                          }
                        }
                      }
                      return null;
                    };
                  });
        });
    reg(
        builder + "history(int)",
        "n|history",
        g -> {
          Net n = Fixtures.net(g, -1);
          return of(trainerBuilder(g, n, true), g.random().nextInt(5))
              .bounded(0)
              .reach("params|θ", n.params)
              .ref(
                  c ->
                      r -> {
                        Trainer t = ((Trainer.Builder) r).build();
                        t.step(n.seq);
                        t.step(n.seq);
                        int want = Math.min(2, (Integer) c.args[0]);
                        return t.recorded() == want
                            ? null
                            : "recorded() " + t.recorded() + " after 2 steps, history " + c.args[0];
                      });
        });
    reg(
        builder + "build()",
        "",
        g -> {
          Net n = Fixtures.net(g, -1);
          return of(trainerBuilder(g, n, true))
              .reach("params|θ", n.params)
              .ref(
                  c ->
                      r -> {
                        Trainer t = (Trainer) r;
                        int p = n.net.parameterCount();
                        if (t.params() != n.params
                            || t.grads().length != p
                            || t.state().size() != p
                            || t.state().step() != 0) {
                          return "built trainer: params, g or state of the wrong size";
                        }
                        for (float x : t.grads()) {
                          if (Float.floatToRawIntBits(x) != 0) {
                            return "a fresh trainer's g is not zero";
                          }
                        }
                        return t.steps() == 0
                                && t.recorded() == 0
                                && Double.isNaN(t.lastLoss())
                                && Double.isNaN(t.lastNorm())
                            ? null
                            : "a fresh trainer is not at step 0: " + t;
                      });
        });
  }
}
