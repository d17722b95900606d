package dev.bptt.verify.fuzz;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.blas.Transpose;
import dev.bptt.verify.NaiveBlas;
import dev.bptt.verify.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Reference checks of accepted Blas calls against {@link NaiveBlas} (loose derived bounds). */
final class BlasRef {
  private BlasRef() {}

  static boolean close(double got, double ref, double bound) {
    if (Double.isNaN(ref) || Double.isNaN(got)) {
      return Double.isNaN(ref) && Double.isNaN(got);
    }
    if (Double.isInfinite(got) && !Double.isInfinite(ref)) {
      // a float result overflows to ±∞ when the exact value (within the bound) is beyond float's
      // range: that is the correctly rounded answer, not an error
      return Math.signum(got) == Math.signum(ref) && Math.abs(ref) + bound >= Float.MAX_VALUE;
    }
    if (Double.isInfinite(ref) || Double.isInfinite(got)) {
      return got == ref;
    }
    return Math.abs(got - ref) <= bound;
  }

  static double bound(int k, double mag) {
    return 4 * Tolerance.gamma(k + 4) * mag + 1e-37 * (k + 2);
  }

  /** A scalar result: ref, its magnitude and the depth k. */
  static Function<Object, String> scalar(double ref, double mag, int k) {
    return r -> {
      double got = ((Number) r).doubleValue();
      return close(got, ref, bound(k, mag))
          ? null
          : "result " + got + " != reference " + ref + " (bound " + bound(k, mag) + ")";
    };
  }

  /**
   * The output array (by identity, as passed) must equal its pre-call copy outside the written
   * positions and the reference at them.
   */
  static Function<Object, String> array(
      float[] out, int[] positions, double[] ref, double[] mag, int k) {
    return array(out, positions, ref, mag, k, new int[0]);
  }

  /**
   * As {@link #array(float[], int[], double[], double[], int)}, where the output at {@code
   * anyValue} may be written with any value (documented overflow: see {@link #gemm}).
   */
  static Function<Object, String> array(
      float[] out, int[] positions, double[] ref, double[] mag, int k, int[] anyValue) {
    float[] before = out.clone();
    return r -> {
      boolean[] written = new boolean[out.length];
      for (int p : anyValue) {
        written[p] = true;
      }
      for (int i = 0; i < positions.length; i++) {
        int p = positions[i];
        written[p] = true;
        double b = mag == null ? 2e-6 * (1 + Math.abs(ref[i])) : bound(k, mag[i]);
        if (!close(out[p], ref[i], b)) {
          return "output[" + p + "] = " + out[p] + " != reference " + ref[i] + " (bound " + b + ")";
        }
      }
      for (int p = 0; p < out.length; p++) {
        if (!written[p] && Float.floatToRawIntBits(out[p]) != Float.floatToRawIntBits(before[p])) {
          return "output["
              + p
              + "] outside the written range changed: "
              + before[p]
              + " -> "
              + out[p];
        }
      }
      return null;
    };
  }

  /**
   * As {@link #array(float[], int[], double[], double[], int, int[])}, where output q
   * (positions[q], with ref[q] and mag[q]) may be written with any value when {@code anyValue}
   * holds for q.
   */
  static Function<Object, String> array(
      float[] out,
      int[] positions,
      double[] ref,
      double[] mag,
      int k,
      java.util.function.IntPredicate anyValue) {
    List<Integer> keep = new ArrayList<>(), any = new ArrayList<>();
    for (int q = 0; q < positions.length; q++) {
      (anyValue.test(q) ? any : keep).add(q);
    }
    return array(
        out,
        keep.stream().mapToInt(q -> positions[q]).toArray(),
        keep.stream().mapToDouble(q -> ref[q]).toArray(),
        keep.stream().mapToDouble(q -> mag[q]).toArray(),
        k,
        any.stream().mapToInt(q -> positions[q]).toArray());
  }

  static int[] range(int off, int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = off + i;
    }
    return p;
  }

  static int[] matrix(int off, int rows, int cols, int ld) {
    int[] p = new int[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        p[i * cols + j] = off + i * ld + j;
      }
    }
    return p;
  }

  // ---- per entry point; a = the call's arguments ----

  static Function<Object, String> dot(Object[] a) {
    int n = (int) a[0];
    float[] x = (float[]) a[1], y = (float[]) a[3];
    int xo = (int) a[2], yo = (int) a[4];
    return scalar(
        NaiveBlas.dot(n, x, xo, y, yo), NaiveBlas.dotMagnitude(n, x, xo, y, yo), Math.max(n, 1));
  }

  static Function<Object, String> axpy(Object[] a) {
    int n = (int) a[0];
    float al = (float) a[1];
    float[] x = (float[]) a[2], y = (float[]) a[4];
    int xo = (int) a[3], yo = (int) a[5];
    double[] ref = NaiveBlas.axpy(n, al, x, xo, y, yo);
    double[] mag = new double[n];
    for (int i = 0; i < n; i++) {
      mag[i] = Math.abs((double) al * x[xo + i]) + Math.abs(y[yo + i]);
    }
    return array(y, range(yo, n), ref, mag, 2);
  }

  static Function<Object, String> scale(Object[] a) {
    int n = (int) a[0];
    float al = (float) a[1];
    float[] x = (float[]) a[2];
    int xo = (int) a[3];
    double[] ref = NaiveBlas.scale(n, al, x, xo);
    double[] mag = new double[n];
    for (int i = 0; i < n; i++) {
      mag[i] = Math.abs(ref[i]);
    }
    return array(x, range(xo, n), ref, mag, 1);
  }

  static Function<Object, String> norm(String which, Object[] a) {
    int n = (int) a[0];
    float[] x = (float[]) a[1];
    int xo = (int) a[2];
    double ref =
        switch (which) {
          case "sumOfSquares" -> NaiveBlas.sumOfSquares(n, x, xo);
          case "norm2" -> NaiveBlas.norm2(n, x, xo);
          case "norm1" -> NaiveBlas.norm1(n, x, xo);
          default -> NaiveBlas.normInf(n, x, xo);
        };
    return scalar(ref, Math.abs(ref), Math.max(n, 1));
  }

  static Function<Object, String> gemv(boolean trans, Object[] a) {
    int m = (int) a[0], n = (int) a[1];
    float al = (float) a[2], be = (float) a[8];
    float[] ma = (float[]) a[3], x = (float[]) a[6], y = (float[]) a[9];
    int ao = (int) a[4], lda = (int) a[5], xo = (int) a[7], yo = (int) a[10];
    double[] ref =
        trans
            ? NaiveBlas.gemvT(m, n, al, ma, ao, lda, x, xo, be, y, yo)
            : NaiveBlas.gemv(m, n, al, ma, ao, lda, x, xo, be, y, yo);
    double[] mag =
        trans
            ? NaiveBlas.gemvTMagnitude(m, n, al, ma, ao, lda, x, xo, be, y, yo)
            : NaiveBlas.gemvMagnitude(m, n, al, ma, ao, lda, x, xo, be, y, yo);
    // Documented (Blas.gemvT, as the reference BLAS's column-major sgemv("N")): α multiplies x in
    // float before the products, so one overflowing fl(α·xᵢ) may give ±∞ or NaN anywhere; and as in
    // any float accumulation (documented with gemm) an element whose magnitude |α|·Σ|a||x| + |β||y|
    // exceeds the float range may overflow in an intermediate sum.
    boolean fold = trans && foldOverflows(al, x, xo, m);
    return array(
        y,
        range(yo, trans ? n : m),
        ref,
        mag,
        Math.max(m, n) + 2,
        q -> fold || mag[q] > Float.MAX_VALUE);
  }

  /** Some fl(α·vᵢ), i &lt; len, overflows although vᵢ is finite. */
  static boolean foldOverflows(float al, float[] v, int off, int len) {
    for (int i = 0; i < len && Math.abs(al) > 1; i++) {
      if (Float.isFinite(v[off + i]) && Float.isInfinite(al * v[off + i])) {
        return true;
      }
    }
    return false;
  }

  static Function<Object, String> ger(Object[] a) {
    int m = (int) a[0], n = (int) a[1];
    float al = (float) a[2];
    float[] x = (float[]) a[3], y = (float[]) a[5], ma = (float[]) a[7];
    int xo = (int) a[4], yo = (int) a[6], ao = (int) a[8], lda = (int) a[9];
    double[] ref = NaiveBlas.ger(m, n, al, x, xo, y, yo, ma, ao, lda);
    double[] mag = NaiveBlas.gerMagnitude(m, n, al, x, xo, y, yo, ma, ao, lda);
    // Documented (Blas.ger): α multiplies x in float first, so a row whose fl(α·xᵢ) overflows may
    // hold ±∞ or NaN although α·xᵢ·yⱼ would fit.
    return array(ma, matrix(ao, m, n, lda), ref, mag, 3, q -> foldOverflows(al, x, xo + q / n, 1));
  }

  static Function<Object, String> gemm(Object[] a) {
    Transpose ta = (Transpose) a[0], tb = (Transpose) a[1];
    int m = (int) a[2], n = (int) a[3], k = (int) a[4];
    float al = (float) a[5], be = (float) a[12];
    float[] ma = (float[]) a[6], mb = (float[]) a[9], mc = (float[]) a[13];
    int ao = (int) a[7], lda = (int) a[8], bo = (int) a[10], ldb = (int) a[11];
    int co = (int) a[14], ldc = (int) a[15];
    double[] ref = NaiveBlas.gemm(ta, tb, m, n, k, al, ma, ao, lda, mb, bo, ldb, be, mc, co, ldc);
    double[] mag =
        NaiveBlas.gemmMagnitude(ta, tb, m, n, k, al, ma, ao, lda, mb, bo, ldb, be, mc, co, ldc);
    // Documented (Blas.gemm, as the reference BLAS folds α into op(B)): α multiplies the entries
    // of op(A) in float before the products, so a row whose fl(α·aᵢₚ) overflows may hold ±∞ or
    // NaN although α·(A·B) would fit; and, as in any float accumulation, an element whose
    // |α|·Σ|aᵢₚ||bₚⱼ| + |β||cᵢⱼ| exceeds the float range may overflow in an intermediate sum.
    boolean[] rowOverflows = new boolean[m];
    for (int i = 0; i < m; i++) {
      for (int p = 0; p < k && Math.abs(al) > 1; p++) {
        float v = ta == Transpose.T ? ma[ao + p * lda + i] : ma[ao + i * lda + p];
        rowOverflows[i] |= Float.isFinite(v) && Float.isInfinite(al * v);
      }
    }
    return array(
        mc,
        matrix(co, m, n, ldc),
        ref,
        mag,
        k + 2,
        q -> rowOverflows[q / n] || mag[q] > Float.MAX_VALUE);
  }

  static Function<Object, String> activate(Object[] a) {
    Activation f = (Activation) a[0];
    int n = (int) a[1];
    float[] x = (float[]) a[2], y = (float[]) a[4];
    int xo = (int) a[3], yo = (int) a[5];
    return array(y, range(yo, n), NaiveBlas.activate(f, n, x, xo), null, 1);
  }

  static Function<Object, String> activationGrad(Object[] a) {
    Activation f = (Activation) a[0];
    int n = (int) a[1];
    float[] h = (float[]) a[2], g = (float[]) a[4], out = (float[]) a[6];
    int ho = (int) a[3], go = (int) a[5], oo = (int) a[7];
    double[] ref = NaiveBlas.activationGrad(f, n, h, ho, g, go);
    double[] mag = new double[n];
    for (int i = 0; i < n; i++) {
      mag[i] = 4 * Math.abs(g[go + i]) * (1 + (double) h[ho + i] * h[ho + i]);
    }
    return array(out, range(oo, n), ref, mag, 3);
  }
}
