package dev.bptt.verify;

import dev.bptt.kernel.internal.BlasSupport;
import dev.bptt.kernel.internal.SumBlocks;
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
    for (BlasSupport kern : Twins.blas()) {
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
          shape(kern, (ta ? "T" : "N") + " alpha=" + alpha + " beta=" + beta, m, n, k, lda, ldc);
      String d =
          Bits.first(
              Bits.same(what + ": gemmPacked vs gemm", whole, unpacked),
              Bits.same(what + ": whole product vs each row alone", whole, alone));
      if (d != null) {
        return d;
      }
    }
    return null;
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void productFromAnInitialMatrixEqualsFillThenProduct(long seed) {
    Gen g = new Gen(seed);
    int m = g.random().nextBoolean() ? 8 * (1 + g.random().nextInt(9)) : g.size(1, 70);
    // n: half the time a multiple of 64, whole column panels of every kernel (NR = 2 vectors of up
    // to 512 bits), where full tiles read A in place and start from I themselves.
    int n =
        g.random().nextBoolean() ? 64 * (1 + g.random().nextInt(8)) : g.sizeOrLarge(100, 200, 600);
    int[] dims = {m, n, g.sizeOrLarge(80, 257, 700)};
    Shrink.check(seed, dims, d -> fromCase(seed, d[0], d[1], d[2]));
  }

  /**
   * C ← I + A·B ({@code gemmPackedFrom}: the input projection starting from the bias row, β = 0
   * products starting from zero) is bitwise I copied into C followed by the α = β = 1 product, for
   * I a matrix, one repeated row (ld 0) or zero (null), whatever C held before (NaN-poisoned: C is
   * not read), and a row alone gives the row of the whole product.
   */
  private static String fromCase(long seed, int m, int n, int k) {
    if (m == 0 || n == 0) {
      return null;
    }
    Gen g = new Gen(~seed);
    int kind = g.random().nextInt(3); // 0: zero, 1: one row (ld 0), 2: a matrix
    int aOff = g.offset(), lda = g.ld(k), cOff = g.offset(), ldc = g.ld(n);
    int iOff = g.offset(), ldi = kind == 1 ? 0 : g.ld(n);
    float scale = g.scaleExp();
    float[] a = g.array(aOff + m * lda + 3, scale);
    float[] w = g.array(k * n, g.scaleExp());
    float[] init = kind == 0 ? null : g.array(iOff + (kind == 1 ? 1 : m) * Math.max(ldi, n), scale);
    float[] ref = new float[cOff + m * ldc + 3];
    java.util.Arrays.fill(ref, Float.NaN);
    for (int r = 0; r < m; r++) {
      for (int j = 0; j < n; j++) {
        ref[cOff + r * ldc + j] = init == null ? 0f : init[iOff + r * ldi + j];
      }
    }
    for (BlasSupport kern : Twins.blas()) {
      float[] packed = new float[kern.packedSize(k, n)];
      kern.packB(false, k, n, w, 0, n, packed);
      float[] filled = ref.clone(), from = new float[ref.length], alone = new float[ref.length];
      java.util.Arrays.fill(from, Float.NaN);
      java.util.Arrays.fill(alone, Float.NaN);
      kern.gemmPacked(false, m, n, k, 1f, a, aOff, lda, packed, 1f, filled, cOff, ldc);
      kern.gemmPackedFrom(m, n, k, a, aOff, lda, packed, init, iOff, ldi, from, cOff, ldc);
      for (int r = 0; r < m; r++) {
        kern.gemmPackedFrom(
            1,
            n,
            k,
            a,
            aOff + r * lda,
            lda,
            packed,
            init,
            iOff + r * ldi,
            ldi,
            alone,
            cOff + r * ldc,
            ldc);
      }
      String what =
          shape(
              kern,
              "init=" + (kind == 0 ? "zero" : kind == 1 ? "row" : "matrix"),
              m,
              n,
              k,
              lda,
              ldc);
      String d =
          Bits.first(
              Bits.same(what + ": from init vs fill then product", filled, from),
              Bits.same(what + ": whole product vs each row alone", from, alone));
      if (d != null) {
        return d;
      }
    }
    return null;
  }

  /** A failing case's twin, variant and shape, for the message. */
  private static String shape(
      BlasSupport kern, String variant, int m, int n, int k, int lda, int ldc) {
    return kern.getClass().getSimpleName()
        + " "
        + variant
        + " m="
        + m
        + " n="
        + n
        + " k="
        + k
        + " lda="
        + lda
        + " ldc="
        + ldc;
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void blockedSumRowBlocksEqualTheWholeSum(long seed) {
    Gen g = new Gen(seed);
    int m = g.random().nextBoolean() ? 8 * (1 + g.random().nextInt(12)) : g.size(1, 90);
    int[] dims = {m, g.sizeOrLarge(100, 200, 300), g.sizeOrLarge(300, 513, 1100)};
    Shrink.check(seed, dims, d -> blockedCase(seed, d[0], d[1], d[2]));
  }

  /**
   * The weight-gradient sums (runs of 32 rows, blocks of 256, see {@code SumBlocks}) split by rows
   * of C, as threads split them, give the bits of the whole sum, in each twin: 8-row tiles with
   * their block sums in registers, 6-row tiles, and the edge tiles on scratch copies all run the
   * same operations per element. (The twins differ from each other by rounding: the scalar tile
   * rounds its products; TwinAgreementTest bounds that.)
   */
  private static String blockedCase(long seed, int m, int n, int k) {
    if (m == 0 || n == 0) {
      return null;
    }
    Gen g = new Gen(~seed);
    int split = g.random().nextInt(m + 1);
    int lda = g.ld(m), ldb = g.ld(n), ldc = g.ld(n);
    float[] a = g.array(k * lda, g.scaleExp());
    float[] b = g.array(k * ldb, g.scaleExp());
    float[] c0 = g.array(m * ldc, 1f);
    for (BlasSupport kern : Twins.blas()) {
      float[] whole = c0.clone(), parts = c0.clone();
      kern.blockedSum(m, n, k, a, 0, lda, b, 0, ldb, whole, 0, ldc, whole(k));
      kern.blockedSum(split, n, k, a, 0, lda, b, 0, ldb, parts, 0, ldc, whole(k));
      kern.blockedSum(m - split, n, k, a, split, lda, b, 0, ldb, parts, split * ldc, ldc, whole(k));
      String what =
          kern.getClass().getSimpleName() + " m=" + m + " n=" + n + " k=" + k + " split=" + split;
      String d =
          Bits.same(what + ": rows " + split + "/" + (m - split) + " vs whole", parts, whole);
      if (d != null) {
        return d;
      }
    }
    return null;
  }

  /** One call over all k rows: nothing carried in or out. */
  private static SumBlocks whole(int k) {
    return new SumBlocks(0).at(k - 1, 0);
  }
}
