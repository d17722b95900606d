package dev.bptt.verify.clip;

import static dev.bptt.verify.NaiveClip.TINY;
import static dev.bptt.verify.NaiveClip.UD;

import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.NormType;
import dev.bptt.verify.Gen;
import dev.bptt.verify.NaiveClip;
import dev.bptt.verify.Shrink;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Per-view norm clipping (Keras {@code clipnorm}): each view is clipped as if it were alone, with
 * one threshold for all views or one per view; against the double reference.
 */
class PerViewClipPropertyTest {

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void eachViewIsClippedOnItsOwn(long seed) {
    Shrink.check(seed, new int[] {5, 300}, dims -> perViewCase(seed, dims));
  }

  private static String perViewCase(long seed, int[] dims) {
    Gen gen = new Gen(seed);
    SplittableRandom rnd = gen.random();
    NormType type = NormType.values()[rnd.nextInt(3)];
    ClipRule rule = ClipRule.values()[rnd.nextInt(2)];
    float s =
        GlobalNormClipPropertyTest.LOSS_SCALES[
            rnd.nextInt(GlobalNormClipPropertyTest.LOSS_SCALES.length)];
    boolean oneTheta = rnd.nextBoolean();
    ClipCase c = ClipCase.vectors(gen, Math.max(1, dims[0]), dims[1], gen.scaleExp());
    int k = c.rows.length;
    double[][] raw = c.before();
    double[][] g = NaiveClip.unscale(raw, s);
    double[] thetas = new double[k];
    double common = NaiveClip.norm(type, g) / Math.sqrt(k);
    for (int i = 0; i < k; i++) {
      thetas[i] = oneTheta ? common : NaiveClip.norm(type, g[i]) * (0.25 + rnd.nextDouble());
    }
    String where = type + " " + rule + " s=" + s + " shapes=" + c.shapes() + ": ";
    GradientClipper clipper = GradientClipper.of(rule).withNormType(type).withLossScale(s);
    ClipResult r =
        oneTheta
            ? clipper.clipPerView(c.set, common, new ClipResult())
            : clipper.clipPerView(c.set, thetas, new ClipResult());

    double delta = NaiveClip.normBound(type, c.totalLength(), k);
    double nRef = NaiveClip.norm(type, g);
    if (!(Math.abs(r.totalNorm() - nRef) <= delta * nRef)) {
      return where + "totalNorm " + r.totalNorm() + " vs reference " + nRef;
    }
    String outside = c.outsideChanged();
    if (outside != null) {
      return where + outside;
    }
    double[][] after = c.now();
    double minCoef = 1;
    int units = 0;
    for (int i = 0; i < k; i++) {
      double vRef = NaiveClip.norm(type, g[i]);
      double dv = NaiveClip.normBound(type, g[i].length, 1);
      if (!(Math.abs(r.viewNorm(i) - vRef) <= dv * vRef)) {
        return where + "viewNorm(" + i + ") " + r.viewNorm(i) + " vs " + vRef;
      }
      double ci = r.viewCoefficient(i);
      if (ci != NaiveClip.coefficient(rule, thetas[i], r.viewNorm(i))) {
        return where
            + "view "
            + i
            + " coefficient "
            + ci
            + " is not the rule applied to its norm "
            + r.viewNorm(i);
      }
      double cRef = NaiveClip.coefficient(rule, thetas[i], vRef);
      if (!(Math.abs(ci - cRef) <= Math.max(ci, cRef) * dv / (1 - dv))) {
        return where + "view " + i + " coefficient " + ci + " vs reference " + cRef;
      }
      for (int j = 0; j < raw[i].length; j++) {
        double want = raw[i][j] * ci / s;
        if (!(Math.abs(after[i][j] - want) <= Math.abs(want) * NaiveClip.scaleBound() + TINY)) {
          return where + "view " + i + " entry " + j + " = " + after[i][j] + ", want " + want;
        }
      }
      if (ci < 1) {
        double p = NaiveClip.norm(type, after[i]);
        double target = rule == ClipRule.STRICT ? thetas[i] : thetas[i] * vRef / (vRef + 1e-6);
        double slack =
            (1 + NaiveClip.scaleBound()) * (1 + NaiveClip.gamma(g[i].length + 1, UD)) / (1 - dv);
        if (!(p <= target * slack + NaiveClip.underflowTerm(type, g[i].length))) {
          return where + "view " + i + " post-clip norm " + p + " above " + target + "·" + slack;
        }
      }
      minCoef = Math.min(minCoef, ci);
      units += ci < 1 ? 1 : 0;
    }
    if (r.coefficient() != minCoef || r.clippedUnits() != units || r.clipped() != (units > 0)) {
      return where
          + "summary wrong: "
          + r
          + " (want min coefficient "
          + minCoef
          + ", units "
          + units
          + ")";
    }
    return null;
  }
}
