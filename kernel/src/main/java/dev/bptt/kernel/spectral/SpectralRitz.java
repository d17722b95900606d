package dev.bptt.kernel.spectral;

/**
 * Ritz pairs of a small upper Hessenberg matrix (order m ≤ {@link #MAX}), in double, for the Krylov
 * extraction of {@link Spectral#spectralRadius}: all eigenvalues by the QR algorithm on the complex
 * Hessenberg matrix (Givens rotations, Wilkinson shift, deflation at 2⁻⁵²·(|h_{k−1,k−1}| +
 * |h_kk|)), then the eigenvector y of the one of largest modulus by back-substitution from y_m = 1.
 * Scratch arrays live in a per-thread instance made on a thread's first call, so calls allocate
 * nothing after that.
 */
final class SpectralRitz {
  /** Largest Krylov dimension supported. */
  static final int MAX = 8;

  private static final double EPS = 0x1p-52;
  private static final ThreadLocal<SpectralRitz> SCRATCH =
      ThreadLocal.withInitial(SpectralRitz::new);

  /** H, (MAX+1)×MAX row-major: h[i·MAX + j] = h_{i,j} of the Arnoldi relation W·Q_m = Q_{m+1}·H. */
  final double[] h = new double[(MAX + 1) * MAX];

  /** Chosen Ritz value and its eigenvector y (complex) of H_m, filled by {@link #solve}. */
  double thetaRe, thetaIm;

  final double[] yRe = new double[MAX], yIm = new double[MAX];
  private final double[] ar = new double[MAX * MAX], ai = new double[MAX * MAX];
  private final double[] cs = new double[MAX], sr = new double[MAX], si = new double[MAX];

  private SpectralRitz() {}

  static SpectralRitz get() {
    return SCRATCH.get();
  }

  /**
   * Finds the eigenvalue θ of largest modulus of H_m (the leading m×m block of {@link #h}) and its
   * eigenvector y, normalized to ‖y‖ = 1. Returns false if the QR iteration failed to converge
   * (then θ is NaN).
   */
  boolean solve(int m) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < m; j++) {
        ar[i * MAX + j] = h[i * MAX + j];
        ai[i * MAX + j] = 0;
      }
    }
    thetaRe = Double.NaN;
    thetaIm = Double.NaN;
    double best = -1;
    int last = m - 1, sinceDeflation = 0, total = 0;
    while (last >= 0) {
      int l = last;
      while (l > 0) {
        double sub = Math.hypot(ar[l * MAX + l - 1], ai[l * MAX + l - 1]);
        double diag =
            Math.hypot(ar[(l - 1) * MAX + l - 1], ai[(l - 1) * MAX + l - 1])
                + Math.hypot(ar[l * MAX + l], ai[l * MAX + l]);
        if (sub <= EPS * diag || sub == 0) {
          ar[l * MAX + l - 1] = 0;
          ai[l * MAX + l - 1] = 0;
          break;
        }
        l--;
      }
      if (l == last) {
        double re = ar[last * MAX + last], im = ai[last * MAX + last], mod = Math.hypot(re, im);
        if (mod > best) {
          best = mod;
          thetaRe = re;
          thetaIm = im;
        }
        last--;
        sinceDeflation = 0;
        continue;
      }
      if (++total > 60 * MAX) {
        return false;
      }
      sinceDeflation++;
      qrStep(l, last, sinceDeflation % 10 == 0);
    }
    eigenvector(m);
    return true;
  }

  /**
   * y with (H_m − θI)y = 0 by back-substitution from y_{m−1} = 1 (H_m is unreduced), then ‖y‖ = 1.
   */
  private void eigenvector(int m) {
    yRe[m - 1] = 1;
    yIm[m - 1] = 0;
    for (int i = m - 1; i >= 1; i--) {
      // row i: h_{i,i−1}·y_{i−1} + Σ_{k≥i} (h_ik − θδ_ik)·y_k = 0
      double sRe = 0, sIm = 0;
      for (int k = i; k < m; k++) {
        double hr = h[i * MAX + k] - (k == i ? thetaRe : 0), hi = k == i ? -thetaIm : 0;
        sRe += hr * yRe[k] - hi * yIm[k];
        sIm += hr * yIm[k] + hi * yRe[k];
      }
      double sub = h[i * MAX + i - 1];
      yRe[i - 1] = -sRe / sub;
      yIm[i - 1] = -sIm / sub;
      double mag = Math.hypot(yRe[i - 1], yIm[i - 1]);
      if (mag > 0x1p500) { // tiny subdiagonals: rescale before anything overflows
        for (int k = i - 1; k < m; k++) {
          yRe[k] *= 0x1p-500;
          yIm[k] *= 0x1p-500;
        }
      }
    }
    double s = 0;
    for (int k = 0; k < m; k++) {
      s = Math.hypot(s, Math.hypot(yRe[k], yIm[k]));
    }
    for (int k = 0; k < m; k++) {
      yRe[k] /= s;
      yIm[k] /= s;
    }
  }

  /** One shifted QR step on rows/columns l..last of the complex working copy. */
  private void qrStep(int l, int last, boolean exceptional) {
    int p = last - 1;
    double mr, mi;
    double dr = ar[last * MAX + last], di = ai[last * MAX + last];
    if (exceptional) {
      double c = Math.hypot(ar[last * MAX + p], ai[last * MAX + p]);
      mr = dr + 0.75 * c;
      mi = di + 0.5 * c;
    } else {
      // Wilkinson: the eigenvalue of [[a, b], [c, d]] nearer d, (a+d)/2 ± √(((a−d)/2)² + bc).
      double a0 = ar[p * MAX + p],
          a1 = ai[p * MAX + p],
          b0 = ar[p * MAX + last],
          b1 = ai[p * MAX + last];
      double c0 = ar[last * MAX + p], c1 = ai[last * MAX + p];
      double hr = 0.5 * (a0 - dr), hi = 0.5 * (a1 - di);
      double discR = hr * hr - hi * hi + (b0 * c0 - b1 * c1),
          discI = 2 * hr * hi + (b0 * c1 + b1 * c0);
      double mod = Math.hypot(discR, discI);
      double sqR = Math.sqrt(0.5 * (mod + discR)),
          sqI = Math.copySign(Math.sqrt(0.5 * (mod - discR)), discI);
      double centerR = 0.5 * (a0 + dr), centerI = 0.5 * (a1 + di);
      double l1r = centerR + sqR, l1i = centerI + sqI, l2r = centerR - sqR, l2i = centerI - sqI;
      boolean first = Math.hypot(l1r - dr, l1i - di) <= Math.hypot(l2r - dr, l2i - di);
      mr = first ? l1r : l2r;
      mi = first ? l1i : l2i;
    }
    for (int k = l; k <= last; k++) {
      ar[k * MAX + k] -= mr;
      ai[k * MAX + k] -= mi;
    }
    for (int k = l; k < last; k++) {
      // G = [[c, s], [−s̄, c]], c = |x|/r, s = (x/|x|)·ȳ/r, zeroes y below x.
      double xr = ar[k * MAX + k],
          xi = ai[k * MAX + k],
          yr = ar[(k + 1) * MAX + k],
          yi = ai[(k + 1) * MAX + k];
      double ax = Math.hypot(xr, xi), ay = Math.hypot(yr, yi), r = Math.hypot(ax, ay);
      double c, gr, gi;
      if (r == 0) {
        c = 1;
        gr = 0;
        gi = 0;
      } else if (ax == 0) {
        c = 0;
        gr = yr / ay;
        gi = -yi / ay;
      } else {
        c = ax / r;
        double ur = xr / ax, ui = xi / ax;
        gr = (ur * yr + ui * yi) / r;
        gi = (ui * yr - ur * yi) / r;
      }
      cs[k] = c;
      sr[k] = gr;
      si[k] = gi;
      for (int j = k; j <= last; j++) {
        double a0 = ar[k * MAX + j],
            a1 = ai[k * MAX + j],
            b0 = ar[(k + 1) * MAX + j],
            b1 = ai[(k + 1) * MAX + j];
        ar[k * MAX + j] = c * a0 + (gr * b0 - gi * b1);
        ai[k * MAX + j] = c * a1 + (gr * b1 + gi * b0);
        ar[(k + 1) * MAX + j] = -(gr * a0 + gi * a1) + c * b0;
        ai[(k + 1) * MAX + j] = -(gr * a1 - gi * a0) + c * b1;
      }
      ar[(k + 1) * MAX + k] = 0;
      ai[(k + 1) * MAX + k] = 0;
    }
    for (int k = l; k < last; k++) {
      double c = cs[k], gr = sr[k], gi = si[k];
      for (int i = l; i <= last; i++) {
        double a0 = ar[i * MAX + k],
            a1 = ai[i * MAX + k],
            b0 = ar[i * MAX + k + 1],
            b1 = ai[i * MAX + k + 1];
        ar[i * MAX + k] = c * a0 + (gr * b0 + gi * b1);
        ai[i * MAX + k] = c * a1 + (gr * b1 - gi * b0);
        ar[i * MAX + k + 1] = -(gr * a0 - gi * a1) + c * b0;
        ai[i * MAX + k + 1] = -(gr * a1 + gi * a0) + c * b1;
      }
    }
    for (int k = l; k <= last; k++) {
      ar[k * MAX + k] += mr;
      ai[k * MAX + k] += mi;
    }
  }
}
