package dev.bptt.verify.clip;

import static dev.bptt.verify.NaiveClip.TINY;
import static dev.bptt.verify.NaiveClip.UD;

import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.NormType;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.verify.Gen;
import dev.bptt.verify.NaiveClip;
import dev.bptt.verify.Shrink;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Unit-wise adaptive clipping (AGC) against the double reference: after the clip every included row
 * satisfies ‖Gᵢ‖/max(‖Wᵢ‖, ε) ≤ λ(1 + η); rows clearly under λ and exempt views keep their bits;
 * rows clearly over λ land on λ·Wᵢ*; a zero weight row caps the gradient row at λ·ε.
 */
class AdaptiveClipPropertyTest {

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void rowRatiosAreBoundedAfterClipping(long seed) {
    Shrink.check(seed, new int[] {4, 40, 70}, dims -> agcCase(seed, dims));
  }

  private static String agcCase(long seed, int[] dims) {
    Gen gen = new Gen(seed);
    SplittableRandom rnd = gen.random();
    float s = rnd.nextInt(3) == 0 ? 1024f : 1f;
    double[] lambdas = {0.01, 0.1, 1, 10};
    double lambda = lambdas[rnd.nextInt(lambdas.length)];
    double eps = rnd.nextBoolean() ? GradientClipper.DEFAULT_AGC_EPSILON : 0.5;
    float wScale = rnd.nextBoolean() ? 1f : 1e-4f;
    ClipCase g = ClipCase.matrices(gen, Math.max(1, dims[0]), dims[1], dims[2], gen.scaleExp());
    ClipCase w = g.sameShapes(gen, wScale);
    String where = "λ=" + lambda + " ε=" + eps + " s=" + s + " shapes=" + g.shapes() + ": ";
    GradientClipper clipper = GradientClipper.of(ClipRule.STRICT).withLossScale(s);
    ClipResult r = clipper.clipAdaptive(g.set, w.set, lambda, eps, new ClipResult());

    int k = g.rows.length;
    double[][] raw = g.before();
    double[][] gt = NaiveClip.unscale(raw, s);
    double[][] wv = w.now();
    boolean[] include = new boolean[k];
    for (int i = 0; i < k; i++) {
      include[i] = g.set.view(i).adaptiveClipping();
    }
    double[][] want = NaiveClip.clipAdaptive(gt, wv, g.cols, include, lambda, eps);
    double[][] after = g.now();
    // Row norms of G and W err by δ_r each (float sums of one row), the applied factor by one
    // multiply: the ratio after the clip is at most λ(1 + η).
    double dr = NaiveClip.normBound(NormType.L2, Math.max(1, g.maxCols()), 1);
    double eta =
        (1 + dr)
                * (1 + NaiveClip.scaleBound())
                * (1 + NaiveClip.gamma(g.maxCols() + 2, UD))
                / (1 - dr)
            - 1;
    double nRef = NaiveClip.norm(NormType.L2, gt);
    if (!(Math.abs(r.totalNorm() - nRef)
        <= NaiveClip.normBound(NormType.L2, g.totalLength(), k) * nRef)) {
      return where + "totalNorm " + r.totalNorm() + " vs reference " + nRef;
    }
    if (r.normType() != NormType.L2 || r.nonFinite()) {
      return where + "flags wrong: " + r;
    }
    int surelyClipped = 0;
    int maybeClipped = 0;
    for (int i = 0; i < k; i++) {
      TensorView v = g.set.view(i);
      int cols = g.cols[i];
      for (int row = 0; row < g.rows[i] && cols > 0; row++) {
        double gn = NaiveClip.rowNorm(gt[i], row, cols);
        double wStar = Math.max(NaiveClip.rowNorm(wv[i], row, cols), eps);
        double ratio = gn / wStar;
        double gnAfter = NaiveClip.rowNorm(after[i], row, cols);
        boolean clipsHere = v.adaptiveClipping() && ratio > lambda * (1 + eta);
        boolean keepsHere = !v.adaptiveClipping() || ratio < lambda / (1 + eta);
        if (v.adaptiveClipping()
            && !(gnAfter / wStar
                <= lambda * (1 + eta) + NaiveClip.underflowTerm(NormType.L2, cols) / wStar)) {
          return where
              + "view "
              + i
              + " row "
              + row
              + ": ratio after "
              + gnAfter / wStar
              + " > λ(1+η), η="
              + eta;
        }
        if (clipsHere
            && !(Math.abs(gnAfter - lambda * wStar)
                <= lambda * wStar * eta + NaiveClip.underflowTerm(NormType.L2, cols))) {
          return where
              + "view "
              + i
              + " row "
              + row
              + ": clipped norm "
              + gnAfter
              + ", want λ·W* = "
              + lambda * wStar;
        }
        for (int j = row * cols; j < (row + 1) * cols; j++) {
          if (keepsHere && s == 1f && after[i][j] != raw[i][j]) {
            return where
                + "view "
                + i
                + " row "
                + row
                + " (ratio "
                + ratio
                + ", λ "
                + lambda
                + ") changed at "
                + j;
          }
          double ref = keepsHere ? gt[i][j] : want[i][j];
          double tol =
              clipsHere || keepsHere
                  ? Math.abs(ref) * (eta + NaiveClip.scaleBound()) + TINY
                  : Math.abs(gt[i][j]) * (2 * eta + NaiveClip.scaleBound()) + TINY;
          if (!(Math.abs(after[i][j] - ref) <= tol)) {
            return where + "view " + i + " entry " + j + " = " + after[i][j] + ", reference " + ref;
          }
        }
        surelyClipped += clipsHere ? 1 : 0;
        maybeClipped += keepsHere ? 0 : 1;
      }
    }
    if (r.clippedUnits() < surelyClipped
        || r.clippedUnits() > maybeClipped
        || r.clipped() != (r.clippedUnits() > 0)) {
      return where
          + "clippedUnits "
          + r.clippedUnits()
          + " not in ["
          + surelyClipped
          + ", "
          + maybeClipped
          + "]";
    }
    String outside = g.outsideChanged();
    if (outside != null) {
      return where + outside;
    }
    if (!w.unchanged()) {
      return where + "weights were written";
    }
    return null;
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#fewSeeds")
  void zeroWeightRowCapsGradientAtLambdaEpsilon(long seed) {
    Gen gen = new Gen(seed);
    int cols = gen.size(1, 200);
    int rows = gen.size(1, 8);
    float[] grad = gen.array(rows * cols, 1f + gen.random().nextInt(100));
    float[] weight = new float[rows * cols];
    float[] copy = grad.clone();
    double lambda = 0.01;
    ClipResult r =
        GradientClipper.of(ClipRule.STRICT)
            .clipAdaptive(
                TensorView.matrix("G", grad, 0, rows, cols),
                TensorView.matrix("W", weight, 0, rows, cols),
                lambda,
                new ClipResult());
    double cap = lambda * GradientClipper.DEFAULT_AGC_EPSILON;
    double dr = NaiveClip.normBound(NormType.L2, cols, 1);
    double eta = (1 + NaiveClip.scaleBound()) / (1 - dr) - 1;
    for (int row = 0; row < rows; row++) {
      double[] before = new double[cols];
      double[] v = new double[cols];
      for (int j = 0; j < cols; j++) {
        before[j] = copy[row * cols + j];
        v[j] = grad[row * cols + j];
      }
      double n0 = NaiveClip.rowNorm(before, 0, cols);
      double n = NaiveClip.rowNorm(v, 0, cols);
      // W* = max(0, ε) = ε, so a row above λ·ε (by more than the rounding η) lands on λ·ε and
      // a row below it (rare at these magnitudes) keeps its bits.
      boolean ok =
          n0 > cap * (1 + eta)
              ? Math.abs(n - cap) <= cap * eta
              : n0 < cap / (1 + eta) ? n == n0 : n <= n0 * (1 + eta);
      if (!ok) {
        throw new AssertionError(
            "seed="
                + seed
                + " row "
                + row
                + " of "
                + rows
                + "x"
                + cols
                + ": norm "
                + n0
                + " -> "
                + n
                + " after AGC on a zero weight row, want λ·ε = "
                + cap
                + " (η="
                + eta
                + "); "
                + r);
      }
    }
  }
}
