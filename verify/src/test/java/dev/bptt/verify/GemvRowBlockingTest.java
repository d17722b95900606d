package dev.bptt.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bptt.kernel.blas.Blas;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A row of y = α·A·x + β·y has the same bits whichever row block computes it: the split B = 1
 * passes and checkpointed BPTT rely on a row not depending on how many rows a call covers (split at
 * multiples of four rows: a row of the last m mod 4 takes the one-row dot, whose tree differs).
 * Each case computes 32 rows in one call and again in calls of 12, 8 or 4 rows and compares the
 * bits; a wider row block (the vector gemv's blocks are four rows today) must keep each row's sum
 * tree to pass.
 */
class GemvRowBlockingTest {

  static Stream<Arguments> cases() {
    return IntStream.range(0, 48)
        .mapToObj(
            i -> {
              int[] ns = {16, 32, 48, 64, 128, 256, 17, 80, 272, 1};
              return Arguments.of(8100L + i, ns[i % ns.length]);
            });
  }

  @ParameterizedTest(name = "seed {0}, n = {1}")
  @MethodSource("cases")
  void rowBitsDoNotDependOnTheBlock(long seed, int n) {
    SplittableRandom g = new SplittableRandom(seed);
    int m = 32;
    float alpha = g.nextBoolean() ? 1f : (float) g.nextDouble(-2, 2);
    float beta = g.nextInt(3) == 0 ? 0f : (float) g.nextDouble(-2, 2);
    float[] a = new float[m * n], x = new float[n], y0 = new float[m];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) g.nextDouble(-1, 1);
    }
    for (int i = 0; i < n; i++) {
      x[i] = (float) g.nextDouble(-1, 1);
    }
    for (int i = 0; i < m; i++) {
      y0[i] = (float) g.nextDouble(-1, 1);
    }
    float[] whole = y0.clone();
    Blas.gemv(m, n, alpha, a, 0, n, x, 0, beta, whole, 0);
    for (int rows : new int[] {12, 8, 4}) {
      float[] part = y0.clone();
      for (int r0 = 0; r0 < m; r0 += rows) {
        int k = Math.min(rows, m - r0);
        Blas.gemv(k, n, alpha, a, r0 * n, n, x, 0, beta, part, r0);
      }
      for (int i = 0; i < m; i++) {
        assertEquals(
            Float.floatToRawIntBits(whole[i]),
            Float.floatToRawIntBits(part[i]),
            "seed "
                + seed
                + ", n = "
                + n
                + ", row "
                + i
                + " in calls of "
                + rows
                + " rows: "
                + whole[i]
                + " vs "
                + part[i]);
      }
    }
  }
}
