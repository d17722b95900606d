package dev.bptt.verify.fuzz;

import static dev.bptt.verify.fuzz.FuzzCall.of;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.blas.Transpose;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWindowListener;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.bptt.TruncationSchedule;
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
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.Gate;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.NonFiniteStateException;
import dev.bptt.kernel.rnn.RecurrentNetwork;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.RnnStreamState;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackLayout;
import dev.bptt.kernel.rnn.StackedRnn;
import dev.bptt.kernel.spectral.Spectral;
import dev.bptt.kernel.spectral.SpectralEstimate;
import dev.bptt.kernel.spectral.SpectralEstimator;
import dev.bptt.verify.Gen;
import dev.bptt.verify.fuzz.Fixtures.Net;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One generator per public entry point, keyed {@code package.Class#method(ParamTypes)} (the package
 * relative to {@code dev.bptt.kernel}; constructors are {@code <init>}), with the parameter names
 * the javadoc uses.
 */
final class Registry {
  record Spec(String key, String[] names, Function<Gen, FuzzCall> gen) {}

  final TreeMap<String, Spec> specs = new TreeMap<>();

  /** The team workspaces are made with (two daemon threads for the test JVM's lifetime). */
  private static final BatchThreads TEAM = BatchThreads.start(2);

  void reg(String key, String names, Function<Gen, FuzzCall> gen) {
    String[] n = names.isEmpty() ? new String[0] : names.split(",");
    if (specs.put(key, new Spec(key, n, gen)) != null) {
      throw new IllegalStateException("duplicate generator " + key);
    }
  }

  /** No-argument instance methods of one class, called on a receiver from {@code recv}. */
  void noArgs(String cls, Function<Gen, Object> recv, String... methods) {
    for (String m : methods) {
      reg(cls + "#" + m + "()", "", g -> of(recv.apply(g)));
    }
  }

  private static int sz(Gen g, int max) {
    return g.size(max);
  }

  private static Function<Object, String> nonNegative(Object r) {
    long v = ((Number) r).longValue();
    return x -> v >= 0 ? null : "returned a negative size/count/offset " + v;
  }

  private static Function<FuzzCall, Function<Object, String>> nonNeg() {
    return c -> r -> ((Number) r).longValue() >= 0 ? null : "returned negative " + r;
  }

  private static Function<FuzzCall, Function<Object, String>> finiteArg(int idx) {
    return c -> {
      float[] a = (float[]) c.args[idx];
      return r -> Fixtures.finite(a) ? null : "wrote a non-finite entry into " + c.names[idx];
    };
  }

  private static Function<FuzzCall, Function<Object, String>> finiteEstimate() {
    return c ->
        r -> {
          SpectralEstimate e = (SpectralEstimate) r;
          return Double.isFinite(e.value()) ? null : "accepted call returned value " + e.value();
        };
  }

  Registry() {
    blas();
    rnn();
    bptt();
    clip();
    spectral();
    TrainingGenerators.register(this);
  }

  // ---------------------------------------------------------------- blas
  private void blas() {
    reg("blas.Activation#derivativeBound()", "", g -> of(Fixtures.activation(g)));
    reg("blas.Blas#implementation()", "", g -> of(null));
    reg(
        "blas.Blas#dot(int,float[],int,float[],int)",
        "n,x,xOff,y,yOff",
        g -> {
          int n = sz(g, 40), xo = g.offset(), yo = g.offset();
          return of(null, n, g.array(xo + n, 1), xo, g.array(yo + n, 1), yo)
              .ref(c -> BlasRef.dot(c.args));
        });
    reg(
        "blas.Blas#axpy(int,float,float[],int,float[],int)",
        "n,alpha,x,xOff,y,yOff",
        g -> {
          int n = sz(g, 40), xo = g.offset(), yo = g.offset();
          return of(null, n, g.scalar(), g.array(xo + n, 1), xo, g.array(yo + n, 1), yo)
              .out("y")
              .ref(c -> BlasRef.axpy(c.args));
        });
    reg(
        "blas.Blas#scale(int,float,float[],int)",
        "n,alpha,x,xOff",
        g -> {
          int n = sz(g, 40), xo = g.offset();
          return of(null, n, g.scalar(), g.array(xo + n, 1), xo)
              .out("x")
              .ref(c -> BlasRef.scale(c.args));
        });
    for (String nm : new String[] {"sumOfSquares", "norm2", "norm1", "normInf"}) {
      reg(
          "blas.Blas#" + nm + "(int,float[],int)",
          "n,x,xOff",
          g -> {
            int n = sz(g, 40), xo = g.offset();
            return of(null, n, g.array(xo + n, 1), xo).ref(c -> BlasRef.norm(nm, c.args));
          });
    }
    for (boolean t : new boolean[] {false, true}) {
      reg(
          "blas.Blas#"
              + (t ? "gemvT" : "gemv")
              + "(int,int,float,float[],int,int,float[],int,float,float[],int)",
          "m,n,alpha,a|A,aOff,lda,x,xOff,beta,y,yOff",
          g -> {
            int m = sz(g, 12), n = sz(g, 12), ld = g.ld(n), ao = g.offset();
            int xo = g.offset(), yo = g.offset();
            int xl = t ? m : n, yl = t ? n : m;
            float[] a = g.array(ao + (m == 0 ? 0 : (m - 1) * ld + n), 1);
            return of(
                    null,
                    m,
                    n,
                    g.scalar(),
                    a,
                    ao,
                    ld,
                    g.array(xo + xl, 1),
                    xo,
                    g.scalar(),
                    g.array(yo + yl, 1),
                    yo)
                .out("y")
                .ref(c -> BlasRef.gemv(t, c.args));
          });
    }
    reg(
        "blas.Blas#ger(int,int,float,float[],int,float[],int,float[],int,int)",
        "m,n,alpha,x,xOff,y,yOff,a|A,aOff,lda",
        g -> {
          int m = sz(g, 12), n = sz(g, 12), ld = g.ld(n), ao = g.offset();
          int xo = g.offset(), yo = g.offset();
          float[] a = g.array(ao + (m == 0 ? 0 : (m - 1) * ld + n), 1);
          return of(
                  null, m, n, g.scalar(), g.array(xo + m, 1), xo, g.array(yo + n, 1), yo, a, ao, ld)
              .out("a|A")
              .ref(c -> BlasRef.ger(c.args));
        });
    reg(
        "blas.Blas#gemm(Transpose,Transpose,int,int,int,float,float[],int,int,float[],int,int,float,float[],int,int)",
        "transA,transB,m,n,k,alpha,a|A,aOff,lda,b|B,bOff,ldb,beta,c|C,cOff,ldc",
        g -> {
          SplittableRandom r = g.random();
          Transpose ta = r.nextBoolean() ? Transpose.N : Transpose.T;
          Transpose tb = r.nextBoolean() ? Transpose.N : Transpose.T;
          int m = sz(g, 10), n = sz(g, 10), k = sz(g, 10);
          int ar = ta == Transpose.N ? m : k, ac = ta == Transpose.N ? k : m;
          int br = tb == Transpose.N ? k : n, bc = tb == Transpose.N ? n : k;
          int lda = g.ld(ac), ldb = g.ld(bc), ldc = g.ld(n);
          int ao = g.offset(), bo = g.offset(), co = g.offset();
          float[] a = g.array(ao + (ar == 0 ? 0 : (ar - 1) * lda + ac), 1);
          float[] b = g.array(bo + (br == 0 ? 0 : (br - 1) * ldb + bc), 1);
          float[] cc = g.array(co + (m == 0 ? 0 : (m - 1) * ldc + n), 1);
          return of(
                  null,
                  ta,
                  tb,
                  m,
                  n,
                  k,
                  g.scalar(),
                  a,
                  ao,
                  lda,
                  b,
                  bo,
                  ldb,
                  g.scalar(),
                  cc,
                  co,
                  ldc)
              .out("c|C")
              .ref(c -> BlasRef.gemm(c.args));
        });
    reg(
        "blas.Blas#activate(Activation,int,float[],int,float[],int)",
        "f,n,x,xOff,y,yOff",
        g -> {
          int n = sz(g, 40), xo = g.offset(), yo = g.offset();
          return of(
                  null,
                  Activation.values()[g.random().nextInt(4)],
                  n,
                  g.array(xo + n, 3),
                  xo,
                  g.array(yo + n, 1),
                  yo)
              .out("y")
              .ref(c -> BlasRef.activate(c.args));
        });
    reg(
        "blas.Blas#activationGrad(Activation,int,float[],int,float[],int,float[],int)",
        "f,n,h,hOff,g,gOff,out,outOff",
        g -> {
          int n = sz(g, 40), ho = g.offset(), go = g.offset(), oo = g.offset();
          return of(
                  null,
                  Activation.values()[g.random().nextInt(4)],
                  n,
                  g.array(ho + n, 1),
                  ho,
                  g.array(go + n, 1),
                  go,
                  g.array(oo + n, 1),
                  oo)
              .out("out")
              .ref(c -> BlasRef.activationGrad(c.args));
        });
  }

  // ---------------------------------------------------------------- rnn
  private static RnnWorkspace forwarded(Net n) {
    RnnWorkspace ws = new RnnWorkspace(n.net, n.shape);
    Fixtures.forward(n.net, n.params, n.seq, ws);
    return ws;
  }

  private void networkEntries(String cls, int kind) {
    reg(
        cls + "#forward(float[],SequenceBatch,RnnWorkspace)",
        "params,seq|sequence|batch,ws|workspace",
        g -> {
          Net n = Fixtures.net(g, kind);
          RnnWorkspace ws = new RnnWorkspace(n.net, n.shape);
          FuzzCall c = of(n.net, n.params, n.seq, ws);
          Fixtures.reachBatch(c, n);
          Fixtures.reachWorkspace(c, ws, true);
          return c.ise() // SequenceBatch#checkForward: IllegalStateException if no input was set
              .foreign(1, () -> new SequenceBatch(Fixtures.other(n.net), n.shape))
              .foreign(1, () -> new SequenceBatch(n.net, n.shape))
              .foreign(2, () -> new RnnWorkspace(Fixtures.other(n.net), n.shape))
              .foreign(2, () -> new RnnWorkspace(n.net, SequenceShape.steps(1).batch(1)))
              .ref(
                  cc ->
                      r ->
                          Double.isFinite((Double) r) || !Fixtures.finite((float[]) cc.args[0])
                              ? null
                              : "non-finite loss " + r + " for finite inputs");
        });
    reg(
        cls + "#backward(float[],float[],SequenceBatch,RnnWorkspace)",
        "params,grads,seq|sequence|batch,ws|workspace",
        g -> {
          Net n = Fixtures.net(g, kind);
          float[] dh0 = g.random().nextBoolean() ? new float[n.batch * n.net.stateSize()] : null;
          if (dh0 != null) {
            n.seq.initialStateGradient(dh0);
          }
          RnnWorkspace ws = forwarded(n);
          float[] grads = new float[n.net.parameterCount()];
          FuzzCall c = of(n.net, n.params, grads, n.seq, ws);
          Fixtures.reachBatch(c, n);
          Fixtures.reachWorkspace(c, ws, true);
          c.reach("seq.initialStateGradient", dh0).out("seq.initialStateGradient", "grads");
          return c.ise()
              .foreign(2, () -> new SequenceBatch(Fixtures.other(n.net), n.shape))
              .foreign(2, () -> new SequenceBatch(n.net, n.shape).input(n.x))
              .foreign(3, () -> new RnnWorkspace(n.net, n.shape))
              .foreign(3, () -> new RnnWorkspace(Fixtures.other(n.net), n.shape))
              .ref(cc -> r -> Fixtures.finite(grads) ? null : "non-finite gradient");
        });
    reg(
        cls + "#advance(float[],float[],int,int,RnnStreamState)",
        "params,x,xOff,steps,state",
        g -> {
          Net n = Fixtures.net(g, kind);
          RnnStreamState st = new RnnStreamState(n.net, n.batch);
          int xo = g.offset();
          float[] x = g.array(xo + n.x.length, 1);
          FuzzCall c = of(n.net, n.params, x, xo, n.steps, st);
          c.reach("state.hidden", st.hidden()).reach("state.output", st.output());
          return c.out("state.hidden", "state.output")
              .foreign(4, () -> new RnnStreamState(Fixtures.other(n.net), n.batch));
        });
    reg(
        cls + "#zeroGradients(float[])",
        "grads",
        g -> {
          Net n = Fixtures.net(g, kind);
          return of(n.net, g.array(n.net.parameterCount(), 1)).out("grads");
        });
  }

  private void rnn() {
    noArgs(
        "rnn.CellType", g -> CellType.values()[g.random().nextInt(3)], "carriedVectors", "gates");
    noArgs("rnn.Gate", g -> Gate.values()[g.random().nextInt(8)], "cell", "index");
    reg(
        "rnn.ElmanRnn#<init>(RnnLayout,Activation)",
        "layout,activation",
        g -> of(null, new RnnLayout(1 + sz(g, 5), 1 + sz(g, 5), sz(g, 3)), Fixtures.activation(g)));
    networkEntries("rnn.ElmanRnn", 0);
    noArgs(
        "rnn.ElmanRnn",
        g -> Fixtures.network(g, 0),
        "activation",
        "inputSize",
        "layout",
        "parameterCount",
        "stateSize",
        "stepOutputSize");
    networkEntries("rnn.StackedRnn", -2);
    noArgs(
        "rnn.StackedRnn",
        g -> Fixtures.network(g, 1 + g.random().nextInt(3)),
        "activation",
        "cell",
        "inputSize",
        "layerNorm",
        "layout",
        "parameterCount",
        "stateSize",
        "stepOutputSize",
        "withLayerNorm");
    reg(
        "rnn.StackedRnn#elman(int,int,Activation)",
        "inputSize,hiddenSize,activation",
        g -> of(null, 1 + sz(g, 8), 1 + sz(g, 8), Fixtures.activation(g)));
    reg(
        "rnn.StackedRnn#gru(int,int)",
        "inputSize,hiddenSize",
        g -> of(null, 1 + sz(g, 8), 1 + sz(g, 8)));
    reg(
        "rnn.StackedRnn#lstm(int,int)",
        "inputSize,hiddenSize",
        g -> of(null, 1 + sz(g, 8), 1 + sz(g, 8)));
    reg(
        "rnn.StackedRnn#of(StackLayout,Activation)",
        "layout,activation",
        g -> of(null, stackLayout(g), Fixtures.activation(g)));
    reg(
        "rnn.StackedRnn#withLayers(int)",
        "layers",
        g -> of(Fixtures.network(g, 1 + g.random().nextInt(3)), 1 + g.random().nextInt(3)));
    reg(
        "rnn.StackedRnn#withReadout(int)",
        "outputSize",
        g -> of(Fixtures.network(g, 1 + g.random().nextInt(3)), g.random().nextInt(4)));
    reg(
        "rnn.StackedRnn#initialParameters(RandomGenerator)",
        "rng|random",
        g -> {
          long seed = g.random().nextLong();
          return of(Fixtures.network(g, 1 + g.random().nextInt(3)), new SplittableRandom(seed))
              .ref(c -> r -> initialDraws((StackedRnn) c.receiver, seed, (float[]) r));
        });

    // LossSteps
    reg(
        "rnn.LossSteps#at(int[])",
        "steps",
        g -> of(null, (Object) new int[] {1, 2 + g.random().nextInt(3)}));
    reg("rnn.LossSteps#everyStep()", "", g -> of(null));
    reg("rnn.LossSteps#lastStep()", "", g -> of(null));
    reg("rnn.LossSteps#none()", "", g -> of(null));
    reg("rnn.LossSteps#checkFits(int)", "steps", g -> of(lossSteps(g), 5 + sz(g, 5)));
    reg("rnn.LossSteps#count(int)", "steps", g -> of(lossSteps(g), 5 + sz(g, 5)).ref(nonNeg()));
    reg(
        "rnn.LossSteps#index(int,int)",
        "t,steps",
        g -> of(LossSteps.everyStep(), 1 + g.random().nextInt(5), 5 + sz(g, 5)).ref(nonNeg()));

    // RnnLayout
    reg(
        "rnn.RnnLayout#<init>(int,int,int)",
        "inputSize,hiddenSize,outputSize",
        g -> of(null, 1 + sz(g, 8), 1 + sz(g, 8), sz(g, 4)));
    for (String v : new String[] {"bh", "by", "tensors", "whh", "why", "wxh"}) {
      reg(
          "rnn.RnnLayout#" + v + "(float[])",
          "array|params|grads",
          g -> {
            RnnLayout l = new RnnLayout(1 + sz(g, 5), 1 + sz(g, 5), 1 + sz(g, 3));
            return of(l, g.array(l.size(), 1));
          });
    }
    noArgs(
        "rnn.RnnLayout",
        g -> new RnnLayout(1 + sz(g, 5), 1 + sz(g, 5), sz(g, 3)),
        "hasReadout",
        "offBh",
        "offBy",
        "offWhh",
        "offWhy",
        "offWxh",
        "size",
        "stepOutputSize");

    // RnnStreamState
    reg(
        "rnn.RnnStreamState#<init>(RecurrentNetwork,int)",
        "rnn|network|net,batch",
        g ->
            of(null, Fixtures.network(g, -1 + 1 + g.random().nextInt(4)), 1 + sz(g, 4))
                .alloc(
                    a ->
                        a[0] == null
                            ? 0
                            : (long) (int) a[1] * ((RecurrentNetwork) a[0]).stateSize() * 8));
    reg(
        "rnn.RnnStreamState#copyHidden(float[],int)",
        "dst,off",
        g -> {
          Net n = Fixtures.net(g, -1);
          RnnStreamState st = new RnnStreamState(n.net, n.batch);
          int off = g.offset();
          return of(st, g.array(off + n.s0.length, 1), off)
              .out("dst")
              .reach("state.hidden", st.hidden());
        });
    reg(
        "rnn.RnnStreamState#reset(float[],int)",
        "h0,off",
        g -> {
          Net n = Fixtures.net(g, -1);
          RnnStreamState st = new RnnStreamState(n.net, n.batch);
          int off = g.offset();
          return of(st, g.array(off + n.s0.length, 1), off)
              .reach("state.hidden", st.hidden())
              .out("state.hidden");
        });
    noArgs(
        "rnn.RnnStreamState",
        g -> {
          Net n = Fixtures.net(g, -1);
          return new RnnStreamState(n.net, n.batch);
        },
        "batch",
        "hidden",
        "network",
        "output",
        "reset",
        "steps");

    // RnnWorkspace
    reg(
        "rnn.RnnWorkspace#<init>(RecurrentNetwork,SequenceShape)",
        "net|network,capacity",
        g -> {
          Net n = Fixtures.net(g, -1);
          return of(null, n.net, n.shape)
              .foreign(1, () -> hugeShape(n.net.stateSize(), g.random().nextBoolean()));
        });
    reg(
        "rnn.RnnWorkspace#copyState(int,float[],int)",
        "t,dst,off",
        g -> {
          Net n = Fixtures.net(g, -1);
          RnnWorkspace ws = forwarded(n);
          int off = g.offset();
          FuzzCall c = of(ws, g.random().nextInt(n.steps + 1), g.array(off + n.s0.length, 1), off);
          Fixtures.reachWorkspace(c, ws, false);
          return c.out("dst");
        });
    for (String m : new String[] {"deltaOffset", "hiddenOffset", "outputOffset"}) {
      reg(
          "rnn.RnnWorkspace#" + m + "(int)",
          "t",
          g -> {
            Net n = Fixtures.net(g, 0);
            RnnWorkspace ws = forwarded(n);
            int t =
                m.equals("hiddenOffset")
                    ? g.random().nextInt(n.steps + 1)
                    : 1 + g.random().nextInt(n.steps);
            float[] buf =
                m.equals("deltaOffset")
                    ? ws.delta()
                    : m.equals("hiddenOffset") ? ws.hidden() : ws.output();
            return of(ws, t)
                .ise()
                .ref(
                    c ->
                        r -> {
                          int o = (Integer) r;
                          return o >= 0 && o <= buf.length
                              ? null
                              : m + " returned " + o + " outside [0, " + buf.length + "]";
                        });
          });
    }
    noArgs(
        "rnn.RnnWorkspace",
        g -> forwarded(Fixtures.net(g, 0)),
        "nonFinite",
        "capacity",
        "delta",
        "hidden",
        "network",
        "output",
        "shape",
        "threads");
    reg(
        "rnn.RnnWorkspace#<init>(RecurrentNetwork,SequenceShape,BatchThreads)",
        "net|network,capacity,threads",
        g -> {
          Net n = Fixtures.net(g, -1);
          return of(null, n.net, n.shape, TEAM)
              .nullable(2)
              .foreign(1, () -> hugeShape(n.net.stateSize(), g.random().nextBoolean()));
        });

    // BatchThreads: a started team is closed by the check (no thread outlives its trial); the
    // receivers of the no-argument calls are one-thread teams (no worker to leak).
    reg(
        "rnn.BatchThreads#start(int)",
        "threads",
        g ->
            of(null, 1 + g.random().nextInt(3))
                .ref(
                    c ->
                        r -> {
                          BatchThreads t = (BatchThreads) r;
                          int want = (Integer) c.args[0];
                          int got = t.threads();
                          t.close();
                          return got == want ? null : "start(" + want + ") has " + got + " threads";
                        }));
    noArgs("rnn.BatchThreads", g -> BatchThreads.start(1), "close", "threads");

    // SequenceBatch
    reg(
        "rnn.SequenceBatch#<init>(RecurrentNetwork,SequenceShape)",
        "net|network,shape",
        g -> {
          Net n = Fixtures.net(g, -1);
          return of(null, n.net, n.shape);
        });
    seqSetter(
        "checkBackward(RecurrentNetwork)",
        "expected|net|network",
        (g, n) -> of(n.seq, n.net).foreign(0, () -> Fixtures.other(n.net)).ise());
    seqSetter(
        "checkForward(RecurrentNetwork)",
        "expected|net|network",
        (g, n) -> of(n.seq, n.net).foreign(0, () -> Fixtures.other(n.net)).ise());
    seqSetter("initialState(float[])", "s0|initial state", (g, n) -> of(n.seq, n.s0.clone()));
    seqSetter(
        "initialState(float[],int)",
        "s0|initial state,off",
        (g, n) -> {
          int off = g.offset();
          return of(n.seq, g.array(off + n.s0.length, 1), off);
        });
    seqSetter(
        "initialStateGradient(float[])",
        "dh0|initial state gradient",
        (g, n) -> of(n.seq, new float[n.s0.length]).nullable(0));
    seqSetter(
        "initialStateGradient(float[],int)",
        "dh0|initial state gradient,off",
        (g, n) -> {
          int off = g.offset();
          return of(n.seq, new float[off + n.s0.length], off).nullable(0);
        });
    seqSetter("input(float[])", "x|input", (g, n) -> of(n.seq, n.x.clone()));
    seqSetter(
        "input(float[],int)",
        "x|input,off",
        (g, n) -> {
          int off = g.offset();
          return of(n.seq, g.array(off + n.x.length, 1), off);
        });
    seqSetter(
        "loss(StepLoss)",
        "loss",
        (g, n) -> of(n.seq, (dev.bptt.kernel.rnn.StepLoss) (t, y, yo, dy, dyo) -> 0.0).nullable(0));
    seqSetter("losses(LossSteps)", "losses", (g, n) -> of(n.seq, LossSteps.everyStep()));
    seqSetter("traceDc(float[])", "traceDc", (g, n) -> of(n.seq, new float[n.steps]).nullable(0));
    seqSetter(
        "traceDelta(float[])", "traceDelta", (g, n) -> of(n.seq, new float[n.steps]).nullable(0));
    seqSetter("traceDh(float[])", "traceDh", (g, n) -> of(n.seq, new float[n.steps]).nullable(0));
    seqSetter("upstream(float[])", "dOut|upstream", (g, n) -> of(n.seq, n.dOut.clone()));
    seqSetter(
        "upstream(float[],int)",
        "dOut|upstream,off",
        (g, n) -> {
          int off = g.offset();
          return of(n.seq, g.array(off + n.dOut.length, 1), off);
        });
    seqSetter(
        "upstreamOffset(int)",
        "t",
        (g, n) ->
            of(n.seq, 1 + g.random().nextInt(n.steps))
                .ise()
                .ref(
                    c ->
                        r -> {
                          int o = (Integer) r;
                          return o >= 0 && o < n.dOut.length
                              ? null
                              : "upstreamOffset returned " + o;
                        }));
    seqSetter("zeroInitialState()", "", (g, n) -> of(n.seq));
    seqSetter(
        "nonFiniteCheck(NonFinitePolicy)",
        "policy",
        (g, n) -> of(n.seq, NonFinitePolicy.values()[g.random().nextInt(4)]));
    noArgs(
        "rnn.SequenceBatch",
        g -> Fixtures.net(g, -1).seq,
        "nonFiniteCheck",
        "initialState",
        "initialStateGradient",
        "initialStateGradientOffset",
        "initialStateOffset",
        "input",
        "inputOffset",
        "loss",
        "lossCount",
        "losses",
        "network",
        "shape",
        "traceDc",
        "traceDelta",
        "traceDh",
        "upstream",
        "upstreamOffset");

    // SequenceShape
    reg("rnn.SequenceShape#steps(int)", "steps|T", g -> of(null, 1 + sz(g, 50)));
    reg(
        "rnn.SequenceShape#batch(int)",
        "batch|B",
        g -> of(SequenceShape.steps(1 + sz(g, 50)), 1 + sz(g, 9)));
    reg(
        "rnn.SequenceShape#fitsIn(SequenceShape)",
        "capacity",
        g -> of(SequenceShape.steps(1 + sz(g, 9)), SequenceShape.steps(1 + sz(g, 9)).batch(2)));
    noArgs(
        "rnn.SequenceShape",
        g -> SequenceShape.steps(1 + sz(g, 9)).batch(1 + sz(g, 3)),
        "batch",
        "rows",
        "steps");

    // StackLayout
    reg(
        "rnn.StackLayout#<init>(CellType,int,int,int,int)",
        "cell,inputSize,hiddenSize,layers,outputSize",
        g ->
            of(
                null,
                CellType.values()[g.random().nextInt(3)],
                1 + sz(g, 6),
                1 + sz(g, 6),
                1 + g.random().nextInt(3),
                sz(g, 3)));
    reg(
        "rnn.StackLayout#<init>(CellType,int,int,int,int,boolean)",
        "cell,inputSize,hiddenSize,layers,outputSize,layerNorm",
        g ->
            of(
                null,
                CellType.values()[g.random().nextInt(3)],
                1 + sz(g, 6),
                1 + sz(g, 6),
                1 + g.random().nextInt(3),
                sz(g, 3),
                g.random().nextBoolean()));
    for (String v :
        new String[] {
          "biasHh", "biasIh", "layerNormBias", "layerNormWeight", "weightHh", "weightIh"
        }) {
      reg(
          "rnn.StackLayout#" + v + "(int,float[])",
          "layer,array",
          g -> {
            StackLayout l = stackLayout(g);
            return of(l, g.random().nextInt(l.layers()), new float[l.size()]);
          });
      reg(
          "rnn.StackLayout#" + v + "(int,Gate,float[])",
          "layer,gate,array",
          g -> {
            StackLayout l = stackLayout(g);
            Gate gate = gateOf(g, l.cell());
            return of(l, g.random().nextInt(l.layers()), gate, new float[l.size()])
                .foreign(
                    1, () -> gateOf(g, l.cell() == CellType.LSTM ? CellType.GRU : CellType.LSTM));
          });
    }
    for (String v :
        new String[] {
          "layerInputSize",
          "offBiasHh",
          "offBiasIh",
          "offLayerNormBias",
          "offLayerNormWeight",
          "offWeightHh",
          "offWeightIh"
        }) {
      reg(
          "rnn.StackLayout#" + v + "(int)",
          "layer",
          g -> {
            StackLayout l = stackLayout(g);
            return of(l, g.random().nextInt(l.layers())).ref(nonNeg());
          });
    }
    for (String v : new String[] {"readoutBias", "readoutWeight", "tensors"}) {
      reg(
          "rnn.StackLayout#" + v + "(float[])",
          "array",
          g -> {
            StackLayout l =
                new StackLayout(
                    CellType.values()[g.random().nextInt(3)],
                    1 + sz(g, 5),
                    1 + sz(g, 5),
                    1 + g.random().nextInt(2),
                    1 + sz(g, 3),
                    g.random().nextBoolean());
            return of(l, new float[l.size()]);
          });
    }
    noArgs(
        "rnn.StackLayout",
        Registry::stackLayout,
        "gateRows",
        "hasReadout",
        "offReadoutBias",
        "offReadoutWeight",
        "size",
        "stepOutputSize");
  }

  private static Gate gateOf(Gen g, CellType cell) {
    List<Gate> gs = java.util.Arrays.stream(Gate.values()).filter(x -> x.cell() == cell).toList();
    return gs.get(g.random().nextInt(gs.size()));
  }

  static StackLayout stackLayout(Gen g) {
    return new StackLayout(
        CellType.values()[g.random().nextInt(3)],
        1 + sz(g, 5),
        1 + sz(g, 5),
        1 + g.random().nextInt(3),
        sz(g, 3),
        g.random().nextBoolean());
  }

  /**
   * The documented draws of {@code initialParameters}: entry i is (float)(b·(2r − 1)), b = 1/√H, r
   * the i-th {@code nextDouble()} of the seed's generator, then γ = 1 and β = 0 with layer
   * normalization; null when {@code got} is exactly that.
   */
  static String initialDraws(StackedRnn net, long seed, float[] got) {
    StackLayout l = net.layout();
    if (got.length != l.size()) {
      return "length " + got.length + ", parameterCount " + l.size();
    }
    float[] want = new float[l.size()];
    SplittableRandom r = new SplittableRandom(seed);
    double b = 1 / Math.sqrt(l.hiddenSize());
    for (int i = 0; i < want.length; i++) {
      want[i] = (float) (b * (2 * r.nextDouble() - 1));
    }
    for (int k = 0; k < l.layers(); k++) {
      TensorView g = l.layerNormWeight(k, want);
      TensorView z = l.layerNormBias(k, want);
      java.util.Arrays.fill(want, g.offset(), g.offset() + g.length(), 1f);
      java.util.Arrays.fill(want, z.offset(), z.offset() + z.length(), 0f);
    }
    for (int i = 0; i < want.length; i++) {
      if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
        return "θ[" + i + "] = " + got[i] + ", the documented draw gives " + want[i];
      }
      if (Math.abs(got[i]) > (float) b && got[i] != 1f) {
        return "θ[" + i + "] = " + got[i] + " outside ±1/√H = " + b;
      }
    }
    return null;
  }

  static LossSteps lossSteps(Gen g) {
    return switch (g.random().nextInt(4)) {
      case 0 -> LossSteps.everyStep();
      case 1 -> LossSteps.lastStep();
      case 2 -> LossSteps.none();
      default -> LossSteps.at(1, 3);
    };
  }

  /**
   * A shape whose buffers for a network of state size s would hold just above 2³¹ floats; when
   * {@code below}, T·B·s stays just below 2³¹ while (T+1)·B·s is above it.
   */
  static SequenceShape hugeShape(int s, boolean below) {
    long lim = 1L << 31;
    int t = (int) Math.min(Integer.MAX_VALUE, below ? (lim - 1) / s : lim / s + 1);
    return SequenceShape.steps(t);
  }

  private void seqSetter(
      String sig, String names, java.util.function.BiFunction<Gen, Net, FuzzCall> f) {
    reg(
        "rnn.SequenceBatch#" + sig,
        names,
        g -> {
          Net n = Fixtures.net(g, sig.startsWith("traceDc") ? 1 : -1);
          FuzzCall c = f.apply(g, n);
          Fixtures.reachBatch(c, n);
          return c;
        });
  }

  // ---------------------------------------------------------------- bptt
  static BpttStrategy strategy(Gen g, int steps) {
    SplittableRandom r = g.random();
    return switch (r.nextInt(6)) {
      case 0 -> BpttStrategy.full();
      case 1 -> BpttStrategy.truncated(1 + r.nextInt(steps + 1));
      case 2 -> BpttStrategy.checkpointed();
      case 3 -> BpttStrategy.checkpointed(1 + r.nextInt(steps));
      case 4 -> BpttStrategy.checkpointedWithBudget(steps + 1 + r.nextInt(3));
      default ->
          BpttStrategy.randomized(
              TruncationSchedule.constant(0.3), new SplittableRandom(r.nextLong()));
    };
  }

  private void bptt() {
    reg(
        "bptt.BpttRunner#<init>(RecurrentNetwork)",
        "net|network",
        g -> of(null, Fixtures.network(g, g.random().nextInt(4))));
    noArgs(
        "bptt.BpttRunner",
        g ->
            new BpttRunner(Fixtures.network(g, 0))
                .withNonFiniteCheck(NonFinitePolicy.values()[g.random().nextInt(4)]),
        "network",
        "nonFiniteCheck");
    reg(
        "bptt.BpttRunner#withNonFiniteCheck(NonFinitePolicy)",
        "policy",
        g ->
            of(
                new BpttRunner(Fixtures.network(g, 0)),
                g.random().nextInt(5) == 0
                    ? null
                    : NonFinitePolicy.values()[g.random().nextInt(4)]));
    reg(
        "bptt.BpttRunner#run(BpttStrategy,float[],float[],SequenceBatch,BpttWorkspace)",
        "strategy,params,grads,seq|sequence|batch,ws|workspace",
        g -> {
          Net n = Fixtures.net(g, -1);
          BpttStrategy s = strategy(g, n.steps);
          BpttWorkspace ws = new BpttWorkspace(n.net, n.shape, s);
          float[] grads = new float[n.net.parameterCount()];
          int check = g.random().nextInt(5); // 4: no check; else a policy (clean fixtures)
          BpttRunner runner =
              new BpttRunner(n.net)
                  .withNonFiniteCheck(check == 4 ? null : NonFinitePolicy.values()[check]);
          FuzzCall c = of(runner, s, n.params, grads, n.seq, ws);
          Fixtures.reachBatch(c, n);
          return c.out("grads")
              // aliasing: the gradient written into the batch's own input, initial state or
              // upstream array (refused before any write when the ranges overlap)
              .foreign(2, () -> n.x)
              .foreign(2, () -> n.s0)
              .foreign(2, () -> n.dOut)
              .foreign(0, () -> BpttStrategy.streaming(1, 1))
              .foreign(3, () -> new SequenceBatch(Fixtures.other(n.net), n.shape))
              .foreign(4, () -> new BpttWorkspace(Fixtures.other(n.net), n.shape, s))
              .foreign(4, () -> new BpttWorkspace(n.net, SequenceShape.steps(1), s))
              .ref(cc -> r -> Fixtures.finite(grads) ? null : "non-finite gradient");
        });
    reg("bptt.BpttStrategy#checkpointed()", "", g -> of(null));
    reg("bptt.BpttStrategy#full()", "", g -> of(null));
    reg("bptt.BpttStrategy#checkpointed(int)", "segment|s", g -> of(null, 1 + sz(g, 9)));
    reg(
        "bptt.BpttStrategy#checkpointedWithBudget(int)",
        "states|budget",
        g -> of(null, 2 + sz(g, 9)));
    reg("bptt.BpttStrategy#truncated(int)", "tau|τ", g -> of(null, 1 + sz(g, 9)));
    reg(
        "bptt.BpttStrategy#streaming(int,int)",
        "k1,k2",
        g -> {
          int k1 = 1 + sz(g, 5);
          return of(null, k1, k1 + sz(g, 5));
        });
    reg(
        "bptt.BpttStrategy#streaming(int,int,BpttWindowListener)",
        "k1,k2,listener",
        g -> {
          int k1 = 1 + sz(g, 5);
          return of(null, k1, k1 + sz(g, 5), BpttWindowListener.NONE);
        });
    reg("bptt.BpttStrategy#chunked(int)", "k", g -> of(null, 1 + sz(g, 9)));
    reg(
        "bptt.BpttStrategy#chunked(int,BpttWindowListener)",
        "k,listener",
        g -> of(null, 1 + sz(g, 9), BpttWindowListener.NONE));
    reg(
        "bptt.BpttStrategy$Streaming#<init>(int,int,BpttWindowListener,boolean)",
        "k1,k2,listener,chunkAligned",
        g -> {
          int k1 = 1 + sz(g, 5);
          return of(null, k1, k1 + sz(g, 5), BpttWindowListener.NONE, g.random().nextBoolean());
        });
    reg(
        "bptt.BpttStrategy#randomized(TruncationSchedule,RandomGenerator)",
        "schedule,random",
        g -> of(null, TruncationSchedule.constant(0.25), new SplittableRandom(1)));
    reg(
        "bptt.BpttStrategy$Checkpointed#segments(int,int)",
        "steps|T,s|segment",
        g -> of(null, 1 + sz(g, 50), 1 + sz(g, 9)).ref(nonNeg()));
    reg(
        "bptt.BpttStrategy$Checkpointed#storedStates(int,int)",
        "steps|T,s|segment",
        g -> of(null, 1 + sz(g, 50), 1 + sz(g, 9)).ref(nonNeg()));
    reg(
        "bptt.BpttStrategy$Checkpointed#storedStates(int)",
        "steps|T",
        g -> of(BpttStrategy.checkpointed(1 + sz(g, 9)), 1 + sz(g, 50)).ref(nonNeg()));
    for (String[] v : new String[][] {{"Budget", "states|budget"}, {"Fixed", "segment|s"}}) {
      reg(
          "bptt.BpttStrategy$Checkpointed$" + v[0] + "#<init>(int)",
          v[1],
          g -> of(null, 2 + sz(g, 9)));
    }
    reg(
        "bptt.BpttStrategy$Checkpointed$Budget#segmentLength(int)",
        "steps|T",
        g -> {
          int budget = 2 + sz(g, 9);
          int steps = 1 + sz(g, 50);
          while (steps > 1 && !fitsBudget(steps, budget)) { // an infeasible T is refused by design
            steps--;
          }
          return of(BpttStrategy.checkpointedWithBudget(budget), steps).ref(nonNeg());
        });
    reg(
        "bptt.BpttStrategy$Checkpointed$Fixed#segmentLength(int)",
        "steps|T",
        g -> of(BpttStrategy.checkpointed(1 + sz(g, 9)), 1 + sz(g, 50)).ref(nonNeg()));
    reg("bptt.BpttStrategy$Checkpointed$SquareRoot#<init>()", "", g -> of(null));
    reg(
        "bptt.BpttStrategy$Checkpointed$SquareRoot#segmentLength(int)",
        "steps|T",
        g -> of(BpttStrategy.checkpointed(), 1 + sz(g, 50)).ref(nonNeg()));
    reg("bptt.BpttStrategy$Full#<init>()", "", g -> of(null));
    reg(
        "bptt.BpttStrategy$Full#storedStates(int)",
        "steps|T",
        g -> of(BpttStrategy.full(), 1 + sz(g, 50)).ref(nonNeg()));
    reg(
        "bptt.BpttStrategy$Randomized#<init>(TruncationSchedule,RandomGenerator)",
        "schedule,random",
        g -> of(null, TruncationSchedule.polynomialTail(8, 3), new SplittableRandom(2)));
    reg(
        "bptt.BpttStrategy$Randomized#storedStates(int)",
        "steps|T",
        g ->
            of(
                    BpttStrategy.randomized(
                        TruncationSchedule.constant(0.5), new SplittableRandom(3)),
                    1 + sz(g, 50))
                .ref(nonNeg()));
    reg(
        "bptt.BpttStrategy$Streaming#<init>(int,int,BpttWindowListener)",
        "k1,k2,listener",
        g -> {
          int k1 = 1 + sz(g, 5);
          return of(null, k1, k1 + sz(g, 5), BpttWindowListener.NONE);
        });
    reg(
        "bptt.BpttStrategy$Streaming#storedStates(int)",
        "steps|T",
        g -> of(BpttStrategy.streaming(2, 4), 1 + sz(g, 50)).ref(nonNeg()));
    reg("bptt.BpttStrategy$Truncated#<init>(int)", "tau|τ", g -> of(null, 1 + sz(g, 9)));
    reg(
        "bptt.BpttStrategy$Truncated#storedStates(int)",
        "steps|T",
        g -> of(BpttStrategy.truncated(1 + sz(g, 9)), 1 + sz(g, 50)).ref(nonNeg()));

    reg(
        "bptt.BpttWorkspace#<init>(RecurrentNetwork,SequenceShape,BpttStrategy)",
        "net|network,capacity,strategy",
        g -> {
          Net n = Fixtures.net(g, -1);
          // huge capacities: BoundaryTest (a valid huge shape would allocate gigabytes here)
          return of(null, n.net, n.shape, strategy(g, n.steps));
        });
    reg(
        "bptt.BpttWorkspace#copyFinalState(float[],int)",
        "dst,off",
        g -> {
          Net n = Fixtures.net(g, -1);
          BpttWorkspace ws = ran(g, n);
          int off = g.offset();
          return of(ws, g.array(off + n.s0.length, 1), off).out("dst");
        });
    reg(
        "bptt.BpttWorkspace#copyState(int,float[],int)",
        "t,dst,off",
        g -> {
          Net n = Fixtures.net(g, -1);
          BpttStrategy s = BpttStrategy.full();
          BpttWorkspace ws = new BpttWorkspace(n.net, n.shape, s);
          new BpttRunner(n.net).run(s, n.params, new float[n.net.parameterCount()], n.seq, ws);
          int off = g.offset();
          return of(ws, g.random().nextInt(n.steps + 1), g.array(off + n.s0.length, 1), off)
              .out("dst")
              .ise();
        });
    reg(
        "bptt.BpttWorkspace#holdsState(int)",
        "t",
        g -> {
          Net n = Fixtures.net(g, -1);
          return of(ran(g, n), g.random().nextInt(n.steps + 1));
        });
    noArgs(
        "bptt.BpttWorkspace",
        g -> ran(g, Fixtures.net(g, -1)),
        "nonFinite",
        "capacity",
        "floats",
        "network",
        "recomputedSteps",
        "sizedFor",
        "storedStates",
        "threads",
        "truncations",
        "windows");
    reg(
        "bptt.BpttWorkspace#<init>(RecurrentNetwork,SequenceShape,BpttStrategy,BatchThreads)",
        "net|network,capacity,strategy,threads",
        g -> {
          Net n = Fixtures.net(g, -1);
          return of(null, n.net, n.shape, strategy(g, n.steps), TEAM).nullable(3);
        });

    reg(
        "bptt.TruncationSchedule#constant(double)",
        "c",
        g -> of(null, g.random().nextDouble() * 0.9));
    reg(
        "bptt.TruncationSchedule#polynomialTail(double,double)",
        "meanLength|L₀,alpha|α",
        g -> of(null, 1.5 + sz(g, 40), 2.5 + g.random().nextInt(4)));
    reg(
        "bptt.TruncationSchedule#sample(RandomGenerator,int,float[],int)",
        "random,steps|T,flow,flowOff",
        g -> {
          int t = 1 + sz(g, 30), off = g.offset();
          return of(
                  TruncationSchedule.constant(0.3),
                  new SplittableRandom(4),
                  t,
                  g.array(off + t, 1),
                  off)
              .out("flow");
        });
    Function<FuzzCall, Function<Object, String>> prob =
        c ->
            r -> {
              double p = (Double) r;
              return p >= 0 && p < 1 ? null : "probability " + p + " outside the documented [0, 1)";
            };
    reg("bptt.TruncationSchedule$Constant#<init>(double)", "c", g -> of(null, 0.1));
    reg(
        "bptt.TruncationSchedule$Constant#probability(int)",
        "sinceLast|Δt",
        g -> of(TruncationSchedule.constant(0.2), 1 + sz(g, 50)).ref(prob));
    reg(
        "bptt.TruncationSchedule$PolynomialTail#<init>(double,double)",
        "meanLength|L₀,alpha|α",
        g -> of(null, 1.5 + sz(g, 40), 2.5 + g.random().nextInt(4)));
    reg(
        "bptt.TruncationSchedule$PolynomialTail#probability(int)",
        "sinceLast|Δt",
        g ->
            of(
                    TruncationSchedule.polynomialTail(
                        1.0
                            + Math.ulp(1.0) * (1 + g.random().nextInt(4))
                            + (g.random().nextBoolean() ? 0 : sz(g, 30)),
                        2.0
                            + Math.ulp(2.0) * 2
                            + (g.random().nextBoolean() ? 0 : g.random().nextInt(3))),
                    1 + sz(g, 50))
                .ref(prob));
  }

  private static BpttWorkspace ran(Gen g, Net n) {
    BpttStrategy s = strategy(g, n.steps);
    BpttWorkspace ws = new BpttWorkspace(n.net, n.shape, s);
    new BpttRunner(n.net).run(s, n.params, new float[n.net.parameterCount()], n.seq, ws);
    return ws;
  }

  // ---------------------------------------------------------------- clip
  /** k disjoint views over one array (or one view per array). */
  static TensorGroup views(Gen g, float[][] holder, int k) {
    int[] len = new int[k];
    int total = 0;
    for (int i = 0; i < k; i++) {
      len[i] = 1 + sz(g, 20);
      total += len[i] + 1;
    }
    float[] a = g.array(total, 1);
    holder[0] = a;
    TensorView[] v = new TensorView[k];
    int off = 0;
    for (int i = 0; i < k; i++) {
      v[i] =
          i % 2 == 0
              ? TensorView.vector("v" + i, a, off, len[i])
              : TensorView.matrix("m" + i, a, off, 1, len[i]);
      off += len[i] + 1;
    }
    return TensorGroup.of(v);
  }

  static GradientClipper clipper(Gen g) {
    NonFinitePolicy[] p = {
      NonFinitePolicy.PROPAGATE, NonFinitePolicy.ZERO, NonFinitePolicy.SKIP, NonFinitePolicy.THROW
    };
    GradientClipper c =
        GradientClipper.of(g.random().nextBoolean() ? ClipRule.PYTORCH : ClipRule.STRICT)
            .withNonFinitePolicy(p[g.random().nextInt(4)])
            .withNormType(NormType.values()[g.random().nextInt(3)]);
    return g.random().nextInt(4) == 0 ? c.withLossScale(1024f) : c;
  }

  private FuzzCall clipCall(
      Gen g, int k, java.util.function.BiFunction<TensorGroup, Gen, Object[]> rest) {
    float[][] h = new float[1][];
    TensorGroup grads = views(g, h, k);
    Object[] r = rest.apply(grads, g);
    Object[] args = new Object[r.length + 1];
    args[0] = grads;
    System.arraycopy(r, 0, args, 1, r.length);
    FuzzCall c = new FuzzCall(clipper(g), args);
    c.reach("grads.array", h[0]).out("grads.array");
    return c.foreign(0, () -> TensorView.vector("whole", h[0], 0, h[0].length));
  }

  private void clip() {
    reg("clip.ClipResult#<init>()", "", g -> of(null));
    noArgs(
        "clip.ClipResult",
        g -> {
          ClipResult r = new ClipResult();
          clipper(g)
              .withNonFinitePolicy(NonFinitePolicy.ZERO)
              .clipGlobalNorm(views(g, new float[1][], 2), 1.0, r);
          return r;
        },
        "clipped",
        "clippedUnits",
        "coefficient",
        "nonFinite",
        "normType",
        "skipStep",
        "totalNorm",
        "viewCount");
    for (String m : new String[] {"viewCoefficient", "viewNorm"}) {
      reg(
          "clip.ClipResult#" + m + "(int)",
          "i|view|v",
          g -> {
            ClipResult r = new ClipResult();
            GradientClipper.of(ClipRule.PYTORCH).clipPerView(views(g, new float[1][], 3), 1.0, r);
            return of(r, g.random().nextInt(3));
          });
    }
    reg(
        "clip.ClipRule#coefficient(double,double)",
        "maxNorm|θ,norm|N",
        g ->
            of(
                    g.random().nextBoolean() ? ClipRule.PYTORCH : ClipRule.STRICT,
                    g.random().nextDouble() * 3,
                    g.random().nextDouble() * 3)
                .ref(
                    c ->
                        r -> {
                          double v = (Double) r;
                          return v >= 0 && v <= 1 ? null : "coefficient " + v + " outside [0, 1]";
                        }));
    reg("clip.ExplosionMonitor#<init>()", "", g -> of(null));
    reg(
        "clip.ExplosionMonitor#<init>(double,int,int,int)",
        "spikeFactor|k,window|w,warmup,historyCapacity",
        g ->
            of(null, 1.5 + g.random().nextDouble() * 5, 1 + sz(g, 50), sz(g, 10), sz(g, 20))
                .bounded(3));
    reg(
        "clip.ExplosionMonitor#copyHistory(double[],int)",
        "dst,off",
        g -> {
          ExplosionMonitor m = monitor(g);
          int off = g.offset();
          return of(m, new double[off + m.historySize()], off).out("dst");
        });
    reg(
        "clip.ExplosionMonitor#history(int)",
        "i",
        g -> {
          ExplosionMonitor m = monitor(g);
          if (m.historySize() == 0) { // history(0) of an empty history is out of range
            m.observe(g.random().nextDouble() * 4);
          }
          return of(m, g.random().nextInt(m.historySize()));
        });
    Function<FuzzCall, Function<Object, String>> stays =
        c ->
            r -> {
              ExplosionMonitor m = (ExplosionMonitor) c.receiver;
              return Double.isFinite(m.mean())
                      && Double.isFinite(m.standardDeviation())
                      && !Double.isNaN(m.variance())
                  ? null
                  : "monitor state not finite after the call: mean "
                      + m.mean()
                      + ", variance "
                      + m.variance();
            };
    reg(
        "clip.ExplosionMonitor#observe(ClipResult)",
        "result",
        g -> {
          ClipResult r = new ClipResult();
          GradientClipper.of(ClipRule.PYTORCH).clipGlobalNorm(views(g, new float[1][], 2), 1.0, r);
          return of(monitor(g), r).ref(stays);
        });
    reg(
        "clip.ExplosionMonitor#observe(double)",
        "norm",
        g -> of(monitor(g), g.random().nextDouble() * 10).ref(stays));
    reg(
        "clip.ExplosionMonitor#suggestedThreshold(double)",
        "multiple|m",
        g -> of(monitor(g), 0.5 + g.random().nextDouble() * 3));
    noArgs(
        "clip.ExplosionMonitor",
        Registry::monitor,
        "finiteCount",
        "historyCapacity",
        "historyFirstStep",
        "historySize",
        "lastStatus",
        "mean",
        "nonFiniteCount",
        "reset",
        "spikeCount",
        "spikeFactor",
        "spikeThreshold",
        "standardDeviation",
        "steps",
        "variance");

    reg(
        "clip.GradientClipper#clipAdaptive(TensorSet,TensorSet,double,ClipResult)",
        "grads|G,weights|W,lambda|λ,out",
        g -> adaptive(g, false));
    reg(
        "clip.GradientClipper#clipAdaptive(TensorSet,TensorSet,double,double,ClipResult)",
        "grads|G,weights|W,lambda|λ,eps|ε,out",
        g -> adaptive(g, true));
    reg(
        "clip.GradientClipper#clipGlobalNorm(TensorSet,double,ClipResult)",
        "grads,maxNorm|θ,out",
        g ->
            clipCall(
                g,
                1 + g.random().nextInt(3),
                (s, gg) -> new Object[] {gg.random().nextDouble() * 5, new ClipResult()}));
    reg(
        "clip.GradientClipper#clipGlobalNorm(float[],double)",
        "grads,maxNorm|θ",
        g -> of(clipper(g), g.array(sz(g, 40), 1), g.random().nextDouble() * 5).out("grads"));
    reg(
        "clip.GradientClipper#clipPerView(TensorSet,double,ClipResult)",
        "grads,maxNorm|θ,out",
        g ->
            clipCall(
                g,
                1 + g.random().nextInt(3),
                (s, gg) -> new Object[] {gg.random().nextDouble() * 5, new ClipResult()}));
    reg(
        "clip.GradientClipper#clipPerView(TensorSet,double[],ClipResult)",
        "grads,maxNorms|θ,out",
        g ->
            clipCall(
                g,
                1 + g.random().nextInt(3),
                (s, gg) -> new Object[] {new double[] {1, 2, 0.5}, new ClipResult()}));
    reg(
        "clip.GradientClipper#clipValue(TensorSet,float,ClipResult)",
        "grads,clipValue|c,out",
        g ->
            clipCall(
                g,
                1 + g.random().nextInt(3),
                (s, gg) -> new Object[] {(float) gg.random().nextDouble() * 2, new ClipResult()}));
    noArgs(
        "clip.GradientClipper",
        Registry::clipper,
        "lossScale",
        "nonFinitePolicy",
        "normType",
        "rule");
    reg("clip.GradientClipper#of(ClipRule)", "rule", g -> of(null, ClipRule.PYTORCH));
    reg(
        "clip.GradientClipper#totalNorm(TensorSet,NormType)",
        "set|grads,type",
        g -> of(null, views(g, new float[1][], 2), NormType.values()[g.random().nextInt(3)]));
    reg("clip.GradientClipper#withLossScale(float)", "s|lossScale", g -> of(clipper(g), 256f));
    reg(
        "clip.GradientClipper#withNonFinitePolicy(NonFinitePolicy)",
        "p|policy",
        g -> of(clipper(g), NonFinitePolicy.ZERO));
    reg(
        "clip.GradientClipper#withNormType(NormType)",
        "t|type|normType",
        g -> of(clipper(g), NormType.L1));
    reg("clip.GradientClipper#withRule(ClipRule)", "r|rule", g -> of(clipper(g), ClipRule.STRICT));

    reg(
        "clip.NonFiniteGradientException#<init>(String,int,int,int,float)",
        "viewName,viewIndex,elementIndex,arrayIndex,value",
        g -> of(null, "w", 0, 1, 1, Float.NaN));
    noArgs(
        "clip.NonFiniteGradientException",
        g -> new NonFiniteGradientException("w", 0, 1, 2, Float.NaN),
        "arrayIndex",
        "elementIndex",
        "value",
        "viewIndex",
        "viewName");

    reg(
        "rnn.NonFiniteStateException#<init>(String,String,int,int,long,double)",
        "phase,tensor,step,row,index,value",
        g -> of(null, "forward", "states", 3, 1, 17L, Double.NaN));
    noArgs(
        "rnn.NonFiniteStateException",
        g -> new NonFiniteStateException("backward", "grads", -1, -1, 2, Double.POSITIVE_INFINITY),
        "index",
        "phase",
        "row",
        "step",
        "tensor",
        "value");

    reg(
        "clip.TensorGroup#on(float[])",
        "other|array",
        g -> {
          float[][] h = new float[1][];
          TensorGroup t = views(g, h, 2);
          return of(t, new float[h[0].length]).reach("group.array", h[0]);
        });
    reg("clip.TensorGroup#of(List)", "views", g -> of(null, views(g, new float[1][], 2).views()));
    reg(
        "clip.TensorGroup#of(TensorView[])",
        "views",
        g -> of(null, (Object) views(g, new float[1][], 2).views().toArray(new TensorView[0])));
    reg(
        "clip.TensorGroup#view(int)",
        "i",
        g -> of(views(g, new float[1][], 3), g.random().nextInt(3)));
    noArgs(
        "clip.TensorGroup", g -> views(g, new float[1][], 2), "totalLength", "viewCount", "views");

    reg(
        "clip.TensorView#<init>(String,float[],int,int,int,boolean)",
        "name,array,offset,rows,cols,adaptiveClipping",
        g -> {
          int off = g.offset(), r = 1 + sz(g, 4), c = 1 + sz(g, 4);
          return of(null, "w", new float[off + r * c], off, r, c, g.random().nextBoolean());
        });
    reg(
        "clip.TensorView#matrix(String,float[],int,int,int)",
        "name,array,offset,rows,cols",
        g -> {
          int off = g.offset(), r = 1 + sz(g, 4), c = 1 + sz(g, 4);
          return of(null, "w", new float[off + r * c], off, r, c);
        });
    reg(
        "clip.TensorView#vector(String,float[],int,int)",
        "name,array,offset,length",
        g -> {
          int off = g.offset(), n = 1 + sz(g, 9);
          return of(null, "b", new float[off + n], off, n);
        });
    reg("clip.TensorView#of(float[])", "array", g -> of(null, new float[1 + sz(g, 9)]));
    reg(
        "clip.TensorView#on(float[])",
        "other|array",
        g -> {
          float[] a = new float[3 + sz(g, 9)];
          return of(TensorView.vector("v", a, 1, 2), new float[a.length]);
        });
    reg(
        "clip.TensorView#overlaps(TensorView)",
        "other",
        g -> {
          float[] a = new float[8];
          return of(
              TensorView.vector("v", a, 1, 2), TensorView.vector("u", a, g.random().nextInt(5), 2));
        });
    reg("clip.TensorView#view(int)", "i", g -> of(TensorView.of(new float[3]), 0));
    noArgs(
        "clip.TensorView",
        g -> TensorView.matrix("w", new float[12], 1, 2, 5),
        "length",
        "viewCount",
        "withoutAdaptiveClipping");
  }

  private FuzzCall adaptive(Gen g, boolean eps) {
    float[][] h = new float[1][];
    TensorGroup grads = views(g, h, 1 + g.random().nextInt(3));
    float[] w = g.array(h[0].length, 1);
    TensorGroup weights = grads.on(w);
    FuzzCall c =
        eps
            ? of(clipper(g), grads, weights, 0.01 + g.random().nextDouble(), 1e-3, new ClipResult())
            : of(clipper(g), grads, weights, 0.01 + g.random().nextDouble(), new ClipResult());
    c.reach("grads.array", h[0]).reach("weights.array", w).out("grads.array");
    return c.foreign(1, () -> grads)
        .foreign(1, () -> TensorGroup.of(TensorView.of(new float[1])))
        .foreign(1, () -> TensorView.vector("w", h[0], 0, h[0].length));
  }

  /** Whether some segment length keeps T steps within a budget of stored states. */
  static boolean fitsBudget(int steps, int budget) {
    for (int seg = 1; seg <= steps; seg++) {
      if (BpttStrategy.Checkpointed.storedStates(steps, seg) <= budget) {
        return true;
      }
    }
    return false;
  }

  static ExplosionMonitor monitor(Gen g) {
    ExplosionMonitor m = new ExplosionMonitor(3, 10, 2, 8);
    int k = g.random().nextInt(12);
    for (int i = 0; i < k; i++) {
      m.observe(g.random().nextDouble() * 4);
    }
    return m;
  }

  // ---------------------------------------------------------------- spectral
  private void spectral() {
    reg(
        "spectral.Spectral#randomStart(long,int,float[],int)",
        "seed,n,v,vOff",
        g -> {
          int n = 1 + sz(g, 20), off = g.offset();
          return of(null, g.random().nextLong(), n, new float[off + n], off).out("v");
        });
    reg(
        "spectral.Spectral#symmetricWorkLength(int)",
        "n",
        g -> of(null, 1 + sz(g, 20)).ref(nonNeg()));
    reg(
        "spectral.Spectral#spectralRadiusWorkLength(int)",
        "n",
        g -> of(null, 1 + sz(g, 20)).ref(nonNeg()));
    reg(
        "spectral.Spectral#sigmaMaxWorkLength(int,int)",
        "m,n",
        g -> of(null, 1 + sz(g, 20), 1 + sz(g, 20)).ref(nonNeg()));
    for (String m : new String[] {"symmetricDominant", "spectralRadius"}) {
      reg(
          "spectral.Spectral#" + m + "(int,float[],int,int,float[],int,float[],int,int,double)",
          "n,a|A|W,aOff,lda,v,vOff,work,workOff,maxIter,tol",
          g -> {
            int n = 1 + sz(g, 6), ld = g.ld(n), ao = g.offset(), vo = g.offset(), wo = g.offset();
            float[] a = g.array(ao + (n - 1) * ld + n, 1);
            if (m.equals("symmetricDominant")) {
              for (int i = 0; i < n; i++) {
                for (int j = 0; j < i; j++) {
                  a[ao + j * ld + i] = a[ao + i * ld + j];
                }
              }
            }
            int wl =
                m.equals("symmetricDominant")
                    ? Spectral.symmetricWorkLength(n)
                    : Spectral.spectralRadiusWorkLength(n);
            float[] v = g.array(vo + n, 1);
            v[vo] = 0.5f;
            return of(null, n, a, ao, ld, v, vo, new float[wo + wl], wo, 40, 1e-4)
                .out("v", "work")
                .bounded(8)
                .ref(finiteEstimate());
          });
    }
    reg(
        "spectral.Spectral#sigmaMax(int,int,float[],int,int,float[],int,float[],int,int,double)",
        "m,n,a|A|W,aOff,lda,v,vOff,work,workOff,maxIter,tol",
        g -> {
          int m = 1 + sz(g, 6), n = 1 + sz(g, 6), ld = g.ld(n), ao = g.offset(), vo = g.offset();
          int wo = g.offset();
          float[] v = g.array(vo + n, 1);
          v[vo] = 0.5f;
          return of(
                  null,
                  m,
                  n,
                  g.array(ao + (m - 1) * ld + n, 1),
                  ao,
                  ld,
                  v,
                  vo,
                  new float[wo + Spectral.sigmaMaxWorkLength(m, n)],
                  wo,
                  40,
                  1e-4)
              .out("v", "work")
              .bounded(9)
              .ref(finiteEstimate());
        });
    reg(
        "spectral.SpectralEstimate#<init>(double,double,double,int,double,boolean,double)",
        "value,eigenRe,eigenIm,iterations,residual,converged,growthRate",
        g -> of(null, 1.0, 1.0, 0.0, 3, 1e-5, true, 1.0));
    reg(
        "spectral.SpectralEstimator#rectangular(int,int)",
        "rows,cols",
        g -> of(null, 1 + sz(g, 9), 1 + sz(g, 9)).bounded(0, 1));
    reg("spectral.SpectralEstimator#square(int)", "n", g -> of(null, 1 + sz(g, 9)).bounded(0));
    for (String m : new String[] {"sigmaMax", "spectralRadius", "symmetricDominant"}) {
      String nm = m.equals("symmetricDominant") ? "a|A" : "w|W";
      reg(
          "spectral.SpectralEstimator#" + m + "(float[])",
          nm,
          g -> {
            int r = 1 + sz(g, 6), c = m.equals("sigmaMax") ? 1 + sz(g, 6) : r;
            SpectralEstimator e = estimator(r, c);
            return of(e, g.array(r * c, 1))
                .reach("estimator.vector", e.vector())
                .out("estimator.vector")
                .ref(finiteEstimate());
          });
      reg(
          "spectral.SpectralEstimator#" + m + "(float[],int,int)",
          nm + ",off,ld",
          g -> {
            int r = 1 + sz(g, 6), c = m.equals("sigmaMax") ? 1 + sz(g, 6) : r;
            int off = g.offset(), ld = g.ld(c);
            SpectralEstimator e = estimator(r, c);
            return of(e, g.array(off + (r - 1) * ld + c, 1), off, ld)
                .reach("estimator.vector", e.vector())
                .out("estimator.vector")
                .ref(finiteEstimate());
          });
    }
    reg(
        "spectral.SpectralEstimator#withMaxIterations(int)",
        "maxIterations",
        g -> of(estimator(3, 3), 1 + sz(g, 50)));
    reg("spectral.SpectralEstimator#withSeed(long)", "seed", g -> of(estimator(3, 3), 7L));
    reg(
        "spectral.SpectralEstimator#withTolerance(double)",
        "tolerance|tol",
        g -> of(estimator(3, 3), 1e-5));
    reg(
        "spectral.SpectralEstimator#withWarmStart(boolean)",
        "warmStart",
        g -> of(estimator(3, 3), true));
    noArgs(
        "spectral.SpectralEstimator",
        g -> estimator(1 + sz(g, 5), 1 + sz(g, 5)),
        "cols",
        "maxIterations",
        "rows",
        "tolerance",
        "vector");

    // SpectralInit: outputs a; finite scales must give finite entries.
    reg(
        "spectral.SpectralInit#orthogonal(RandomGenerator,double,int,int,float[],int,int)",
        "rng,gain,rows,cols,a,off,ld",
        g -> init(g, true, 1.0));
    reg(
        "spectral.SpectralInit#uniform(RandomGenerator,double,int,int,float[],int,int)",
        "rng,bound,rows,cols,a,off,ld",
        g -> init(g, true, 0.5));
    reg(
        "spectral.SpectralInit#normal(RandomGenerator,double,int,int,float[],int,int)",
        "rng,sigma,rows,cols,a,off,ld",
        g -> init(g, true, 0.5));
    reg(
        "spectral.SpectralInit#pytorchDefault(RandomGenerator,int,int,int,float[],int,int)",
        "rng,hidden|H,rows,cols,a,off,ld",
        g -> init(g, true, 4));
    reg(
        "spectral.SpectralInit#scaledOrthogonal(RandomGenerator,double,int,float[],int,int)",
        "rng,rho|ρ,n,a,off,ld",
        g -> init(g, false, 0.9));
    reg(
        "spectral.SpectralInit#gaussianRescaled(RandomGenerator,double,int,float[],int,int)",
        "rng,rho|ρ,n,a,off,ld",
        g -> init(g, false, 0.9));
    reg(
        "spectral.SpectralInit#scaledIdentity(double,int,float[],int,int)",
        "gain,n,a,off,ld",
        g -> {
          int n = 1 + sz(g, 6), off = g.offset(), ld = g.ld(n);
          return of(null, 0.9, n, new float[off + (n - 1) * ld + n], off, ld)
              .out("a")
              .ref(finiteArg(2));
        });
    reg(
        "spectral.SpectralInit#sparseRescaled(RandomGenerator,int,double,int,float[],int,int)",
        "rng,perRow,rho|ρ,n,a,off,ld",
        g -> {
          int n = 2 + sz(g, 6), off = g.offset(), ld = g.ld(n);
          return of(
                  null,
                  new SplittableRandom(g.random().nextLong()),
                  1 + g.random().nextInt(n),
                  0.9,
                  n,
                  new float[off + (n - 1) * ld + n],
                  off,
                  ld)
              .out("a")
              .ref(finiteArg(4))
              .ise();
        });
    reg(
        "spectral.SpectralInit#symmetric(RandomGenerator,double[],float[],int,int)",
        "rng,eigenvalues|λ,a,off,ld",
        g -> {
          int n = 1 + sz(g, 6), off = g.offset(), ld = g.ld(n);
          double[] ev = new double[n];
          for (int i = 0; i < n; i++) {
            ev[i] = g.unit();
          }
          return of(
                  null,
                  new SplittableRandom(g.random().nextLong()),
                  ev,
                  new float[off + (n - 1) * ld + n],
                  off,
                  ld)
              .out("a")
              .ref(finiteArg(2));
        });
    reg(
        "spectral.SpectralInit#rescaleTolerance(int)",
        "n",
        g ->
            of(null, 1 + sz(g, 50))
                .ref(
                    c ->
                        r ->
                            Double.isFinite((Double) r) && (Double) r >= 0
                                ? null
                                : "tolerance " + r));
  }

  private static FuzzCall init(Gen g, boolean rect, Object scale) {
    int rows = 1 + sz(g, 6), cols = rect ? 1 + sz(g, 6) : rows, off = g.offset(), ld = g.ld(cols);
    float[] a = new float[off + (rows - 1) * ld + cols];
    SplittableRandom rng = new SplittableRandom(g.random().nextLong());
    FuzzCall c =
        rect
            ? of(null, rng, scale, rows, cols, a, off, ld)
            : of(null, rng, scale, rows, a, off, ld);
    return c.out("a").ref(finiteArg(rect ? 4 : 3)).ise();
  }

  static SpectralEstimator estimator(int r, int c) {
    SpectralEstimator e =
        r == c ? SpectralEstimator.square(r) : SpectralEstimator.rectangular(r, c);
    return e.withMaxIterations(40).withTolerance(1e-4);
  }
}
