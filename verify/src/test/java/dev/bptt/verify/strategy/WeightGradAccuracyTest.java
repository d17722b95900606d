package dev.bptt.verify.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.bptt.BpttRunner;
import dev.bptt.kernel.bptt.BpttStrategy;
import dev.bptt.kernel.bptt.BpttWorkspace;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Accuracy of the weight- and bias-gradient sums over K = T·B terms (issue: "as accurate as
 * pairwise"): for every gradient tensor, the largest relative error of an element against the exact
 * sum of the same float terms is at most 4× that of a pairwise float32 summation of those terms,
 * computed here.
 *
 * <p>The terms are made reproducible outside the kernel: an Elman RNN with identity activation and
 * W_hh = 0 has δ_t = W_y[0,:]·dy_t exactly as one float product when O = 1 (no recurrent term, the
 * activation derivative 1), and its hidden states come from the workspace; the readout's terms dy_t
 * ⊗ h_t need neither, so O = 64 checks W_y and b_y on 64 rows. All values are positive, so no
 * element's sum cancels and every relative error is that of the summation (the double sum of float
 * products is exact to about 1e−16). Why 4×: with random rounding the pairwise error is about
 * u·√(log₂ K) and the kernel's three-level blocking (runs of 32, blocks of 256) about u·√(16 + 4 +
 * K/512), 1.7× at K = 9600 and 1.5× at K = 4096; one float chain over all K terms, also printed, is
 * about √(K/(2 log₂ K)) ≈ 19× and 11×. The same case run checkpointed with segments that cut the
 * blocks (and the runs, at B = 1) must give bitwise the full pass.
 */
class WeightGradAccuracyTest {
  private static final int D = 16, H = 64;

  @ParameterizedTest(name = "T={0} B={1} O={2}")
  @CsvSource({"300,32,1", "300,32,64", "4096,1,1", "4096,1,64"})
  void blockedSumsWithinFourTimesPairwise(int steps, int batch, int outputs) {
    RnnLayout layout = new RnnLayout(D, H, outputs);
    ElmanRnn net = new ElmanRnn(layout, Activation.IDENTITY);
    SplittableRandom r = new SplittableRandom(steps * 31L + batch * 7L + outputs);
    float[] p = new float[layout.size()];
    fill(r, p, layout.offWxh(), H * D, 1.0 / D);
    fill(r, p, layout.offBh(), H, 1);
    for (int i = 0; i < outputs * H; i++) {
      p[layout.offWhy() + i] = (float) (0.5 + 0.5 * r.nextDouble());
    }
    fill(r, p, layout.offBy(), outputs, 1);
    float[] x = new float[steps * batch * D], s0 = new float[batch * H];
    float[] dy = new float[steps * batch * outputs];
    fill(r, x, 0, x.length, 1);
    fill(r, s0, 0, s0.length, 1);
    fill(r, dy, 0, dy.length, 1);
    SequenceShape shape = SequenceShape.steps(steps).batch(batch);
    SequenceBatch seq =
        new SequenceBatch(net, shape)
            .input(x)
            .initialState(s0)
            .losses(LossSteps.everyStep())
            .upstream(dy);
    RnnWorkspace ws = new RnnWorkspace(net, shape);
    net.forward(p, seq, ws);
    float[] g = new float[p.length];
    net.backward(p, g, seq, ws);
    float[][] h = new float[steps + 1][batch * H];
    for (int t = 0; t <= steps; t++) {
      ws.copyState(t, h[t], 0);
    }

    String what = "T=" + steps + " B=" + batch + " O=" + outputs;
    int k = steps * batch;
    if (outputs == 1) {
      // δ_t,b[i] = W_y[0][i]·dy_t,b as one float product; the sums run over k = (t, b).
      float[] delta = new float[k * H];
      for (int q = 0; q < k; q++) {
        for (int i = 0; i < H; i++) {
          delta[q * H + i] = p[layout.offWhy() + i] * dy[q];
        }
      }
      check(
          what + " dW_ih",
          H * D,
          k,
          (e, q) -> delta[q * H + e / D],
          (e, q) -> x[q * D + e % D],
          g,
          layout.offWxh());
      check(
          what + " dW_hh",
          H * H,
          k,
          (e, q) -> delta[q * H + e / H],
          (e, q) -> h[q / batch][(q % batch) * H + e % H],
          g,
          layout.offWhh());
      check(what + " db_h", H, k, (e, q) -> delta[q * H + e], (e, q) -> 1f, g, layout.offBh());
    } else {
      check(
          what + " dW_y",
          outputs * H,
          k,
          (e, q) -> dy[q * outputs + e / H],
          (e, q) -> h[q / batch + 1][(q % batch) * H + e % H],
          g,
          layout.offWhy());
      check(
          what + " db_y",
          outputs,
          k,
          (e, q) -> dy[q * outputs + e],
          (e, q) -> 1f,
          g,
          layout.offBy());
    }

    // Checkpointed with segments that cut the 256-row blocks (and the 32-row runs when B = 1):
    // bitwise the full pass.
    for (int segment : new int[] {5, 17, 50}) {
      BpttStrategy s = BpttStrategy.checkpointed(segment);
      float[] gc = new float[p.length];
      new BpttRunner(net).run(s, p, gc, seq, new BpttWorkspace(net, shape, s));
      assertArrayEquals(g, gc, what + " " + s + " must equal full BPTT bitwise");
    }
  }

  /** Factor (a, b) of term q of element e. */
  private interface Factor {
    float at(int e, int q);
  }

  private static void check(
      String what, int elements, int k, Factor a, Factor b, float[] got, int off) {
    double kernel = 0, pairwise = 0, chain = 0;
    float[] terms = new float[k];
    for (int e = 0; e < elements; e++) {
      double exact = 0;
      float seq = 0;
      for (int q = k - 1; q >= 0; q--) {
        float x = a.at(e, q), y = b.at(e, q);
        exact += (double) x * y;
        terms[q] = x * y;
        seq = Math.fma(x, y, seq);
      }
      kernel = Math.max(kernel, Math.abs(got[off + e] - exact) / exact);
      pairwise = Math.max(pairwise, Math.abs(pairwiseSum(terms, 0, k) - exact) / exact);
      chain = Math.max(chain, Math.abs(seq - exact) / exact);
    }
    double u = 0x1p-24;
    System.out.printf(
        "%s: max relative error %.3g u (pairwise float32 %.3g u, one FMA chain %.3g u), ratio"
            + " %.2f%n",
        what, kernel / u, pairwise / u, chain / u, kernel / pairwise);
    assertTrue(
        kernel <= 4 * pairwise,
        what
            + ": max relative error "
            + kernel / u
            + " u exceeds 4 × the pairwise float32 sum's "
            + pairwise / u
            + " u");
  }

  /** Recursive pairwise float sum of terms[lo, lo + n). */
  private static float pairwiseSum(float[] terms, int lo, int n) {
    if (n == 1) {
      return terms[lo];
    }
    int half = n / 2;
    return pairwiseSum(terms, lo, half) + pairwiseSum(terms, lo + half, n - half);
  }

  private static void fill(SplittableRandom r, float[] a, int off, int n, double scale) {
    for (int i = 0; i < n; i++) {
      a[off + i] = (float) (scale * r.nextDouble());
    }
  }
}
