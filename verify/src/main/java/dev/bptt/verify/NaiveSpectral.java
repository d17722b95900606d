package dev.bptt.verify;

/**
 * Double-precision references for the spectral toolkit: dense matrix algebra, orthogonality
 * defects, all eigenvalues of a general real matrix (Hessenberg reduction, then complex
 * single-shift QR with Wilkinson shifts), eigenvalue condition numbers (inverse iteration), and
 * residuals of (complex) eigenpairs. Matrices are row-major {@code double[]} with leading dimension
 * = columns. Each method is the obvious algorithm; at the sizes tests use (n ≤ 256) their
 * 2⁻⁵³-level errors stand in for exact values next to float bounds.
 */
public final class NaiveSpectral {
  private NaiveSpectral() {}

  /** Machine epsilon of double, 2⁻⁵². */
  private static final double EPS = 0x1p-52;

  // ---- conversions and products ----

  /** The rows×cols block of a float matrix (off, ld) as a dense double matrix (exact). */
  public static double[] toDouble(float[] a, int off, int rows, int cols, int ld) {
    double[] d = new double[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        d[i * cols + j] = a[off + i * ld + j];
      }
    }
    return d;
  }

  /** A float vector as doubles (exact). */
  public static double[] toDouble(float[] x, int off, int n) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = x[off + i];
    }
    return d;
  }

  /** Rounds a dense double matrix to float, one rounding per entry. */
  public static float[] toFloat(double[] a) {
    float[] f = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      f[i] = (float) a[i];
    }
    return f;
  }

  /** C = A·B with A m×k, B k×n. */
  public static double[] mul(double[] a, double[] b, int m, int k, int n) {
    double[] c = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int p = 0; p < k; p++) {
        double aip = a[i * k + p];
        for (int j = 0; j < n; j++) {
          c[i * n + j] += aip * b[p * n + j];
        }
      }
    }
    return c;
  }

  /** Aᵀ (A m×n, result n×m). */
  public static double[] transpose(double[] a, int m, int n) {
    double[] t = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        t[j * m + i] = a[i * n + j];
      }
    }
    return t;
  }

  /** y = A·x (A m×n). */
  public static double[] mulVec(double[] a, int m, int n, double[] x) {
    double[] y = new double[m];
    for (int i = 0; i < m; i++) {
      double s = 0;
      for (int j = 0; j < n; j++) {
        s += a[i * n + j] * x[j];
      }
      y[i] = s;
    }
    return y;
  }

  /** y = Aᵀ·x (A m×n, x of length m). */
  public static double[] mulTVec(double[] a, int m, int n, double[] x) {
    double[] y = new double[n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        y[j] += a[i * n + j] * x[i];
      }
    }
    return y;
  }

  /** A^k for a square n×n A and k ≥ 1, by k − 1 products A·A^{j}. */
  public static double[] power(double[] a, int n, int k) {
    double[] p = a.clone();
    for (int j = 1; j < k; j++) {
      p = mul(a, p, n, n, n);
    }
    return p;
  }

  /** (A + Aᵀ)/2. */
  public static double[] symmetrize(double[] a, int n) {
    double[] s = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        s[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
      }
    }
    return s;
  }

  /** ‖A‖_F (or ‖x‖₂ of a vector). */
  public static double frobenius(double[] a) {
    double s = 0;
    for (double v : a) {
      s += v * v;
    }
    return Math.sqrt(s);
  }

  /** Σ xᵢyᵢ. */
  public static double dot(double[] x, double[] y) {
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += x[i] * y[i];
    }
    return s;
  }

  /** Column j of an m×n matrix. */
  public static double[] column(double[] a, int m, int n, int j) {
    double[] c = new double[m];
    for (int i = 0; i < m; i++) {
      c[i] = a[i * n + j];
    }
    return c;
  }

  /**
   * tan∠(x, v) = ‖x − (xᵀv̂)v̂‖ / |xᵀv̂| with v̂ = v/‖v‖: the tangent of the angle between the
   * lines through x and v (+∞ when x ⟂ v).
   */
  public static double tangent(double[] x, double[] v) {
    double vn = frobenius(v);
    double c = dot(x, v) / vn;
    double perp2 = Math.max(0, dot(x, x) - c * c);
    double perp = 0;
    for (int i = 0; i < x.length; i++) {
      double d = x[i] - c * v[i] / vn;
      perp += d * d;
    }
    // The explicit sum is accurate when the angle is small (no cancellation); the difference
    // of squares is kept only as a fallback for a zero explicit sum.
    perp = perp > 0 ? Math.sqrt(perp) : Math.sqrt(perp2);
    return perp / Math.abs(c);
  }

  /** |cos∠(x, v)| = |xᵀv|/(‖x‖‖v‖). */
  public static double absCos(double[] x, double[] v) {
    return Math.abs(dot(x, v)) / (frobenius(x) * frobenius(v));
  }

  // ---- orthogonality ----

  /**
   * Gram defect G − I of an m×n matrix Q: G = QᵀQ (n×n) when m ≥ n, else QQᵀ (m×m).
   *
   * @return {max |(G − I)_ij|, ‖G − I‖_F}
   */
  public static double[] gramDefect(double[] q, int m, int n) {
    boolean tall = m >= n;
    int k = tall ? n : m;
    double max = 0, fro = 0;
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) {
        double s = 0;
        if (tall) {
          for (int r = 0; r < m; r++) {
            s += q[r * n + i] * q[r * n + j];
          }
        } else {
          for (int c = 0; c < n; c++) {
            s += q[i * n + c] * q[j * n + c];
          }
        }
        double d = s - (i == j ? 1 : 0);
        max = Math.max(max, Math.abs(d));
        fro += d * d;
      }
    }
    return new double[] {max, Math.sqrt(fro)};
  }

  // ---- eigenvalues of a general real matrix ----

  /**
   * All eigenvalues of a real n×n matrix: Householder reduction to Hessenberg form, then the QR
   * algorithm on the complex Hessenberg matrix with Givens rotations, a Wilkinson shift (the
   * eigenvalue of the trailing 2×2 block nearer its last entry, an exceptional shift every 10
   * iterations without deflation), and deflation when a subdiagonal entry falls below
   * 2⁻⁵²·(|h_{k−1,k−1}| + |h_kk|). Backward stable: the eigenvalues are exact for A + E with ‖E‖ =
   * O(n·2⁻⁵³‖A‖).
   *
   * @return {re[], im[]} in the order found (bottom of the matrix first)
   */
  public static double[][] eigenvalues(double[] a, int n) {
    double[] hr = a.clone();
    hessenberg(hr, n);
    double[] hi = new double[n * n];
    double[] er = new double[n], ei = new double[n];
    double scale = Math.max(frobenius(hr), Double.MIN_NORMAL);
    int last = n - 1, sinceDeflation = 0, total = 0;
    while (last >= 0) {
      int l = last;
      while (l > 0) {
        double sub = Math.hypot(hr[l * n + l - 1], hi[l * n + l - 1]);
        double diag =
            Math.hypot(hr[(l - 1) * n + l - 1], hi[(l - 1) * n + l - 1])
                + Math.hypot(hr[l * n + l], hi[l * n + l]);
        if (sub <= EPS * (diag > 0 ? diag : scale)) {
          hr[l * n + l - 1] = 0;
          hi[l * n + l - 1] = 0;
          break;
        }
        l--;
      }
      if (l == last) {
        er[last] = hr[last * n + last];
        ei[last] = hi[last * n + last];
        last--;
        sinceDeflation = 0;
        continue;
      }
      if (++total > 100 * n) {
        throw new IllegalStateException(
            "QR algorithm did not converge in " + total + " iterations");
      }
      sinceDeflation++;
      double[] mu =
          sinceDeflation % 10 == 0
              ? exceptionalShift(hr, hi, n, last)
              : wilkinsonShift(hr, hi, n, last);
      qrStep(hr, hi, n, l, last, mu[0], mu[1]);
    }
    return new double[][] {er, ei};
  }

  /** max |λᵢ| by {@link #eigenvalues}. */
  public static double spectralRadius(double[] a, int n) {
    double[][] e = eigenvalues(a, n);
    double r = 0;
    for (int i = 0; i < n; i++) {
      r = Math.max(r, Math.hypot(e[0][i], e[1][i]));
    }
    return r;
  }

  /** Index of the eigenvalue of largest modulus in an {re, im} pair of arrays. */
  public static int dominantIndex(double[][] eig) {
    int best = 0;
    for (int i = 1; i < eig[0].length; i++) {
      if (Math.hypot(eig[0][i], eig[1][i]) > Math.hypot(eig[0][best], eig[1][best])) {
        best = i;
      }
    }
    return best;
  }

  /** In-place Householder similarity reduction to upper Hessenberg form. */
  private static void hessenberg(double[] a, int n) {
    double[] v = new double[n];
    for (int k = 0; k < n - 2; k++) {
      double norm = 0;
      for (int i = k + 1; i < n; i++) {
        norm = Math.hypot(norm, a[i * n + k]);
      }
      if (norm == 0) {
        continue;
      }
      double x0 = a[(k + 1) * n + k];
      double alpha = x0 >= 0 ? -norm : norm;
      double vv = 0;
      for (int i = k + 1; i < n; i++) {
        v[i] = a[i * n + k] - (i == k + 1 ? alpha : 0);
        vv += v[i] * v[i];
      }
      double beta = 2 / vv;
      // A ← H·A: rows k+1..n−1.
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int i = k + 1; i < n; i++) {
          s += v[i] * a[i * n + j];
        }
        s *= beta;
        for (int i = k + 1; i < n; i++) {
          a[i * n + j] -= s * v[i];
        }
      }
      // A ← A·H: columns k+1..n−1.
      for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = k + 1; j < n; j++) {
          s += a[i * n + j] * v[j];
        }
        s *= beta;
        for (int j = k + 1; j < n; j++) {
          a[i * n + j] -= s * v[j];
        }
      }
      for (int i = k + 2; i < n; i++) {
        a[i * n + k] = 0; // annihilated by construction
      }
    }
  }

  /** Eigenvalue of the trailing 2×2 block [[a, b], [c, d]] nearer d. */
  private static double[] wilkinsonShift(double[] hr, double[] hi, int n, int last) {
    int p = last - 1;
    double ar = hr[p * n + p], ai = hi[p * n + p], br = hr[p * n + last], bi = hi[p * n + last];
    double cr = hr[last * n + p],
        ci = hi[last * n + p],
        dr = hr[last * n + last],
        di = hi[last * n + last];
    // λ = (a + d)/2 ± √(((a − d)/2)² + bc)
    double hr2 = 0.5 * (ar - dr), hi2 = 0.5 * (ai - di);
    double discR = hr2 * hr2 - hi2 * hi2 + (br * cr - bi * ci);
    double discI = 2 * hr2 * hi2 + (br * ci + bi * cr);
    double[] s = csqrt(discR, discI);
    double mr = 0.5 * (ar + dr), mi = 0.5 * (ai + di);
    double l1r = mr + s[0], l1i = mi + s[1], l2r = mr - s[0], l2i = mi - s[1];
    return Math.hypot(l1r - dr, l1i - di) <= Math.hypot(l2r - dr, l2i - di)
        ? new double[] {l1r, l1i}
        : new double[] {l2r, l2i};
  }

  /** A shift off the current one, to break a cycle: d + |c|·(0.75 + 0.5i). */
  private static double[] exceptionalShift(double[] hr, double[] hi, int n, int last) {
    double c = Math.hypot(hr[last * n + last - 1], hi[last * n + last - 1]);
    return new double[] {hr[last * n + last] + 0.75 * c, hi[last * n + last] + 0.5 * c};
  }

  /** One explicitly shifted QR step on the active block l..last: H − μI = QR, H ← RQ + μI. */
  private static void qrStep(
      double[] hr, double[] hi, int n, int l, int last, double mur, double mui) {
    for (int k = l; k <= last; k++) {
      hr[k * n + k] -= mur;
      hi[k * n + k] -= mui;
    }
    int m = last - l;
    double[] cs = new double[m], sr = new double[m], si = new double[m];
    for (int k = l; k < last; k++) {
      // G = [[c, s], [−s̄, c]] with c = |x|/r, s = (x/|x|)·ȳ/r zeroes y below x.
      double xr = hr[k * n + k],
          xi = hi[k * n + k],
          yr = hr[(k + 1) * n + k],
          yi = hi[(k + 1) * n + k];
      double ax = Math.hypot(xr, xi), ay = Math.hypot(yr, yi), r = Math.hypot(ax, ay);
      double c, gsr, gsi;
      if (r == 0) {
        c = 1;
        gsr = 0;
        gsi = 0;
      } else if (ax == 0) {
        c = 0;
        gsr = yr / ay;
        gsi = -yi / ay;
      } else {
        c = ax / r;
        double ur = xr / ax, ui = xi / ax; // x/|x|
        gsr = (ur * yr + ui * yi) / r; // (x/|x|)·ȳ, real part
        gsi = (ui * yr - ur * yi) / r; // imaginary part
      }
      cs[k - l] = c;
      sr[k - l] = gsr;
      si[k - l] = gsi;
      for (int j = k; j <= last; j++) {
        double ar = hr[k * n + j],
            ai = hi[k * n + j],
            br = hr[(k + 1) * n + j],
            bi = hi[(k + 1) * n + j];
        // row k ← c·a + s·b; row k+1 ← −s̄·a + c·b
        hr[k * n + j] = c * ar + (gsr * br - gsi * bi);
        hi[k * n + j] = c * ai + (gsr * bi + gsi * br);
        hr[(k + 1) * n + j] = -(gsr * ar + gsi * ai) + c * br;
        hi[(k + 1) * n + j] = -(gsr * ai - gsi * ar) + c * bi;
      }
      hr[(k + 1) * n + k] = 0;
      hi[(k + 1) * n + k] = 0;
    }
    for (int k = l; k < last; k++) {
      double c = cs[k - l], gsr = sr[k - l], gsi = si[k - l];
      for (int i = l; i <= last; i++) {
        double ar = hr[i * n + k],
            ai = hi[i * n + k],
            br = hr[i * n + k + 1],
            bi = hi[i * n + k + 1];
        // [col k, col k+1] ← [col k, col k+1]·Gᴴ, Gᴴ = [[c, −s], [s̄, c]]
        hr[i * n + k] = c * ar + (gsr * br + gsi * bi);
        hi[i * n + k] = c * ai + (gsr * bi - gsi * br);
        hr[i * n + k + 1] = -(gsr * ar - gsi * ai) + c * br;
        hi[i * n + k + 1] = -(gsr * ai + gsi * ar) + c * bi;
      }
    }
    for (int k = l; k <= last; k++) {
      hr[k * n + k] += mur;
      hi[k * n + k] += mui;
    }
  }

  /** Principal complex square root. */
  private static double[] csqrt(double re, double im) {
    double m = Math.hypot(re, im);
    double r = Math.sqrt(0.5 * (m + re));
    double i = Math.sqrt(0.5 * (m - re));
    return new double[] {r, im < 0 ? -i : i};
  }

  // ---- eigenvalue condition and residuals ----

  /**
   * Condition number κ(λ) = ‖x‖‖y‖/|yᴴx| of a simple eigenvalue λ of a real n×n matrix, with right
   * and left eigenvectors x, y from three steps of inverse iteration each on (A − λI) and (A − λI)ᴴ
   * (complex LU with partial pivoting). First-order perturbation theory: an eigenvalue of A + E
   * lies within κ(λ)‖E‖₂ + O(‖E‖²) of λ.
   */
  public static double eigenvalueCondition(double[] a, int n, double lre, double lim) {
    double[][] x = inverseIteration(a, n, lre, lim, false);
    double[][] y = inverseIteration(a, n, lre, lim, true);
    // yᴴx with unit x and y
    double sr = 0, si = 0;
    for (int i = 0; i < n; i++) {
      sr += y[0][i] * x[0][i] + y[1][i] * x[1][i];
      si += y[0][i] * x[1][i] - y[1][i] * x[0][i];
    }
    return 1 / Math.hypot(sr, si);
  }

  /** Unit eigenvector of A (or of Aᴴ for the conjugate λ̄ when {@code left}) for λ ≈ (lre, lim). */
  private static double[][] inverseIteration(
      double[] a, int n, double lre, double lim, boolean left) {
    double[] mr = new double[n * n], mi = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        // (A − λI), or its conjugate transpose (Aᵀ − λ̄I) for the left eigenvector.
        mr[i * n + j] = left ? a[j * n + i] : a[i * n + j];
      }
      mr[i * n + i] -= lre;
      mi[i * n + i] = left ? lim : -lim;
    }
    int[] piv = luComplex(mr, mi, n, frobenius(a));
    double[] xr = new double[n], xi = new double[n];
    for (int i = 0; i < n; i++) {
      xr[i] = 1 + 0.5 * Math.sin(7.0 * i + 1); // fixed start with no special alignment
    }
    for (int step = 0; step < 3; step++) {
      solveComplex(mr, mi, n, piv, xr, xi);
      double s = 0;
      for (int i = 0; i < n; i++) {
        s += xr[i] * xr[i] + xi[i] * xi[i];
      }
      s = Math.sqrt(s);
      for (int i = 0; i < n; i++) {
        xr[i] /= s;
        xi[i] /= s;
      }
    }
    return new double[][] {xr, xi};
  }

  /**
   * In-place LU with partial pivoting; a zero pivot becomes 2⁻⁵²·scale (inverse iteration wants
   * near-singular).
   */
  private static int[] luComplex(double[] mr, double[] mi, int n, double scale) {
    int[] piv = new int[n];
    for (int k = 0; k < n; k++) {
      int p = k;
      for (int i = k + 1; i < n; i++) {
        if (Math.hypot(mr[i * n + k], mi[i * n + k]) > Math.hypot(mr[p * n + k], mi[p * n + k])) {
          p = i;
        }
      }
      piv[k] = p;
      if (p != k) {
        for (int j = 0; j < n; j++) {
          double t = mr[k * n + j];
          mr[k * n + j] = mr[p * n + j];
          mr[p * n + j] = t;
          t = mi[k * n + j];
          mi[k * n + j] = mi[p * n + j];
          mi[p * n + j] = t;
        }
      }
      if (mr[k * n + k] == 0 && mi[k * n + k] == 0) {
        mr[k * n + k] = EPS * Math.max(scale, Double.MIN_NORMAL);
      }
      double dr = mr[k * n + k], di = mi[k * n + k], dd = dr * dr + di * di;
      for (int i = k + 1; i < n; i++) {
        double lr = (mr[i * n + k] * dr + mi[i * n + k] * di) / dd;
        double li = (mi[i * n + k] * dr - mr[i * n + k] * di) / dd;
        mr[i * n + k] = lr;
        mi[i * n + k] = li;
        for (int j = k + 1; j < n; j++) {
          mr[i * n + j] -= lr * mr[k * n + j] - li * mi[k * n + j];
          mi[i * n + j] -= lr * mi[k * n + j] + li * mr[k * n + j];
        }
      }
    }
    return piv;
  }

  private static void solveComplex(
      double[] mr, double[] mi, int n, int[] piv, double[] br, double[] bi) {
    for (int k = 0; k < n; k++) {
      int p = piv[k];
      double t = br[k];
      br[k] = br[p];
      br[p] = t;
      t = bi[k];
      bi[k] = bi[p];
      bi[p] = t;
      for (int i = k + 1; i < n; i++) {
        br[i] -= mr[i * n + k] * br[k] - mi[i * n + k] * bi[k];
        bi[i] -= mr[i * n + k] * bi[k] + mi[i * n + k] * br[k];
      }
    }
    for (int k = n - 1; k >= 0; k--) {
      double sr = br[k], si = bi[k];
      for (int j = k + 1; j < n; j++) {
        sr -= mr[k * n + j] * br[j] - mi[k * n + j] * bi[j];
        si -= mr[k * n + j] * bi[j] + mi[k * n + j] * br[j];
      }
      double dr = mr[k * n + k], di = mi[k * n + k], dd = dr * dr + di * di;
      br[k] = (sr * dr + si * di) / dd;
      bi[k] = (si * dr - sr * di) / dd;
    }
  }

  /**
   * ‖A·u − θ·u‖₂ / ‖u‖₂ for a complex pair θ = (tre, tim), u = ure + i·uim, A real n×n. θ is then
   * an exact eigenvalue of A − (Au − θu)uᴴ/‖u‖², a perturbation of that 2-norm.
   */
  public static double residual(
      double[] a, int n, double tre, double tim, double[] ure, double[] uim) {
    double[] ar = mulVec(a, n, n, ure), ai = mulVec(a, n, n, uim);
    double s = 0, u2 = 0;
    for (int i = 0; i < n; i++) {
      double rr = ar[i] - (tre * ure[i] - tim * uim[i]);
      double ri = ai[i] - (tre * uim[i] + tim * ure[i]);
      s += rr * rr + ri * ri;
      u2 += ure[i] * ure[i] + uim[i] * uim[i];
    }
    return Math.sqrt(s / u2);
  }
}
