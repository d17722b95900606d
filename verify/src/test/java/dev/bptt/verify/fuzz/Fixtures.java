package dev.bptt.verify.fuzz;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.RecurrentNetwork;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackedRnn;
import dev.bptt.verify.Gen;
import java.util.SplittableRandom;

/** Small valid networks, sequences and workspaces for the fuzz generators. */
final class Fixtures {
  private Fixtures() {}

  /** A network with its parameters, a shape and a complete valid sequence batch. */
  static final class Net {
    RecurrentNetwork net;
    float[] params;
    int steps;
    int batch;
    SequenceShape shape;
    float[] x;
    float[] s0;
    float[] dOut;
    SequenceBatch seq;
  }

  static Activation activation(Gen g) {
    Activation[] a = {Activation.TANH, Activation.SIGMOID, Activation.IDENTITY, Activation.TANH};
    return a[g.random().nextInt(a.length)];
  }

  static RecurrentNetwork network(Gen g, int kind) {
    SplittableRandom r = g.random();
    int d = 1 + r.nextInt(4), h = 1 + r.nextInt(6), o = r.nextInt(4);
    StackedRnn s =
        switch (kind) {
          case 0 -> null;
          case 1 -> StackedRnn.lstm(d, h).withLayers(1 + r.nextInt(2)).withReadout(o);
          case 2 -> StackedRnn.gru(d, h).withLayers(1 + r.nextInt(2)).withReadout(o);
          default ->
              StackedRnn.elman(d, h, activation(g)).withLayers(1 + r.nextInt(2)).withReadout(o);
        };
    if (s == null) {
      return new ElmanRnn(new RnnLayout(d, h, o), activation(g));
    }
    // Half the stacks normalize their recurrent pre-activation: every entry point meets both.
    return r.nextBoolean() ? s.withLayerNorm() : s;
  }

  static int params(RecurrentNetwork n) {
    return n.parameterCount();
  }

  /** kind: 0 Elman, 1 LSTM, 2 GRU, 3 stacked Elman; −1 any. */
  static Net net(Gen g, int kind) {
    SplittableRandom r = g.random();
    Net n = new Net();
    n.net = network(g, kind == -2 ? 1 + r.nextInt(3) : kind < 0 ? r.nextInt(4) : kind);
    n.params = g.array(n.net.parameterCount(), 0.4f);
    n.steps = 1 + r.nextInt(5);
    n.batch = 1 + r.nextInt(3);
    n.shape = SequenceShape.steps(n.steps).batch(n.batch);
    n.x = g.array(n.steps * n.batch * n.net.inputSize(), 1f);
    n.s0 = g.array(n.batch * n.net.stateSize(), 0.5f);
    n.dOut = g.array(n.steps * n.batch * n.net.stepOutputSize(), 1f);
    n.seq = new SequenceBatch(n.net, n.shape).input(n.x).initialState(n.s0).upstream(n.dOut);
    return n;
  }

  /** Another network with different sizes (a foreign network for workspaces and batches). */
  static RecurrentNetwork other(RecurrentNetwork net) {
    return new ElmanRnn(
        new RnnLayout(net.inputSize() + 1, net.stateSize() + 2, 1), Activation.TANH);
  }

  static double forward(RecurrentNetwork net, float[] p, SequenceBatch seq, RnnWorkspace ws) {
    if (net instanceof ElmanRnn e) {
      return e.forward(p, seq, ws);
    }
    return ((StackedRnn) net).forward(p, seq, ws);
  }

  /** Registers the workspace's arrays (Elman workspaces expose them) as reachable outputs. */
  static void reachWorkspace(FuzzCall c, RnnWorkspace ws, boolean asOutputs) {
    if (ws.network() instanceof ElmanRnn) {
      c.reach("ws.hidden", ws.hidden())
          .reach("ws.output", ws.output())
          .reach("ws.delta", ws.delta());
      if (asOutputs) {
        c.out("ws.hidden", "ws.output", "ws.delta");
      }
    }
  }

  static void reachBatch(FuzzCall c, Net n) {
    c.reach("seq.input", n.x).reach("seq.initialState", n.s0).reach("seq.upstream", n.dOut);
  }

  static boolean finite(float[] a) {
    for (float v : a) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }
}
