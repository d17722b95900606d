package dev.bptt.verify;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.blas.Transpose;

/**
 * Naive reference of every kernel in {@code dev.bptt.kernel.blas.Blas}: the obvious loops, every
 * product and sum formed in double. A product of two floats is exact in double (48 significant
 * bits, exponent range far inside double's), so each reference value carries only the rounding of
 * its double additions, about 2⁻⁵³ per step: small enough to stand in for the exact value next to
 * float bounds ({@link Tolerance} adds that term explicitly).
 *
 * <p>Matrix results are returned row-major with leading dimension = columns. Methods named {@code
 * …Magnitude} return the matching Σ|terms| that forward error bounds are scaled by. Same argument
 * conventions as {@code Blas} (row-major, offset, ld); BLAS conventions for the scalars: β = 0
 * means the old output is not read (a NaN there is ignored), α = 0 means the product is not formed.
 */
public final class NaiveBlas {
  private NaiveBlas() {}

  // ---- level 1 ----

  /** Σᵢ xᵢ·yᵢ. */
  public static double dot(int n, float[] x, int xOff, float[] y, int yOff) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += (double) x[xOff + i] * y[yOff + i];
    }
    return s;
  }

  /** Σᵢ |xᵢ·yᵢ|: the magnitude the dot product's error bound is scaled by. */
  public static double dotMagnitude(int n, float[] x, int xOff, float[] y, int yOff) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += Math.abs((double) x[xOff + i] * y[yOff + i]);
    }
    return s;
  }

  /** yᵢ + α·xᵢ for i &lt; n (the new y of axpy). */
  public static double[] axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      r[i] = y[yOff + i] + (double) alpha * x[xOff + i];
    }
    return r;
  }

  /** α·xᵢ for i &lt; n (the new x of scale). */
  public static double[] scale(int n, float alpha, float[] x, int xOff) {
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      r[i] = (double) alpha * x[xOff + i];
    }
    return r;
  }

  /** Σᵢ xᵢ² (every float square is a normal double: no overflow, no underflow). */
  public static double sumOfSquares(int n, float[] x, int xOff) {
    return dot(n, x, xOff, x, xOff);
  }

  /** √(Σᵢ xᵢ²). */
  public static double norm2(int n, float[] x, int xOff) {
    return Math.sqrt(sumOfSquares(n, x, xOff));
  }

  /** Σᵢ |xᵢ|. */
  public static double norm1(int n, float[] x, int xOff) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += Math.abs((double) x[xOff + i]);
    }
    return s;
  }

  /** maxᵢ |xᵢ|, 0 for n = 0, NaN if any entry is NaN. */
  public static double normInf(int n, float[] x, int xOff) {
    double m = 0;
    for (int i = 0; i < n; i++) {
      double v = Math.abs((double) x[xOff + i]);
      if (Double.isNaN(v)) {
        return Double.NaN;
      }
      m = Math.max(m, v);
    }
    return m;
  }

  /**
   * max |a(i, j)| over the rows×cols matrix at off with leading dimension ld (0 when empty): the
   * largest factor, which bounds how far an underflow in a product can be magnified.
   */
  public static double maxAbs(float[] a, int off, int rows, int cols, int ld) {
    double m = 0;
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        m = Math.max(m, Math.abs((double) a[off + i * ld + j]));
      }
    }
    return m;
  }

  // ---- level 2 (as products of level 3 shapes: x and y are one-column matrices) ----

  /** α·A·x + β·y, A m×n: m values. */
  public static double[] gemv(
      int m,
      int n,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] x,
      int xOff,
      float beta,
      float[] y,
      int yOff) {
    return product(false, false, false, m, 1, n, alpha, a, aOff, lda, x, xOff, 1, beta, y, yOff, 1);
  }

  /** |α|·Σⱼ|Aᵢⱼ||xⱼ| + |β||yᵢ| (β term omitted when β = 0). */
  public static double[] gemvMagnitude(
      int m,
      int n,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] x,
      int xOff,
      float beta,
      float[] y,
      int yOff) {
    return product(true, false, false, m, 1, n, alpha, a, aOff, lda, x, xOff, 1, beta, y, yOff, 1);
  }

  /** α·Aᵀ·x + β·y, A m×n, x of length m: n values. */
  public static double[] gemvT(
      int m,
      int n,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] x,
      int xOff,
      float beta,
      float[] y,
      int yOff) {
    return product(false, true, false, n, 1, m, alpha, a, aOff, lda, x, xOff, 1, beta, y, yOff, 1);
  }

  /** |α|·Σᵢ|Aᵢⱼ||xᵢ| + |β||yⱼ| (β term omitted when β = 0). */
  public static double[] gemvTMagnitude(
      int m,
      int n,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] x,
      int xOff,
      float beta,
      float[] y,
      int yOff) {
    return product(true, true, false, n, 1, m, alpha, a, aOff, lda, x, xOff, 1, beta, y, yOff, 1);
  }

  /** A + α·x·yᵀ, A m×n: m·n values (x is m×1, yᵀ is the 1×n transpose of an n×1 matrix). */
  public static double[] ger(
      int m,
      int n,
      float alpha,
      float[] x,
      int xOff,
      float[] y,
      int yOff,
      float[] a,
      int aOff,
      int lda) {
    return product(false, false, true, m, n, 1, alpha, x, xOff, 1, y, yOff, 1, 1f, a, aOff, lda);
  }

  /** |Aᵢⱼ| + |α||xᵢ||yⱼ|. */
  public static double[] gerMagnitude(
      int m,
      int n,
      float alpha,
      float[] x,
      int xOff,
      float[] y,
      int yOff,
      float[] a,
      int aOff,
      int lda) {
    return product(true, false, true, m, n, 1, alpha, x, xOff, 1, y, yOff, 1, 1f, a, aOff, lda);
  }

  // ---- level 3 ----

  /** α·op(A)·op(B) + β·C, C m×n: m·n values. */
  public static double[] gemm(
      Transpose transA,
      Transpose transB,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float beta,
      float[] c,
      int cOff,
      int ldc) {
    return product(
        false,
        transA == Transpose.T,
        transB == Transpose.T,
        m,
        n,
        k,
        alpha,
        a,
        aOff,
        lda,
        b,
        bOff,
        ldb,
        beta,
        c,
        cOff,
        ldc);
  }

  /** |α|·Σₚ|op(A)ᵢₚ||op(B)ₚⱼ| + |β||Cᵢⱼ| (β term omitted when β = 0). */
  public static double[] gemmMagnitude(
      Transpose transA,
      Transpose transB,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float beta,
      float[] c,
      int cOff,
      int ldc) {
    return product(
        true,
        transA == Transpose.T,
        transB == Transpose.T,
        m,
        n,
        k,
        alpha,
        a,
        aOff,
        lda,
        b,
        bOff,
        ldb,
        beta,
        c,
        cOff,
        ldc);
  }

  /**
   * The one triple loop behind gemv, gemvᵀ, ger and gemm: α·Σₚ op(A)(i,p)·op(B)(p,j) + β·C(i,j), or
   * with {@code magnitude} the same sum of absolute values.
   */
  private static double[] product(
      boolean magnitude,
      boolean ta,
      boolean tb,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float beta,
      float[] c,
      int cOff,
      int ldc) {
    double[] r = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        if (alpha != 0f) {
          for (int p = 0; p < k; p++) {
            double av = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
            double bv = tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
            s += magnitude ? Math.abs(av * bv) : av * bv;
          }
        }
        double v = (magnitude ? Math.abs((double) alpha) : alpha) * s;
        if (beta != 0f) {
          double cv = c[cOff + i * ldc + j];
          v += magnitude ? Math.abs((double) beta * cv) : (double) beta * cv;
        }
        r[i * n + j] = v;
      }
    }
    return r;
  }

  // ---- activations ----

  /** φ(x) in double: tanh, 1/(1+e^−x), max(x, 0) (NaN stays NaN, −0 becomes +0), x. */
  public static double activation(Activation f, float x) {
    return switch (f) {
      case TANH -> Math.tanh(x);
      case SIGMOID -> 1.0 / (1.0 + Math.exp(-(double) x));
      case RELU -> Math.max(x, 0f);
      case IDENTITY -> x;
    };
  }

  /** φ(xᵢ) for i &lt; n. */
  public static double[] activate(Activation f, int n, float[] x, int xOff) {
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      r[i] = activation(f, x[xOff + i]);
    }
    return r;
  }

  /** g·φ′ with φ′ written from the output h: g·(1 − h²), g·h·(1 − h), g if h &gt; 0 else 0, g. */
  public static double activationGrad(Activation f, float h, float g) {
    double hv = h;
    return switch (f) {
      case TANH -> g * (1.0 - hv * hv);
      case SIGMOID -> g * (hv * (1.0 - hv));
      case RELU -> h > 0f ? g : 0f;
      case IDENTITY -> g;
    };
  }

  /** gᵢ·φ′(hᵢ) for i &lt; n. */
  public static double[] activationGrad(
      Activation f, int n, float[] h, int hOff, float[] g, int gOff) {
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      r[i] = activationGrad(f, h[hOff + i], g[gOff + i]);
    }
    return r;
  }
}
