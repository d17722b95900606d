package dev.bptt.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bptt.kernel.internal.BlasSupport;
import dev.bptt.kernel.internal.VectorizationProvider;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The clamp kernel (value clipping): both twins give bitwise x ← Math.min(Math.max(fl(x·mul), −c),
 * c) for every entry, including NaN, ±0, ±∞, values on the bounds and c = 0, at edge sizes with
 * offsets; entries outside the range are untouched.
 */
class ClampTwinTest {
  private static final float[] SPECIAL = {
    Float.NaN,
    0f,
    -0f,
    Float.POSITIVE_INFINITY,
    Float.NEGATIVE_INFINITY,
    1f,
    -1f,
    Float.MIN_VALUE,
    -Float.MIN_VALUE,
    Float.MAX_VALUE,
    -Float.MAX_VALUE
  };

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void bothTwinsMatchMathMinMaxBitwise(long seed) {
    Gen g = new Gen(seed);
    SplittableRandom r = g.random();
    int n = g.size(300);
    int off = g.offset();
    float c = r.nextInt(5) == 0 ? 0f : (float) r.nextDouble(0, 2);
    float mul = r.nextBoolean() ? 1f : (float) r.nextDouble(-2, 2);
    float[] x = new float[off + n + 3];
    for (int i = 0; i < x.length; i++) {
      x[i] =
          r.nextInt(4) == 0
              ? SPECIAL[r.nextInt(SPECIAL.length)]
              : r.nextInt(4) == 0
                  ? (r.nextBoolean() ? c : -c) / (mul == 0f ? 1f : mul)
                  : (float) r.nextDouble(-3, 3);
    }
    float[] expected = x.clone();
    for (int i = off; i < off + n; i++) {
      expected[i] = Math.min(Math.max(x[i] * mul, -c), c);
    }
    BlasSupport scalar = VectorizationProvider.scalar().blas();
    check("scalar", scalar, x, off, n, mul, c, expected, seed);
    var panama = VectorizationProvider.panama();
    assumeTrue(panama.isPresent(), "no Vector API in this JVM");
    check(panama.get().blas().name(), panama.get().blas(), x, off, n, mul, c, expected, seed);
  }

  private static void check(
      String impl,
      BlasSupport k,
      float[] x,
      int off,
      int n,
      float mul,
      float c,
      float[] expected,
      long seed) {
    float[] got = x.clone();
    k.clamp(n, mul, c, got, off);
    String m =
        Bits.same(
            impl + " clamp seed=" + seed + " n=" + n + " off=" + off + " mul=" + mul + " c=" + c,
            got,
            expected);
    assertEquals(null, m);
  }
}
