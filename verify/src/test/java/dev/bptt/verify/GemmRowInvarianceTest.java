package dev.bptt.verify;

import dev.bptt.kernel.internal.BlasSupport;
import dev.bptt.kernel.internal.VectorizationProvider;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every element of a GEMM is β·c followed by one fixed chain of multiply-adds over p, whatever the
 * shape (see {@code GemmDriver}): a row computed inside a tall product must be bitwise the row
 * computed alone, and a pre-packed B must give the bits of the unpacked call. The batched
 * recurrence relies on this when it splits its rows across threads (bits independent of the thread
 * count) and when checkpointed BPTT recomputes steps. The driver picks a different path by shape: A
 * read in place or packed (untransposed, α = 1 or not), 8-row tiles for products of 8..64 rows (a
 * multiple of 8) on 512-bit vectors, 6-row tiles with 4-, 2- and 1-row remainder tiles otherwise,
 * edge tiles for partial column strips; a single row always takes the remainder path, so comparing
 * each row alone against the whole product compares the paths with each other.
 */
class GemmRowInvarianceTest {

  private static List<BlasSupport> kernels() {
    List<BlasSupport> k = new ArrayList<>();
    k.add(VectorizationProvider.scalar().blas());
    VectorizationProvider.panama().ifPresent(p -> k.add(p.blas()));
    return k;
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void rowsAloneEqualRowsInsideTheProduct(long seed) {
    Gen g = new Gen(seed);
    // m: often a multiple of 8 up to 72 (the 8-row tiles and just past their bound), else any.
    int m = g.random().nextBoolean() ? 8 * (1 + g.random().nextInt(9)) : g.size(1, 70);
    int[] dims = {m, g.sizeOrLarge(100, 200, 600), g.sizeOrLarge(80, 257, 700)};
    Shrink.check(seed, dims, d -> rowsCase(seed, d[0], d[1], d[2]));
  }

  private static String rowsCase(long seed, int m, int n, int k) {
    if (m == 0) {
      return null;
    }
    Gen g = new Gen(~seed);
    boolean ta = g.random().nextInt(4) == 0;
    float alpha = g.random().nextBoolean() ? 1f : g.scalar();
    float beta =
        switch (g.random().nextInt(3)) {
          case 0 -> 0f;
          case 1 -> 1f;
          default -> g.scalar();
        };
    int aRows = ta ? k : m, aCols = ta ? m : k;
    int aOff = g.offset(), lda = g.ld(aCols), cOff = g.offset(), ldc = g.ld(n);
    float scale = g.scaleExp();
    float[] a = g.array(aOff + aRows * lda + 3, scale);
    float[] w = g.array(k * n, g.scaleExp()); // B: k×n, row-major
    float[] c0 = g.array(cOff + m * ldc + 3, scale);
    for (BlasSupport kern : kernels()) {
      float[] packed = new float[kern.packedSize(k, n)];
      kern.packB(false, k, n, w, 0, n, packed);
      float[] whole = c0.clone(), unpacked = c0.clone(), alone = c0.clone();
      kern.gemmPacked(ta, m, n, k, alpha, a, aOff, lda, packed, beta, whole, cOff, ldc);
      kern.gemm(ta, false, m, n, k, alpha, a, aOff, lda, w, 0, n, beta, unpacked, cOff, ldc);
      for (int r = 0; r < m; r++) {
        // Row r of op(A): at aOff + r·lda (untransposed), or column r of the stored A.
        int rowOff = ta ? aOff + r : aOff + r * lda;
        kern.gemmPacked(
            ta, 1, n, k, alpha, a, rowOff, lda, packed, beta, alone, cOff + r * ldc, ldc);
      }
      String what =
          kern.getClass().getSimpleName()
              + (ta ? " T" : " N")
              + " m="
              + m
              + " n="
              + n
              + " k="
              + k
              + " alpha="
              + alpha
              + " beta="
              + beta
              + " lda="
              + lda
              + " ldc="
              + ldc;
      String d = firstDifference(whole, unpacked);
      if (d != null) {
        return what + ": gemmPacked vs gemm " + d;
      }
      d = firstDifference(whole, alone);
      if (d != null) {
        return what + ": whole product vs each row alone " + d;
      }
    }
    return null;
  }

  private static String firstDifference(float[] x, float[] y) {
    for (int i = 0; i < x.length; i++) {
      if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
        return "differ at [" + i + "]: " + x[i] + " vs " + y[i];
      }
    }
    return null;
  }
}
