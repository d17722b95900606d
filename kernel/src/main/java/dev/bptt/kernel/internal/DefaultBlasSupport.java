package dev.bptt.kernel.internal;

/**
 * Scalar twin of {@link PanamaBlasSupport}: the same method order and loop structure (four
 * accumulators in reductions, four-row blocks in gemv/gemvᵀ/ger, the shared GEMM driver with a 4×4
 * register tile), so the two differ only in vector width and summation grouping. Used when the
 * Vector API is absent, and as the reference shape for reading the Panama code.
 */
final class DefaultBlasSupport implements BlasSupport {

  // ---- level 1 ----

  @Override
  public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
    // Four accumulators: four independent add chains hide the FP add latency.
    float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += x[xOff + i] * y[yOff + i];
      s1 += x[xOff + i + 1] * y[yOff + i + 1];
      s2 += x[xOff + i + 2] * y[yOff + i + 2];
      s3 += x[xOff + i + 3] * y[yOff + i + 3];
    }
    for (; i < n; i++) {
      s0 += x[xOff + i] * y[yOff + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] += alpha * x[xOff + i];
    }
  }

  @Override
  public void addRows(int rows, int n, float[] a, int aOff, int lda, float[] y, int yOff) {
    for (int j = 0; j < n; j++) {
      float s = y[yOff + j];
      for (int r = 0, p = aOff + j; r < rows; r++, p += lda) {
        s += a[p];
      }
      y[yOff + j] = s;
    }
  }

  @Override
  public void scale(int n, float alpha, float[] x, int xOff) {
    for (int i = 0; i < n; i++) {
      x[xOff + i] *= alpha;
    }
  }

  @Override
  public float sumOfSquaresFast(int n, float[] x, int xOff) {
    float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      float v0 = x[xOff + i], v1 = x[xOff + i + 1], v2 = x[xOff + i + 2], v3 = x[xOff + i + 3];
      s0 += v0 * v0;
      s1 += v1 * v1;
      s2 += v2 * v2;
      s3 += v3 * v3;
    }
    for (; i < n; i++) {
      float v = x[xOff + i];
      s0 += v * v;
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float sumAbs(int n, float[] x, int xOff) {
    float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += Math.abs(x[xOff + i]);
      s1 += Math.abs(x[xOff + i + 1]);
      s2 += Math.abs(x[xOff + i + 2]);
      s3 += Math.abs(x[xOff + i + 3]);
    }
    for (; i < n; i++) {
      s0 += Math.abs(x[xOff + i]);
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float maxAbs(int n, float[] x, int xOff) {
    // Four chains as in the Panama twin; Math.max propagates NaN and is order-free.
    float m0 = 0f, m1 = 0f, m2 = 0f, m3 = 0f;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      m0 = Math.max(m0, Math.abs(x[xOff + i]));
      m1 = Math.max(m1, Math.abs(x[xOff + i + 1]));
      m2 = Math.max(m2, Math.abs(x[xOff + i + 2]));
      m3 = Math.max(m3, Math.abs(x[xOff + i + 3]));
    }
    for (; i < n; i++) {
      m0 = Math.max(m0, Math.abs(x[xOff + i]));
    }
    return Math.max(Math.max(m0, m1), Math.max(m2, m3));
  }

  @Override
  public int firstNonFinite(int n, float[] x, int xOff) {
    // Four lanes per iteration as in the Panama twin; x − x is 0 for a finite x, NaN otherwise.
    int i = 0;
    for (; i + 3 < n; i += 4) {
      float a = x[xOff + i], b = x[xOff + i + 1], c = x[xOff + i + 2], d = x[xOff + i + 3];
      if ((a - a) + (b - b) + (c - c) + (d - d) != 0f) {
        break; // one of the four: located below
      }
    }
    for (; i < n; i++) {
      float v = x[xOff + i];
      if (v - v != 0f) {
        return i;
      }
    }
    return -1;
  }

  // ---- level 2 ----

  @Override
  public void gemv(
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
    int i = 0;
    // Four rows per block share each x load.
    for (; i + 3 < m; i += 4) {
      int r0 = aOff + i * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
      float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
      for (int j = 0; j < n; j++) {
        float xj = x[xOff + j];
        s0 += a[r0 + j] * xj;
        s1 += a[r1 + j] * xj;
        s2 += a[r2 + j] * xj;
        s3 += a[r3 + j] * xj;
      }
      y[yOff + i] = combine(alpha, s0, beta, y[yOff + i]);
      y[yOff + i + 1] = combine(alpha, s1, beta, y[yOff + i + 1]);
      y[yOff + i + 2] = combine(alpha, s2, beta, y[yOff + i + 2]);
      y[yOff + i + 3] = combine(alpha, s3, beta, y[yOff + i + 3]);
    }
    for (; i < m; i++) {
      y[yOff + i] = combine(alpha, dot(n, a, aOff + i * lda, x, xOff), beta, y[yOff + i]);
    }
  }

  /** α·s + β·y, not reading y when β = 0 (so a NaN there is ignored, as in BLAS). */
  static float combine(float alpha, float s, float beta, float y) {
    return beta == 0f ? alpha * s : alpha * s + beta * y;
  }

  @Override
  public void gemvT(
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
    scaleOrZero(n, beta, y, yOff);
    int i = 0;
    // Eight rows fused, as two chains of four (the Panama twin's shape).
    for (; i + 7 < m; i += 8) {
      int r0 = aOff + i * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
      int r4 = r3 + lda, r5 = r4 + lda, r6 = r5 + lda, r7 = r6 + lda;
      float x0 = alpha * x[xOff + i], x1 = alpha * x[xOff + i + 1];
      float x2 = alpha * x[xOff + i + 2], x3 = alpha * x[xOff + i + 3];
      float x4 = alpha * x[xOff + i + 4], x5 = alpha * x[xOff + i + 5];
      float x6 = alpha * x[xOff + i + 6], x7 = alpha * x[xOff + i + 7];
      for (int j = 0; j < n; j++) {
        float z = x4 * a[r4 + j] + x5 * a[r5 + j] + x6 * a[r6 + j] + x7 * a[r7 + j];
        y[yOff + j] =
            (y[yOff + j] + x0 * a[r0 + j] + x1 * a[r1 + j] + x2 * a[r2 + j] + x3 * a[r3 + j]) + z;
      }
    }
    // Four rows fused: each y element is loaded and stored once per four rows.
    for (; i + 3 < m; i += 4) {
      int r0 = aOff + i * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
      float x0 = alpha * x[xOff + i], x1 = alpha * x[xOff + i + 1];
      float x2 = alpha * x[xOff + i + 2], x3 = alpha * x[xOff + i + 3];
      for (int j = 0; j < n; j++) {
        y[yOff + j] += x0 * a[r0 + j] + x1 * a[r1 + j] + x2 * a[r2 + j] + x3 * a[r3 + j];
      }
    }
    for (; i < m; i++) {
      axpy(n, alpha * x[xOff + i], a, aOff + i * lda, y, yOff);
    }
  }

  /** y ← β·y, or zeros when β = 0 (y not read). */
  static void scaleOrZero(int n, float beta, float[] y, int yOff) {
    if (beta == 0f) {
      java.util.Arrays.fill(y, yOff, yOff + n, 0f);
    } else if (beta != 1f) {
      for (int j = 0; j < n; j++) {
        y[yOff + j] *= beta;
      }
    }
  }

  @Override
  public void ger(
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
    int i = 0;
    // Four rows share each y load.
    for (; i + 3 < m; i += 4) {
      int r0 = aOff + i * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
      float x0 = alpha * x[xOff + i], x1 = alpha * x[xOff + i + 1];
      float x2 = alpha * x[xOff + i + 2], x3 = alpha * x[xOff + i + 3];
      for (int j = 0; j < n; j++) {
        float yj = y[yOff + j];
        a[r0 + j] += x0 * yj;
        a[r1 + j] += x1 * yj;
        a[r2 + j] += x2 * yj;
        a[r3 + j] += x3 * yj;
      }
    }
    for (; i < m; i++) {
      axpy(n, alpha * x[xOff + i], y, yOff, a, aOff + i * lda);
    }
  }

  // ---- level 3 ----

  private static final GemmDriver.MicroKernel TILE_4X4 = new Scalar4x4();

  @Override
  public void gemm(
      boolean transA,
      boolean transB,
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
    GemmDriver.gemm(
        TILE_4X4, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }

  @Override
  public void blockedSum(
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float[] c,
      int cOff,
      int ldc,
      SumBlocks blk) {
    GemmDriver.blockedSum(TILE_4X4, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, blk);
  }

  @Override
  public int packedSize(int k, int n) {
    return GemmDriver.packedSize(TILE_4X4, k, n);
  }

  @Override
  public void packB(boolean transB, int k, int n, float[] b, int bOff, int ldb, float[] packed) {
    GemmDriver.packB(TILE_4X4, transB, k, n, b, bOff, ldb, packed);
  }

  @Override
  public void gemmPacked(
      boolean transA,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] packed,
      float beta,
      float[] c,
      int cOff,
      int ldc) {
    GemmDriver.gemmPacked(
        TILE_4X4, transA, m, n, k, alpha, a, aOff, lda, packed, beta, c, cOff, ldc);
  }

  @Override
  public void gemmPackedFrom(
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int lda,
      float[] packed,
      float[] init,
      int initOff,
      int ldInit,
      float[] c,
      int cOff,
      int ldc) {
    GemmDriver.gemmPackedFrom(
        TILE_4X4, m, n, k, a, aOff, lda, packed, init, initOff, ldInit, c, cOff, ldc);
  }

  /** 4×4 scalar register tile: 16 accumulators seeded from C, 4 A and 4 B loads per k step. */
  private static final class Scalar4x4 implements GemmDriver.MicroKernel {
    @Override
    public int mr() {
      return 4;
    }

    @Override
    public int nr() {
      return 4;
    }

    @Override
    public void tile(
        int kc,
        float[] ap,
        int aIdx,
        int aStride,
        float[] bp,
        int bIdx,
        float[] c,
        int cIdx,
        int ldc) {
      int r0 = cIdx, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
      float c00 = c[r0], c01 = c[r0 + 1], c02 = c[r0 + 2], c03 = c[r0 + 3];
      float c10 = c[r1], c11 = c[r1 + 1], c12 = c[r1 + 2], c13 = c[r1 + 3];
      float c20 = c[r2], c21 = c[r2 + 1], c22 = c[r2 + 2], c23 = c[r2 + 3];
      float c30 = c[r3], c31 = c[r3 + 1], c32 = c[r3 + 2], c33 = c[r3 + 3];
      for (int p = 0; p < kc; p++) {
        int ai = aIdx + aStride * p, bi = bIdx + 4 * p;
        float b0 = bp[bi], b1 = bp[bi + 1], b2 = bp[bi + 2], b3 = bp[bi + 3];
        float a0 = ap[ai], a1 = ap[ai + 1], a2 = ap[ai + 2], a3 = ap[ai + 3];
        c00 += a0 * b0;
        c01 += a0 * b1;
        c02 += a0 * b2;
        c03 += a0 * b3;
        c10 += a1 * b0;
        c11 += a1 * b1;
        c12 += a1 * b2;
        c13 += a1 * b3;
        c20 += a2 * b0;
        c21 += a2 * b1;
        c22 += a2 * b2;
        c23 += a2 * b3;
        c30 += a3 * b0;
        c31 += a3 * b1;
        c32 += a3 * b2;
        c33 += a3 * b3;
      }
      c[r0] = c00;
      c[r0 + 1] = c01;
      c[r0 + 2] = c02;
      c[r0 + 3] = c03;
      c[r1] = c10;
      c[r1 + 1] = c11;
      c[r1 + 2] = c12;
      c[r1 + 3] = c13;
      c[r2] = c20;
      c[r2 + 1] = c21;
      c[r2 + 2] = c22;
      c[r2 + 3] = c23;
      c[r3] = c30;
      c[r3 + 1] = c31;
      c[r3 + 2] = c32;
      c[r3 + 3] = c33;
    }
  }

  // ---- activations ----

  @Override
  public void tanh(int n, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] = (float) Math.tanh(x[xOff + i]);
    }
  }

  @Override
  public void sigmoid(int n, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] = sigmoid(x[xOff + i]);
    }
  }

  /**
   * σ(v) from e = exp(−|v|) ∈ (0, 1], which cannot overflow: 1/(1+e) for v ≥ 0, e/(1+e) for v &lt;
   * 0. The direct 1/(1+exp(−v)) returns 0 for v in (−104, −88.7), where exp(−v) overflows a float
   * but σ(v) is a nonzero subnormal. NaN stays NaN, σ(−∞) = 0, σ(+∞) = 1.
   */
  static float sigmoid(float v) {
    float e = (float) Math.exp(-Math.abs(v));
    return (v < 0f ? e : 1f) / (1f + e);
  }

  @Override
  public void relu(int n, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] = Math.max(x[xOff + i], 0f);
    }
  }

  @Override
  public void tanhGrad(int n, float[] h, int hOff, float[] g, int gOff, float[] out, int outOff) {
    for (int i = 0; i < n; i++) {
      float hv = h[hOff + i];
      out[outOff + i] = g[gOff + i] * (1f - hv * hv);
    }
  }

  @Override
  public void sigmoidGrad(
      int n, float[] h, int hOff, float[] g, int gOff, float[] out, int outOff) {
    for (int i = 0; i < n; i++) {
      float hv = h[hOff + i];
      out[outOff + i] = g[gOff + i] * (hv * (1f - hv));
    }
  }

  @Override
  public void reluGrad(int n, float[] h, int hOff, float[] g, int gOff, float[] out, int outOff) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = h[hOff + i] > 0f ? g[gOff + i] : 0f;
    }
  }

  @Override
  public void clamp(int n, float mul, float c, float[] x, int xOff) {
    float lo = -c;
    for (int i = xOff, end = xOff + n; i < end; i++) {
      x[i] = Math.min(Math.max(x[i] * mul, lo), c);
    }
  }

  @Override
  public String name() {
    return "scalar";
  }
}
