package dev.bptt.bench.growth;

import dev.bptt.kernel.blas.Activation;

/**
 * Source of a per-step gradient-norm trace: for a recurrent weight matrix W_hh (H×H, row-major, ld
 * = H), an activation φ and a loss on the last hidden state only, writes traceOut[k] =
 * ‖∂L/∂h_{T−k}‖₂ for k = 0..T, where T = traceOut.length − 1 is the number of steps. {@link
 * GrowthExperiment} fits and plots these; an Elman RNN's BPTT plugs in here.
 */
@FunctionalInterface
public interface TraceProvider {

  /**
   * @param whh W_hh, H×H row-major (h_t = φ(W_hh·h_{t−1} + …)); not modified
   * @param hidden H
   * @param act φ
   * @param traceOut receives ‖∂L/∂h_{T−k}‖ at index k (length T + 1)
   * @throws UnsupportedOperationException if this provider cannot run {@code act}
   */
  void trace(float[] whh, int hidden, Activation act, float[] traceOut);
}
