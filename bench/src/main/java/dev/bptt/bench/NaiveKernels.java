package dev.bptt.bench;

/**
 * The baseline a user writes without a library: plain float loops over row-major arrays (leading
 * dimension = column count), one accumulator, no unrolling. Where two loop orders are equally
 * "obvious", the cache-friendly one is used (row-walking gemvT, i-k-j gemm): it is what C2 can
 * auto-vectorize, so the speed-ups reported against it are not inflated by a strided walk.
 */
public final class NaiveKernels {
  private NaiveKernels() {}

  /** Σᵢ xᵢ·yᵢ, i &lt; n. */
  public static float dot(int n, float[] x, float[] y) {
    float s = 0f;
    for (int i = 0; i < n; i++) {
      s += x[i] * y[i];
    }
    return s;
  }

  /** √(Σᵢ xᵢ²) accumulated in float: not safe from overflow, as such loops usually are not. */
  public static float norm2(int n, float[] x) {
    float s = 0f;
    for (int i = 0; i < n; i++) {
      s += x[i] * x[i];
    }
    return (float) Math.sqrt(s);
  }

  /** y ← y + α·x over n elements. */
  public static void axpy(int n, float alpha, float[] x, float[] y) {
    for (int i = 0; i < n; i++) {
      y[i] += alpha * x[i];
    }
  }

  /** y ← A·x, A m×n row-major; one dot product per row. */
  public static void gemv(int m, int n, float[] a, float[] x, float[] y) {
    for (int i = 0; i < m; i++) {
      float s = 0f;
      for (int j = 0; j < n; j++) {
        s += a[i * n + j] * x[j];
      }
      y[i] = s;
    }
  }

  /** y ← Aᵀ·x, A m×n row-major, x of length m, y of length n; walks A row by row. */
  public static void gemvT(int m, int n, float[] a, float[] x, float[] y) {
    for (int j = 0; j < n; j++) {
      y[j] = 0f;
    }
    for (int i = 0; i < m; i++) {
      float xi = x[i];
      for (int j = 0; j < n; j++) {
        y[j] += a[i * n + j] * xi;
      }
    }
  }

  /** A ← A + α·x·yᵀ, A m×n row-major. */
  public static void ger(int m, int n, float alpha, float[] x, float[] y, float[] a) {
    for (int i = 0; i < m; i++) {
      float axi = alpha * x[i];
      for (int j = 0; j < n; j++) {
        a[i * n + j] += axi * y[j];
      }
    }
  }

  /** C ← A·B, A m×k, B k×n, C m×n, all row-major; i-k-j order. */
  public static void gemm(int m, int n, int k, float[] a, float[] b, float[] c) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        c[i * n + j] = 0f;
      }
      for (int p = 0; p < k; p++) {
        float aip = a[i * k + p];
        for (int j = 0; j < n; j++) {
          c[i * n + j] += aip * b[p * n + j];
        }
      }
    }
  }
}
