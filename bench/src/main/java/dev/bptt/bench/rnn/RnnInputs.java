package dev.bptt.bench.rnn;

import dev.bptt.kernel.rnn.RnnLayout;
import java.util.SplittableRandom;

/**
 * The seeded data every RNN benchmark runs on (T = {@link RnnBenchmark#T}, D = {@link
 * RnnBenchmark#D}, tanh, no readout): parameters U(±1/√H), then inputs [T][B][D] and upstream
 * gradients [T][B][H] uniform in [−1, 1), drawn in that order from seed 42, so the benchmarks that
 * compare with each other (ours, naive, the input copy) see the same numbers.
 *
 * @param params flat parameters of {@code new RnnLayout(D, hidden, 0)}
 * @param x inputs [T][B][D]
 * @param dOut ∂L/∂h_t [T][B][H], a loss at every step
 */
record RnnInputs(float[] params, float[] x, float[] dOut) {

  static RnnInputs draw(int hidden, int batch) {
    int t = RnnBenchmark.T;
    int d = RnnBenchmark.D;
    SplittableRandom rnd = new SplittableRandom(42);
    float[] params = new float[new RnnLayout(d, hidden, 0).size()];
    float s = (float) (1 / Math.sqrt(hidden));
    for (int i = 0; i < params.length; i++) {
      params[i] = (float) (rnd.nextDouble(-1, 1) * s);
    }
    return new RnnInputs(params, uniform(rnd, t * batch * d), uniform(rnd, t * batch * hidden));
  }

  private static float[] uniform(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rnd.nextDouble(-1, 1);
    }
    return a;
  }
}
