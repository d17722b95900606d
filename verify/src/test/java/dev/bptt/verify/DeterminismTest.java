package dev.bptt.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.blas.Transpose;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reductions run in a fixed order, so every kernel is bitwise reproducible: the same inputs twice
 * give the same bits, and so do the same values placed at other offsets with other leading
 * dimensions (the order depends on the sizes only, not on where the data sits).
 */
class DeterminismTest {

  /** Where the operands sit: an offset and the extra columns of every leading dimension. */
  private record Layout(int off, int ldExtra) {}

  /** Logical (dense) operands of one case. */
  private record Data(
      int m,
      int n,
      int k,
      float alpha,
      float beta,
      float[] x,
      float[] y,
      float[] xm,
      float[] a,
      float[] b,
      float[] bt,
      float[] c,
      float[] h) {}

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void sameInputsGiveSameBitsAnywhere(long seed) {
    Gen g = new Gen(seed);
    int n = g.sizeOrLarge(100, 1000, 2000), m = g.size(40), k = g.size(40);
    float[] s = g.scalePair();
    Data d =
        new Data(
            m,
            n,
            k,
            g.scalar(),
            g.scalar(),
            g.array(n, s[0]),
            g.array(n, s[1]),
            g.array(m, s[1]),
            g.array(m * n, s[0]),
            g.array(n * k, s[1]),
            g.array(k * n, s[1]),
            g.array(m * Math.max(1, Math.max(n, k)), s[0] * s[1]),
            g.array(n, 1f));
    Layout here = new Layout(0, 0),
        there = new Layout(1 + g.random().nextInt(17), 1 + g.random().nextInt(9));
    long[] first = runAll(d, here);
    String where = "seed=" + seed + " m=" + m + " n=" + n + " k=" + k;
    assertArrayEquals(first, runAll(d, here), "second run differs: " + where);
    assertArrayEquals(first, runAll(d, there), "relocated run (" + there + ") differs: " + where);
  }

  /**
   * Runs every public kernel on the operands placed by the layout; returns the bits of all outputs.
   */
  private static long[] runAll(Data d, Layout l) {
    int m = d.m(), n = d.n(), k = d.k(), o = l.off();
    float[] x = place(d.x(), 1, n, l), y = place(d.y(), 1, n, l), xm = place(d.xm(), 1, m, l);
    float[] a = place(d.a(), m, n, l);
    int ldA = ld(n, l);
    long[] bits = new long[8 + m + 10 * n + m * n + 2 * m * k]; // sizes of the outputs below
    int[] at = {0};
    put(bits, at, Blas.dot(n, x, o, y, o));
    put(bits, at, Blas.sumOfSquares(n, x, o));
    put(bits, at, Blas.norm2(n, x, o));
    put(bits, at, Blas.norm1(n, x, o));
    put(bits, at, Blas.normInf(n, x, o));

    float[] yy = y.clone();
    Blas.axpy(n, d.alpha(), x, o, yy, o);
    put(bits, at, extract(yy, 1, n, l));

    float[] ym = place(d.c(), 1, m, l);
    Blas.gemv(m, n, d.alpha(), a, o, ldA, x, o, d.beta(), ym, o);
    put(bits, at, extract(ym, 1, m, l));
    float[] yn = y.clone();
    Blas.gemvT(m, n, d.alpha(), a, o, ldA, xm, o, d.beta(), yn, o);
    put(bits, at, extract(yn, 1, n, l));
    float[] aa = a.clone();
    Blas.ger(m, n, d.alpha(), xm, o, y, o, aa, o, ldA);
    put(bits, at, extract(aa, m, n, l));

    // C (m×k) ← α·A·B + β·C and α·A·(Bᵗ)ᵀ + β·C, with B n×k and Bᵗ stored k×n.
    float[] b = place(d.b(), n, k, l), bt = place(d.bt(), k, n, l);
    float[] c1 = place(d.c(), m, k, l), c2 = c1.clone();
    Blas.gemm(
        Transpose.N,
        Transpose.N,
        m,
        k,
        n,
        d.alpha(),
        a,
        o,
        ldA,
        b,
        o,
        ld(k, l),
        d.beta(),
        c1,
        o,
        ld(k, l));
    Blas.gemm(
        Transpose.N,
        Transpose.T,
        m,
        k,
        n,
        d.alpha(),
        a,
        o,
        ldA,
        bt,
        o,
        ld(n, l),
        d.beta(),
        c2,
        o,
        ld(k, l));
    put(bits, at, extract(c1, m, k, l));
    put(bits, at, extract(c2, m, k, l));

    float[] h = place(d.h(), 1, n, l);
    for (Activation f : Activation.values()) {
      float[] out = new float[o + n + 1];
      Blas.activate(f, n, x, o, out, o);
      put(bits, at, Arrays.copyOfRange(out, o, o + n));
      Blas.activationGrad(f, n, h, o, y, o, out, o);
      put(bits, at, Arrays.copyOfRange(out, o, o + n));
    }
    return Arrays.copyOf(bits, at[0]);
  }

  private static float[] place(float[] dense, int rows, int cols, Layout l) {
    int ld = ld(cols, l);
    float[] r = new float[l.off() + rows * ld + 1];
    Arrays.fill(r, Padded.CANARY);
    for (int i = 0; i < rows; i++) {
      System.arraycopy(dense, i * cols, r, l.off() + i * ld, cols);
    }
    return r;
  }

  /**
   * The leading dimension of a matrix with this many columns under the layout (≥ 1, as Blas
   * requires).
   */
  private static int ld(int cols, Layout l) {
    return Math.max(1, cols) + l.ldExtra();
  }

  private static float[] extract(float[] a, int rows, int cols, Layout l) {
    int ld = ld(cols, l);
    float[] r = new float[rows * cols];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(a, l.off() + i * ld, r, i * cols, cols);
    }
    return r;
  }

  private static void put(long[] bits, int[] at, double v) {
    bits[at[0]++] = Double.doubleToRawLongBits(v);
  }

  private static void put(long[] bits, int[] at, float[] v) {
    for (float f : v) {
      bits[at[0]++] = Float.floatToRawIntBits(f);
    }
  }
}
