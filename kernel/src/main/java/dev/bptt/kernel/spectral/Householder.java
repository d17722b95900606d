package dev.bptt.kernel.spectral;

import java.util.random.RandomGenerator;

/**
 * Householder QR in double, used by {@link SpectralInit} to draw Haar-distributed orthogonal
 * matrices. Package-private: the public entry points validate arguments and round to float.
 */
final class Householder {
  private Householder() {}

  /**
   * Draws an m×n matrix A (m ≥ n ≥ 0) of independent N(0, 1) entries, in row-major order from
   * {@code rng}, factors A = QR by Householder reflections and returns the thin Q (m×n, row-major)
   * times diag(sign(R_jj)).
   *
   * <p>The sign fix makes R's diagonal positive, so the result is the unique Q of the QR
   * factorization with positive diag(R), i.e. the Gram–Schmidt orthonormalization of A's columns.
   * For Gaussian A that Q is Haar-distributed (Mezzadri 2007); without the fix the reflections'
   * sign convention biases it (Householder sets R_jj = −sign(a_jj)·‖a_j‖, so the unfixed Q₁₁ would
   * always be ≤ 0). PyTorch's {@code nn.init.orthogonal_} does the same.
   *
   * <p>Q's columns are orthonormal to O(m·n·2⁻⁵³) (Householder QR is backward stable).
   */
  static double[] haarColumns(RandomGenerator rng, int m, int n) {
    double[] a = new double[m * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = rng.nextGaussian();
    }
    double[] beta = new double[n];
    double[] rDiag = new double[n];
    // Factor: the reflector of column j, v = x − αe₁ with α = −sign(x₀)·‖x‖, is kept in
    // a[j.., j] (v₀ at the diagonal); R's diagonal is α.
    for (int j = 0; j < n; j++) {
      double norm = 0;
      for (int i = j; i < m; i++) {
        norm = Math.hypot(norm, a[i * n + j]);
      }
      double x0 = a[j * n + j];
      double alpha = x0 >= 0 ? -norm : norm;
      rDiag[j] = alpha;
      a[j * n + j] = x0 - alpha;
      double vv = 0;
      for (int i = j; i < m; i++) {
        vv += a[i * n + j] * a[i * n + j];
      }
      beta[j] = vv == 0 ? 0 : 2 / vv; // column already zero: H = I
      for (int c = j + 1; c < n; c++) {
        double s = 0;
        for (int i = j; i < m; i++) {
          s += a[i * n + j] * a[i * n + c];
        }
        s *= beta[j];
        for (int i = j; i < m; i++) {
          a[i * n + c] -= s * a[i * n + j];
        }
      }
    }
    // Q = H₀H₁…H_{n−1}·[I_n; 0], applied right to left.
    double[] q = new double[m * n];
    for (int j = 0; j < n; j++) {
      q[j * n + j] = 1;
    }
    for (int j = n - 1; j >= 0; j--) {
      for (int c = 0; c < n; c++) {
        double s = 0;
        for (int i = j; i < m; i++) {
          s += a[i * n + j] * q[i * n + c];
        }
        s *= beta[j];
        for (int i = j; i < m; i++) {
          q[i * n + c] -= s * a[i * n + j];
        }
      }
    }
    for (int j = 0; j < n; j++) {
      if (rDiag[j] < 0) {
        for (int i = 0; i < m; i++) {
          q[i * n + j] = -q[i * n + j];
        }
      }
    }
    return q;
  }
}
