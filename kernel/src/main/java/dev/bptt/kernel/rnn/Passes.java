package dev.bptt.kernel.rnn;

import dev.bptt.kernel.internal.Checks;

/**
 * The checked entry points every network's forward, backward and streaming calls share: every
 * argument is checked before anything is written, then the workspace or stream state runs the
 * network's kernels.
 */
final class Passes {
  private Passes() {}

  static double forward(RecurrentNetwork net, float[] params, SequenceBatch seq, RnnWorkspace ws) {
    checkParams(net, "params", params);
    Checks.notNull("seq", seq);
    Checks.notNull("ws", ws);
    seq.checkForward(net);
    ws.checkFits(net, seq.shape());
    if (seq.loss() != null) {
      seq.checkBackward(net); // the callback writes the upstream blocks: they must fit first
    }
    Checks.passAliasing(net, seq, params, null, true, false);
    return ws.forward(params, seq);
  }

  static void backward(
      RecurrentNetwork net, float[] params, float[] grads, SequenceBatch seq, RnnWorkspace ws) {
    checkParams(net, "params", params);
    checkParams(net, "grads", grads);
    if (params == grads) {
      throw new IllegalArgumentException("grads must be a different array from params");
    }
    Checks.notNull("seq", seq);
    Checks.notNull("ws", ws);
    seq.checkBackward(net);
    Checks.passAliasing(net, seq, params, grads, false, true);
    ws.checkForwardOf(net, seq.shape());
    ws.backward(params, grads, seq);
  }

  static void advance(
      RecurrentNetwork net, float[] params, float[] x, int xOff, int steps, RnnStreamState state) {
    checkParams(net, "params", params);
    Checks.notNull("state", state);
    Checks.nonNegative("steps", steps);
    if (!state.network().equals(net)) {
      throw new IllegalArgumentException(
          "stream state was made for " + state.network() + ", not " + net);
    }
    Checks.vector("x", x, xOff, (long) steps * state.batch() * net.inputSize());
    state.advance(params, x, xOff, steps);
  }

  static void zeroGradients(RecurrentNetwork net, float[] grads) {
    checkParams(net, "grads", grads);
    java.util.Arrays.fill(grads, 0, net.parameterCount(), 0f);
  }

  private static void checkParams(RecurrentNetwork net, String name, float[] p) {
    Checks.atLeast(name, p, "layout size", net.parameterCount());
  }
}
