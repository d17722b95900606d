package dev.bptt.verify.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.TensorView;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * clipValue with c = ±0 clamps every entry to a zero carrying the entry's sign, bitwise the same
 * for −0.0 and +0.0 and in every position (the vector body and the scalar tail once disagreed for
 * −0.0: +0.0 against −0.0 for negative entries).
 */
class ClipValueZeroTest {

  @ParameterizedTest(name = "n={0}")
  @ValueSource(ints = {1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 65})
  void zeroBoundGivesSignedZeros(int n) {
    SplittableRandom r = new SplittableRandom(n);
    float[] base = new float[n];
    for (int i = 0; i < n; i++) {
      base[i] = (float) (r.nextDouble(-2, 2));
    }
    base[0] = -0.0f;
    float[] neg = base.clone();
    float[] pos = base.clone();
    GradientClipper clipper = GradientClipper.of(ClipRule.PYTORCH);
    clipper.clipValue(TensorView.of(neg), -0.0f, new ClipResult());
    clipper.clipValue(TensorView.of(pos), 0.0f, new ClipResult());
    for (int i = 0; i < n; i++) {
      float want = Math.copySign(0f, base[i]);
      assertEquals(
          Float.floatToRawIntBits(want), Float.floatToRawIntBits(neg[i]), "c = -0.0, i = " + i);
      assertEquals(
          Float.floatToRawIntBits(want), Float.floatToRawIntBits(pos[i]), "c = +0.0, i = " + i);
    }
  }
}
