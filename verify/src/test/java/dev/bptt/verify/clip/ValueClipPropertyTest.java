package dev.bptt.verify.clip;

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
 * Value clipping (PyTorch {@code clip_grad_value_}): every entry becomes clamp(fl(x·fl(1/s)), −c,
 * c) exactly, so |x'| ≤ c, entries inside the bounds keep their bits (s = 1), a second clip changes
 * nothing, and ‖g‖∞ is reported exactly.
 */
class ValueClipPropertyTest {

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void entriesAreClampedExactly(long seed) {
    Shrink.check(seed, new int[] {4, 300}, dims -> valueCase(seed, dims));
  }

  private static String valueCase(long seed, int[] dims) {
    Gen gen = new Gen(seed);
    SplittableRandom rnd = gen.random();
    float s =
        GlobalNormClipPropertyTest.LOSS_SCALES[
            rnd.nextInt(GlobalNormClipPropertyTest.LOSS_SCALES.length)];
    float scale = gen.scaleExp();
    ClipCase c = ClipCase.vectors(gen, Math.max(1, dims[0]), dims[1], scale);
    float[] choices = {0f, scale * 0.1f, scale * 0.5f / s, scale * 2f / s, Float.POSITIVE_INFINITY};
    float cv = choices[rnd.nextInt(choices.length)];
    String where = "s=" + s + " c=" + cv + " shapes=" + c.shapes() + ": ";
    GradientClipper clipper = GradientClipper.of(ClipRule.STRICT).withLossScale(s);
    ClipResult r = clipper.clipValue(c.set, cv, new ClipResult());

    int k = c.rows.length;
    double[][] raw = c.before();
    double[][] after = c.now();
    float inv = 1f / s;
    int units = 0;
    for (int i = 0; i < k; i++) {
      boolean clamped = false;
      for (int j = 0; j < raw[i].length; j++) {
        float x = c.before(i, j);
        float scaled = x * inv;
        float want = Math.min(Math.max(scaled, -cv), cv);
        if (Float.floatToRawIntBits((float) after[i][j]) != Float.floatToRawIntBits(want)) {
          return where
              + "view "
              + i
              + " entry "
              + j
              + ": "
              + x
              + " became "
              + after[i][j]
              + ", want "
              + want;
        }
        if (!(Math.abs(after[i][j]) <= cv)) {
          return where + "entry outside [−c, c]: " + after[i][j];
        }
        // Against the exact clamp of x/s: only the rounding of x·fl(1/s) separates them.
        double exact = Math.max(-cv, Math.min(cv, x / (double) s));
        if (!(Math.abs(after[i][j] - exact)
            <= Math.abs(exact) * NaiveClip.scaleBound() + NaiveClip.TINY)) {
          return where + "entry " + after[i][j] + " far from the exact clamp " + exact;
        }
        clamped |= Math.abs(scaled) > cv;
      }
      units += clamped ? 1 : 0;
      double vRef = NaiveClip.norm(NormType.LINF, raw[i]) / s;
      if (r.viewNorm(i) != vRef) {
        return where + "viewNorm(" + i + ") " + r.viewNorm(i) + " is not max|x|/s = " + vRef;
      }
    }
    if (r.totalNorm() != NaiveClip.norm(NormType.LINF, raw) / s || r.normType() != NormType.LINF) {
      return where + "totalNorm " + r.totalNorm() + " is not max|x|/s";
    }
    if (r.clippedUnits() != units || r.clipped() != (units > 0) || !Double.isNaN(r.coefficient())) {
      return where + "summary wrong: " + r + " (want units " + units + ")";
    }
    String outside = c.outsideChanged();
    if (outside != null) {
      return where + outside;
    }
    // Idempotent: the clamped buffer is within [−c, c], so clipping it again (s = 1) is a no-op.
    c.snapshot();
    ClipResult again = GradientClipper.of(ClipRule.STRICT).clipValue(c.set, cv, new ClipResult());
    if (!c.unchanged() || again.clipped()) {
      return where + "a second value clip changed the buffer";
    }
    return null;
  }
}
