package dev.bptt.bench.cells;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.CellType;
import dev.bptt.kernel.rnn.StackedRnn;
import java.util.SplittableRandom;

/**
 * The seeded data the cell benchmarks run on (D = {@link CellBenchmark#D}, no readout): parameters
 * U(±1/√H) (PyTorch's initialization of {@code nn.RNN}/{@code nn.GRU}/{@code nn.LSTM}), then inputs
 * [T][B][D] and upstream gradients [T][B][H] uniform in [−1, 1), drawn in that order from seed 42.
 * Ours and the naive reference draw the same numbers for the same (cell, H, B, layers, T); with a
 * shorter T the inputs are the first steps of the longer draw.
 *
 * @param params flat parameters of {@link #network}
 * @param x inputs [T][B][D]
 * @param dOut ∂L/∂h_t of the last layer [T][B][H], a loss at every step
 */
record CellInputs(float[] params, float[] x, float[] dOut) {

  /** The benchmarked network: {@code StackedRnn.lstm/gru/elman(D, H)} with tanh for Elman. */
  static StackedRnn network(CellType cell, int hidden, int layers) {
    StackedRnn one =
        switch (cell) {
          case ELMAN -> StackedRnn.elman(CellBenchmark.D, hidden, Activation.TANH);
          case GRU -> StackedRnn.gru(CellBenchmark.D, hidden);
          case LSTM -> StackedRnn.lstm(CellBenchmark.D, hidden);
        };
    return one.withLayers(layers);
  }

  static CellInputs draw(CellType cell, int hidden, int batch, int layers, int steps) {
    SplittableRandom rnd = new SplittableRandom(42);
    float[] params = new float[network(cell, hidden, layers).parameterCount()];
    float s = (float) (1 / Math.sqrt(hidden));
    for (int i = 0; i < params.length; i++) {
      params[i] = (float) (rnd.nextDouble(-1, 1) * s);
    }
    return new CellInputs(
        params,
        uniform(rnd, steps * batch * CellBenchmark.D),
        uniform(rnd, steps * batch * hidden));
  }

  /** Sequence b of a [T][B][width] array, as a contiguous [T][width] array. */
  static float[] sequence(float[] a, int steps, int batch, int width, int b) {
    float[] s = new float[steps * width];
    for (int t = 0; t < steps; t++) {
      System.arraycopy(a, (t * batch + b) * width, s, t * width, width);
    }
    return s;
  }

  /** The first {@code steps} steps of sequences 0..batch−1 of a [T][B][width] array. */
  static float[] prefix(float[] a, int fromBatch, int width, int steps, int batch) {
    float[] s = new float[steps * batch * width];
    for (int t = 0; t < steps; t++) {
      System.arraycopy(a, t * fromBatch * width, s, t * batch * width, batch * width);
    }
    return s;
  }

  private static float[] uniform(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rnd.nextDouble(-1, 1);
    }
    return a;
  }
}
