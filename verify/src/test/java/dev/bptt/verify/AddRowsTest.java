package dev.bptt.verify;

import dev.bptt.kernel.internal.BlasSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code addRows} (the bias sums' run accumulation, sums held in registers across rows) must give
 * the bits of one {@code axpy(n, 1, row, y)} per row in the same order, for the scalar twin and the
 * Vector API kernel alike: checkpointed BPTT is bitwise equal to full BPTT only if every run of a
 * bias sum adds the same terms in the same order, and a thread's block of units (any column offset
 * and width) must not change a column's bits. Rows go both ways (lda &gt; 0 and lda &lt; 0, the
 * descending runs of the bias sums), widths hit every tail (0, 1, L−1, L, L+1, 4L±1, large),
 * magnitudes span 10^±30 so rounding happens in every addition.
 */
class AddRowsTest {

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void addRowsIsOneAxpyPerRow(long seed) {
    Gen g = new Gen(seed);
    int rows = g.size(40), n = g.sizeOrLarge(100, 200, 1100);
    Shrink.check(seed, new int[] {rows, n}, d -> addRowsCase(seed, d[0], d[1]));
  }

  private static String addRowsCase(long seed, int rows, int n) {
    Gen g = new Gen(~seed);
    int ld = g.ld(n), aOff = g.offset(), yOff = g.offset();
    boolean descending = g.random().nextBoolean();
    float scale = g.scaleExp();
    float[] a = g.array(aOff + Math.max(rows, 1) * ld + 3, scale);
    float[] y0 = g.array(yOff + n + 3, scale);
    // Rows in order r = 0..rows−1 (ascending) or rows−1..0 (descending, a negative stride).
    int first = descending ? aOff + (rows - 1) * ld : aOff, step = descending ? -ld : ld;
    if (rows == 0) {
      first = aOff;
    }
    for (BlasSupport k : Twins.blas()) {
      float[] expected = y0.clone(), got = y0.clone();
      for (int r = 0; r < rows; r++) {
        k.axpy(n, 1f, a, first + r * step, expected, yOff);
      }
      k.addRows(rows, n, a, first, step, got, yOff);
      for (int i = 0; i < got.length; i++) {
        if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(expected[i])) {
          return k.getClass().getSimpleName()
              + " rows="
              + rows
              + " n="
              + n
              + " ld="
              + step
              + " yOff="
              + yOff
              + ": y["
              + i
              + "] = "
              + got[i]
              + ", rows of axpy give "
              + expected[i]
              + (i < yOff || i >= yOff + n ? " (outside the range: must stay untouched)" : "");
        }
      }
    }
    return null;
  }
}
