package dev.bptt.bench.blas;

/**
 * Double-precision references for the setup checks, each with the magnitude term of its forward
 * error bound. Float inputs multiply exactly in double (24 + 24 bits ≤ 53), so the references' own
 * error is below n·2⁻⁵³ of the magnitude: one extra u in each γ covers it.
 */
final class DoubleReference {
  private DoubleReference() {}

  /** A reference result and, element by element, the magnitude Σ|terms| its error bound scales. */
  record Bounded(double[] value, double[] magnitude) {}

  /** Σ xᵢyᵢ and Σ|xᵢyᵢ|. */
  static Bounded dot(int n, float[] x, float[] y) {
    double s = 0, mag = 0;
    for (int i = 0; i < n; i++) {
      double p = (double) x[i] * y[i];
      s += p;
      mag += Math.abs(p);
    }
    return new Bounded(new double[] {s}, new double[] {mag});
  }

  /**
   * C = op(A)·B with op(A) m×k (A stored k×m when {@code transA}, else m×k) and B k×n, all
   * row-major and contiguous; magnitude |op(A)|·|B|. gemv is the n = 1 case, gemvT is {@code
   * transA} with n = 1.
   */
  static Bounded gemm(boolean transA, int m, int n, int k, float[] a, float[] b) {
    double[] c = new double[m * n];
    double[] mag = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int p = 0; p < k; p++) {
        double aip = transA ? a[p * m + i] : a[i * k + p];
        for (int j = 0; j < n; j++) {
          double t = aip * b[p * n + j];
          c[i * n + j] += t;
          mag[i * n + j] += Math.abs(t);
        }
      }
    }
    return new Bounded(c, mag);
  }

  /** A + α·x·yᵀ (A m×n) and |A| + |α·x·yᵀ|. */
  static Bounded ger(int m, int n, float alpha, float[] x, float[] y, float[] a) {
    double[] v = new double[m * n];
    double[] mag = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double t = (double) alpha * x[i] * y[j];
        v[i * n + j] = a[i * n + j] + t;
        mag[i * n + j] = Math.abs(a[i * n + j]) + Math.abs(t);
      }
    }
    return new Bounded(v, mag);
  }
}
