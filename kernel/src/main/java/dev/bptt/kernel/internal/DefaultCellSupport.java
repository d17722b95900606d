package dev.bptt.kernel.internal;

/** Scalar twin of {@link PanamaCellSupport}: plain loops, σ and tanh from {@link Math}. */
final class DefaultCellSupport implements CellSupport {

  @Override
  public void lstmForward(
      int n,
      float[] g,
      int gOff,
      float[] cPrev,
      int cpOff,
      float[] c,
      int cOff,
      float[] h,
      int hOff) {
    for (int j = 0; j < n; j++) {
      float i = DefaultBlasSupport.sigmoid(g[gOff + j]);
      float f = DefaultBlasSupport.sigmoid(g[gOff + n + j]);
      float gg = (float) Math.tanh(g[gOff + 2 * n + j]);
      float o = DefaultBlasSupport.sigmoid(g[gOff + 3 * n + j]);
      g[gOff + j] = i;
      g[gOff + n + j] = f;
      g[gOff + 2 * n + j] = gg;
      g[gOff + 3 * n + j] = o;
      float cj = f * cPrev[cpOff + j] + i * gg;
      c[cOff + j] = cj;
      h[hOff + j] = o * (float) Math.tanh(cj);
    }
  }

  @Override
  public void lstmBackward(
      int n,
      float[] g,
      int gOff,
      float[] c,
      int cOff,
      float[] cPrev,
      int cpOff,
      float[] d,
      int dOff) {
    for (int j = 0; j < n; j++) {
      float i = g[gOff + j], f = g[gOff + n + j], gg = g[gOff + 2 * n + j], o = g[gOff + 3 * n + j];
      float tau = (float) Math.tanh(c[cOff + j]);
      float dh = d[dOff + 5 * n + j];
      float dc = d[dOff + 4 * n + j] + dh * o * (1f - tau * tau);
      d[dOff + j] = dc * gg * (i * (1f - i));
      d[dOff + n + j] = dc * cPrev[cpOff + j] * (f * (1f - f));
      d[dOff + 2 * n + j] = dc * i * (1f - gg * gg);
      d[dOff + 3 * n + j] = dh * tau * (o * (1f - o));
      d[dOff + 4 * n + j] = dc;
    }
  }

  @Override
  public void gruForward(
      int n,
      float[] x,
      int xOff,
      float[] hh,
      int hhOff,
      float[] b,
      int bOff,
      float[] hPrev,
      int hpOff,
      float[] h,
      int hOff) {
    for (int j = 0; j < n; j++) {
      float r = DefaultBlasSupport.sigmoid(x[xOff + j] + hh[hhOff + j] + b[bOff + j]);
      float z = DefaultBlasSupport.sigmoid(x[xOff + n + j] + hh[hhOff + n + j] + b[bOff + n + j]);
      float hn = hh[hhOff + 2 * n + j] + b[bOff + 2 * n + j];
      float nn = (float) Math.tanh(x[xOff + 2 * n + j] + r * hn);
      x[xOff + j] = r;
      x[xOff + n + j] = z;
      x[xOff + 2 * n + j] = nn;
      hh[hhOff + 2 * n + j] = hn;
      h[hOff + j] = nn + z * (hPrev[hpOff + j] - nn);
    }
  }

  @Override
  public void gruBackward(
      int n,
      float[] g,
      int gOff,
      float[] hn,
      int hnOff,
      float[] hPrev,
      int hpOff,
      float[] d,
      int dOff) {
    for (int j = 0; j < n; j++) {
      float r = g[gOff + j], z = g[gOff + n + j], nn = g[gOff + 2 * n + j];
      float dh = d[dOff + 6 * n + j];
      float dxn = dh * (1f - z) * (1f - nn * nn);
      float dr = dxn * hn[hnOff + j] * (r * (1f - r));
      float dz = dh * (hPrev[hpOff + j] - nn) * (z * (1f - z));
      d[dOff + j] = dr;
      d[dOff + n + j] = dz;
      d[dOff + 2 * n + j] = dxn;
      d[dOff + 3 * n + j] = dr;
      d[dOff + 4 * n + j] = dz;
      d[dOff + 5 * n + j] = dxn * r;
    }
  }

  @Override
  public float layerNormForward(
      int n,
      double eps,
      float[] r,
      int rOff,
      float[] gamma,
      int gOff,
      float[] beta,
      int bOff,
      boolean add,
      float[] y,
      int yOff) {
    float sum = 0f;
    for (int j = 0; j < n; j++) {
      sum += r[rOff + j];
    }
    float mu = sum / n;
    float sq = 0f;
    for (int j = 0; j < n; j++) {
      float c = r[rOff + j] - mu;
      sq += c * c;
    }
    float s = (float) (1.0 / Math.sqrt((double) (sq / n) + eps));
    for (int j = 0; j < n; j++) {
      float xh = (r[rOff + j] - mu) * s;
      r[rOff + j] = xh;
      float v = gamma[gOff + j] * xh + beta[bOff + j];
      y[yOff + j] = add ? y[yOff + j] + v : v;
    }
    return s;
  }

  @Override
  public void layerNormBackward(
      int n,
      float s,
      float[] xhat,
      int xOff,
      float[] gamma,
      int gOff,
      float[] dn,
      int dnOff,
      float[] dr,
      int drOff) {
    float s1 = 0f, s2 = 0f;
    for (int j = 0; j < n; j++) {
      float dx = gamma[gOff + j] * dn[dnOff + j];
      s1 += dx;
      s2 += dx * xhat[xOff + j];
    }
    float m1 = s1 / n, m2 = s2 / n;
    for (int j = 0; j < n; j++) {
      float dx = gamma[gOff + j] * dn[dnOff + j];
      dr[drOff + j] = s * (dx - m1 - xhat[xOff + j] * m2);
    }
  }

  @Override
  public void mulAdd(
      int n, float alpha, float[] a, int aOff, float[] b, int bOff, float[] y, int yOff) {
    for (int j = 0; j < n; j++) {
      y[yOff + j] += alpha * (a[aOff + j] * b[bOff + j]);
    }
  }
}
