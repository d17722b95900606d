package dev.bptt.verify.rnn;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.rnn.ElmanRnn;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.RnnLayout;
import dev.bptt.kernel.rnn.RnnWorkspace;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.verify.NaiveRnn;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One seeded RNN problem: layout, parameters, inputs, initial state, upstream gradients, loss steps
 * and prior gradients, all as the kernel takes them (float, at offsets, with NaN canaries around
 * every range so a read of padding poisons the result and a write is visible).
 *
 * <p>The upstream gradients exist in two forms: {@link #dOut}, the full [T][B][O′] array with
 * canaries at the steps without a loss, which the double reference reads with {@link #lossAt}; and
 * {@link #up}, the compact [L][B][O′] array the kernel reads (one block per loss step in increasing
 * step order, at {@link #upOff}, canaries before and after), with {@link #losses}.
 *
 * <p>The content is a pure function of (seed, dims, spec), so {@link dev.bptt.verify.Shrink} can
 * rebuild smaller cases from the same seed.
 */
final class RnnProblem {
  /** Quiet NaN with a payload: padding, and dOut at steps without a loss (must not be read). */
  static final float CANARY = Float.intBitsToFloat(0x7fc0ffee);

  /** Canary elements after every range. */
  static final int TAIL = 3;

  /** Which steps carry a loss. */
  enum Loss {
    /** lossAt = null: every step. */
    EVERY,
    /** Only the last step. */
    LAST,
    /** A random subset (runs of loss steps of every length), lossAt longer than T. */
    SUBSET
  }

  /**
   * Scale of the recurrent weights. The componentwise bounds of {@link RnnBounds} grow per step
   * like ρ(|W_hh|·diag φ′), not like ρ(W_hh), so "well conditioned" here means ρ(|W_hh|) small
   * enough over T steps for the bounds to stay informative.
   *
   * <ul>
   *   <li>STANDARD: W_hh ~ U(±1/√H): ρ(W_hh) ≈ 1/√3, but ρ(|W_hh|) ≈ √H/2 (mean |w| times H).
   *   <li>CONTRACTIVE: W_hh ~ U(±1/H): every row of |W_hh| sums to about 1/2, so the bounds stay
   *       tight over any T.
   *   <li>EXPANDING: W_hh = P·(R + N)·Pᵀ with R diagonal, R_ii ∈ [1.02, 1.1], N strictly upper
   *       triangular U(±1/H), P a random permutation: the eigenvalues are the R_ii, so ρ(W_hh) =
   *       max R_ii &gt; 1 by construction, and ρ(|W_hh|) is the same (the bounds grow as fast as
   *       the solution). R is positive so that the growing modes do not alternate in sign, which
   *       would cancel in Σ_t δ_t while a bound cannot.
   * </ul>
   */
  enum Weights {
    STANDARD,
    CONTRACTIVE,
    EXPANDING;

    /**
     * STANDARD while its worst-case bound growth stays within 100 over T steps (so a 1e-7 rounding
     * stays below 1e-5 relative), else CONTRACTIVE. The growth per step is at most ρ(|W_hh|) ≤ max
     * row sum of |W_hh| ≤ H·(1/√H) = √H for U(±1/√H) entries; the typical √H/2 is not enough for
     * small H, whose row sums vary a lot.
     */
    static Weights wellConditioned(int steps, int hidden) {
      double growth = Math.max(1, Math.sqrt(hidden));
      return steps * Math.log(growth) <= Math.log(100) ? STANDARD : CONTRACTIVE;
    }
  }

  /** Everything about a case except its dimensions. */
  record Spec(
      Activation activation, Weights weights, Loss loss, boolean withH0, boolean priorGrads) {
    @Override
    public String toString() {
      return activation
          + "/"
          + weights
          + "/loss="
          + loss
          + (withH0 ? "/h0" : "/h0=0")
          + (priorGrads ? "/G0" : "");
    }
  }

  /** Index of each dimension in the dims array that {@link dev.bptt.verify.Shrink} halves. */
  static final int T = 0, B = 1, D = 2, H = 3, O = 4;

  final Spec spec;
  final RnnLayout layout;
  final int steps;
  final int batch;
  final float[] params;
  final float[] x;
  final int xOff;
  final float[] h0;
  final int h0Off;
  final float[] dOut;
  final int dOutOff;
  final boolean[] lossAt;

  /** The kernel's loss steps (the steps ≤ T that {@link #lossAt} marks). */
  final LossSteps losses;

  /**
   * True when {@link #lossAt} marks no step ≤ T (a SUBSET case). {@link LossSteps} cannot name zero
   * steps, so the kernel then gets a loss at step T with a zero upstream block: the same gradient
   * (every term it adds is ±0), while the reference reads no loss at all.
   */
  final boolean noLossStep;

  /** Compact upstream gradients [L][B][O′] at {@link #upOff}, canaries around. */
  final float[] up;

  final int upOff;
  final float[] grads0;

  /** Set by fillParams for EXPANDING weights. */
  private double spectralRadius = Double.NaN;

  private RnnProblem(Spec spec, int[] dims, long seed) {
    this.spec = spec;
    this.layout = new RnnLayout(dims[D], dims[H], dims[O]);
    this.steps = dims[T];
    this.batch = dims[B];
    if (steps < 1 || batch < 1) {
      throw new IllegalArgumentException("T and B must be >= 1: " + Arrays.toString(dims));
    }
    SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
    this.params = new float[layout.size()];
    fillParams(rnd);
    int d = layout.inputSize(), h = layout.hiddenSize(), w = layout.stepOutputSize();
    this.xOff = offset(rnd);
    this.x = padded(rnd, xOff, steps * batch * d, 1.0);
    this.h0Off = offset(rnd);
    this.h0 = spec.withH0() ? padded(rnd, h0Off, batch * h, 0.5) : null;
    this.dOutOff = offset(rnd);
    this.dOut = padded(rnd, dOutOff, steps * batch * w, 1.0);
    this.lossAt = lossSteps(rnd);
    for (int t = 1; t <= steps; t++) {
      if (!hasLoss(t)) {
        Arrays.fill(dOut, dOutOff + (t - 1) * batch * w, dOutOff + t * batch * w, CANARY);
      }
    }
    int lossCount = 0;
    for (int t = 1; t <= steps; t++) {
      lossCount += hasLoss(t) ? 1 : 0;
    }
    this.noLossStep = lossCount == 0;
    this.losses = lossSteps(lossAt, steps);
    this.upOff = dOutOff;
    this.up =
        noLossStep
            ? zeroBlock(upOff, batch * w)
            : compact(dOut, dOutOff, lossAt, steps, batch * w, upOff);
    this.grads0 = new float[layout.size() + TAIL];
    Arrays.fill(grads0, layout.size(), grads0.length, CANARY);
    if (spec.priorGrads()) {
      for (int i = 0; i < layout.size(); i++) {
        grads0[i] = uniform(rnd, 1.0);
      }
    }
  }

  /**
   * The kernel's {@link LossSteps} for a boolean mask (index t−1; null: every step; entries beyond
   * T ignored): everyStep() for null, else at(the marked steps ≤ T); lastStep() when only step T is
   * marked; and lastStep() when no step ≤ T is marked (see {@link #noLossStep}).
   */
  static LossSteps lossSteps(boolean[] lossAt, int steps) {
    if (lossAt == null) {
      return LossSteps.everyStep();
    }
    int n = 0;
    for (int t = 1; t <= steps; t++) {
      n += lossAt[t - 1] ? 1 : 0;
    }
    if (n == 0 || n == 1 && lossAt[steps - 1]) {
      return LossSteps.lastStep();
    }
    int[] s = new int[n];
    int i = 0;
    for (int t = 1; t <= steps; t++) {
      if (lossAt[t - 1]) {
        s[i++] = t;
      }
    }
    return LossSteps.at(s);
  }

  /**
   * Packs the blocks of the loss steps (lossAt null: all; entries beyond T ignored) of a full
   * [T][rowSize] array at fullOff into a compact array at outOff, in increasing step order, with
   * {@link #CANARY} before outOff and {@link #TAIL} canaries after.
   */
  static float[] compact(
      float[] full, int fullOff, boolean[] lossAt, int steps, int rowSize, int outOff) {
    int n = 0;
    for (int t = 1; t <= steps; t++) {
      n += lossAt == null || lossAt[t - 1] ? 1 : 0;
    }
    float[] c = new float[outOff + n * rowSize + TAIL];
    Arrays.fill(c, CANARY);
    int k = outOff;
    for (int t = 1; t <= steps; t++) {
      if (lossAt == null || lossAt[t - 1]) {
        System.arraycopy(full, fullOff + (t - 1) * rowSize, c, k, rowSize);
        k += rowSize;
      }
    }
    return c;
  }

  private static float[] zeroBlock(int off, int n) {
    float[] c = new float[off + n + TAIL];
    Arrays.fill(c, CANARY);
    Arrays.fill(c, off, off + n, 0f);
    return c;
  }

  /** The network of this problem. */
  ElmanRnn rnn() {
    return new ElmanRnn(layout, spec.activation());
  }

  /** T and B of this problem. */
  SequenceShape shape() {
    return SequenceShape.steps(steps).batch(batch);
  }

  /** A workspace of exactly this problem's shape. */
  RnnWorkspace workspace() {
    return new RnnWorkspace(rnn(), shape());
  }

  /** A sequence batch with this problem's input, initial state, loss steps and compact upstream. */
  SequenceBatch sequence() {
    SequenceBatch s =
        new SequenceBatch(rnn(), shape()).input(x, xOff).losses(losses).upstream(up, upOff);
    return h0 == null ? s : s.initialState(h0, h0Off);
  }

  /** Builds the problem of {@code spec} with dims {T, B, D, H, O} from {@code seed}. */
  static RnnProblem of(Spec spec, int[] dims, long seed) {
    return new RnnProblem(spec, dims, seed);
  }

  boolean hasLoss(int t) {
    return lossAt == null || lossAt[t - 1];
  }

  /**
   * ρ(W_hh) for EXPANDING weights (exact: the diagonal of the permuted triangular factor), else
   * NaN.
   */
  double expandingSpectralRadius() {
    return spectralRadius;
  }

  private void fillParams(SplittableRandom rnd) {
    int d = layout.inputSize(), h = layout.hiddenSize(), o = layout.outputSize();
    fill(rnd, layout.offWxh(), h * d, 1 / Math.sqrt(Math.max(1, d)));
    int whh = layout.offWhh();
    switch (spec.weights()) {
      case STANDARD -> fill(rnd, whh, h * h, 1 / Math.sqrt(h));
      case CONTRACTIVE -> fill(rnd, whh, h * h, 1.0 / h);
      case EXPANDING -> {
        int[] perm = permutation(rnd, h);
        double rho = 0;
        for (int i = 0; i < h; i++) {
          for (int k = 0; k < h; k++) {
            double v;
            if (k == i) {
              v = 1.02 + 0.08 * rnd.nextDouble();
              rho = Math.max(rho, Math.abs((float) v));
            } else {
              v = k > i ? uniform(rnd, 1.0 / h) : 0;
            }
            params[whh + perm[i] * h + perm[k]] = (float) v;
          }
        }
        spectralRadius = rho;
      }
    }
    fill(rnd, layout.offBh(), h, 0.5);
    fill(rnd, layout.offWhy(), o * h, 1 / Math.sqrt(h));
    fill(rnd, layout.offBy(), o, 0.5);
  }

  private void fill(SplittableRandom rnd, int off, int n, double scale) {
    for (int i = 0; i < n; i++) {
      params[off + i] = uniform(rnd, scale);
    }
  }

  private boolean[] lossSteps(SplittableRandom rnd) {
    return switch (spec.loss()) {
      case EVERY -> null;
      case LAST -> {
        boolean[] l = new boolean[steps];
        l[steps - 1] = true;
        yield l;
      }
      case SUBSET -> {
        boolean[] l = new boolean[steps + rnd.nextInt(3)];
        for (int i = 0; i < l.length; i++) {
          l[i] = rnd.nextInt(3) != 0;
        }
        yield l;
      }
    };
  }

  private static int[] permutation(SplittableRandom rnd, int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }

  private static int offset(SplittableRandom rnd) {
    return rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(17);
  }

  private static float uniform(SplittableRandom rnd, double scale) {
    return (float) (scale * (rnd.nextDouble() * 2 - 1));
  }

  /** n values scale·U(±1) at off, canaries before and TAIL after. */
  private static float[] padded(SplittableRandom rnd, int off, int n, double scale) {
    float[] a = new float[off + n + TAIL];
    Arrays.fill(a, CANARY);
    for (int i = 0; i < n; i++) {
      a[off + i] = uniform(rnd, scale);
    }
    return a;
  }

  // Double views for the reference (exact widening).

  double[] paramsD() {
    return NaiveRnn.toDouble(params, 0, layout.size());
  }

  double[] xD() {
    return NaiveRnn.toDouble(x, xOff, steps * batch * layout.inputSize());
  }

  double[] h0D() {
    return h0 == null ? null : NaiveRnn.toDouble(h0, h0Off, batch * layout.hiddenSize());
  }

  double[] dOutD() {
    return NaiveRnn.toDouble(dOut, dOutOff, steps * batch * layout.stepOutputSize());
  }

  double[] grads0D() {
    return NaiveRnn.toDouble(grads0, 0, layout.size());
  }

  @Override
  public String toString() {
    return spec
        + " T="
        + steps
        + " B="
        + batch
        + " D="
        + layout.inputSize()
        + " H="
        + layout.hiddenSize()
        + " O="
        + layout.outputSize()
        + (lossAt == null ? "" : " lossAt=" + lossString())
        + (noLossStep ? " (no loss step: kernel gets a zero block at T)" : "");
  }

  private String lossString() {
    StringBuilder s = new StringBuilder();
    for (int t = 0; t < steps; t++) {
      s.append(lossAt[t] ? '1' : '0');
    }
    return s.toString();
  }
}
