package dev.bptt.kernel.internal;

import static dev.bptt.kernel.internal.PanamaConstants.F;
import static dev.bptt.kernel.internal.PanamaConstants.L;
import static dev.bptt.kernel.internal.PanamaConstants.V;

import jdk.incubator.vector.FloatVector;

/**
 * Vector API twin of {@link DefaultCellSupport}. The scalar tails repeat the scalar twin's loop
 * bodies on purpose: calling the twin's code for the tail made the backward passes small enough for
 * C2 to inline into the cell layers, where their vectors were no longer scalar-replaced (measured:
 * 50 KB allocated per GRU call at 128-bit); as in {@link PanamaMath}, each pass stays a method
 * compiled on its own.
 *
 * <p>The transcendental parts run as the array passes of {@link PanamaBlasSupport} (σ and tanh over
 * a whole gate block, vector body plus scalar tail); the products and sums around them are one
 * vector loop each with a scalar tail. Splitting the passes this way keeps every FloatVector inside
 * one compiled loop (see {@link PanamaMath} on why vectors must not cross calls) while the row
 * stays in L1 between passes.
 */
final class PanamaCellSupport implements CellSupport {
  private final BlasSupport blas;

  PanamaCellSupport(BlasSupport blas) {
    this.blas = blas;
  }

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
    blas.sigmoid(2 * n, g, gOff, g, gOff);
    blas.tanh(n, g, gOff + 2 * n, g, gOff + 2 * n);
    blas.sigmoid(n, g, gOff + 3 * n, g, gOff + 3 * n);
    int limit = F.loopBound(n);
    int j = 0;
    for (; j < limit; j += L) {
      FloatVector i = FloatVector.fromArray(F, g, gOff + j);
      FloatVector f = FloatVector.fromArray(F, g, gOff + n + j);
      FloatVector gg = FloatVector.fromArray(F, g, gOff + 2 * n + j);
      FloatVector cp = FloatVector.fromArray(F, cPrev, cpOff + j);
      f.mul(cp).add(i.mul(gg)).intoArray(c, cOff + j);
    }
    for (; j < n; j++) {
      c[cOff + j] = g[gOff + n + j] * cPrev[cpOff + j] + g[gOff + j] * g[gOff + 2 * n + j];
    }
    blas.tanh(n, c, cOff, h, hOff);
    j = 0;
    for (; j < limit; j += L) {
      FloatVector o = FloatVector.fromArray(F, g, gOff + 3 * n + j);
      o.mul(FloatVector.fromArray(F, h, hOff + j)).intoArray(h, hOff + j);
    }
    for (; j < n; j++) {
      h[hOff + j] = g[gOff + 3 * n + j] * h[hOff + j];
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
    // τ = tanh(c) into the d_f block, which is written last in each lane group.
    blas.tanh(n, c, cOff, d, dOff + n);
    int limit = F.loopBound(n);
    int j = 0;
    for (; j < limit; j += L) {
      FloatVector one = FloatVector.broadcast(F, 1f);
      FloatVector i = FloatVector.fromArray(F, g, gOff + j);
      FloatVector f = FloatVector.fromArray(F, g, gOff + n + j);
      FloatVector gg = FloatVector.fromArray(F, g, gOff + 2 * n + j);
      FloatVector o = FloatVector.fromArray(F, g, gOff + 3 * n + j);
      FloatVector tau = FloatVector.fromArray(F, d, dOff + n + j);
      FloatVector dh = FloatVector.fromArray(F, d, dOff + 5 * n + j);
      FloatVector dc =
          FloatVector.fromArray(F, d, dOff + 4 * n + j).add(dh.mul(o).mul(one.sub(tau.mul(tau))));
      dc.mul(gg).mul(i.mul(one.sub(i))).intoArray(d, dOff + j);
      dc.mul(FloatVector.fromArray(F, cPrev, cpOff + j))
          .mul(f.mul(one.sub(f)))
          .intoArray(d, dOff + n + j);
      dc.mul(i).mul(one.sub(gg.mul(gg))).intoArray(d, dOff + 2 * n + j);
      dh.mul(tau).mul(o.mul(one.sub(o))).intoArray(d, dOff + 3 * n + j);
      dc.intoArray(d, dOff + 4 * n + j);
    }
    for (; j < n; j++) {
      float i = g[gOff + j], f = g[gOff + n + j], gg = g[gOff + 2 * n + j], o = g[gOff + 3 * n + j];
      float tau = d[dOff + n + j];
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
    // r, z pre-activations (2n contiguous), and hh_n + b_n.
    add3(2 * n, x, xOff, hh, hhOff, b, bOff);
    int limit = F.loopBound(n);
    int j = 0;
    for (; j < limit; j += L) {
      FloatVector.fromArray(F, hh, hhOff + 2 * n + j)
          .add(FloatVector.fromArray(F, b, bOff + 2 * n + j))
          .intoArray(hh, hhOff + 2 * n + j);
    }
    for (; j < n; j++) {
      hh[hhOff + 2 * n + j] += b[bOff + 2 * n + j];
    }
    blas.sigmoid(2 * n, x, xOff, x, xOff);
    // x_n ← x_n + r⊙hn, then tanh in place.
    mulAdd(n, 1f, x, xOff, hh, hhOff + 2 * n, x, xOff + 2 * n);
    blas.tanh(n, x, xOff + 2 * n, x, xOff + 2 * n);
    j = 0;
    for (; j < limit; j += L) {
      FloatVector nn = FloatVector.fromArray(F, x, xOff + 2 * n + j);
      FloatVector z = FloatVector.fromArray(F, x, xOff + n + j);
      nn.add(z.mul(FloatVector.fromArray(F, hPrev, hpOff + j).sub(nn))).intoArray(h, hOff + j);
    }
    for (; j < n; j++) {
      float nn = x[xOff + 2 * n + j];
      h[hOff + j] = nn + x[xOff + n + j] * (hPrev[hpOff + j] - nn);
    }
  }

  /** x ← (x + a) + b over n entries. */
  private static void add3(int n, float[] x, int xOff, float[] a, int aOff, float[] b, int bOff) {
    int limit = F.loopBound(n);
    int j = 0;
    for (; j < limit; j += L) {
      FloatVector.fromArray(F, x, xOff + j)
          .add(FloatVector.fromArray(F, a, aOff + j))
          .add(FloatVector.fromArray(F, b, bOff + j))
          .intoArray(x, xOff + j);
    }
    for (; j < n; j++) {
      x[xOff + j] = x[xOff + j] + a[aOff + j] + b[bOff + j];
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
    int limit = F.loopBound(n);
    int j = 0;
    for (; j < limit; j += L) {
      FloatVector one = FloatVector.broadcast(F, 1f);
      FloatVector r = FloatVector.fromArray(F, g, gOff + j);
      FloatVector z = FloatVector.fromArray(F, g, gOff + n + j);
      FloatVector nn = FloatVector.fromArray(F, g, gOff + 2 * n + j);
      FloatVector dh = FloatVector.fromArray(F, d, dOff + 6 * n + j);
      FloatVector dxn = dh.mul(one.sub(z)).mul(one.sub(nn.mul(nn)));
      FloatVector dr = dxn.mul(FloatVector.fromArray(F, hn, hnOff + j)).mul(r.mul(one.sub(r)));
      FloatVector dz =
          dh.mul(FloatVector.fromArray(F, hPrev, hpOff + j).sub(nn)).mul(z.mul(one.sub(z)));
      dr.intoArray(d, dOff + j);
      dz.intoArray(d, dOff + n + j);
      dxn.intoArray(d, dOff + 2 * n + j);
      dr.intoArray(d, dOff + 3 * n + j);
      dz.intoArray(d, dOff + 4 * n + j);
      dxn.mul(r).intoArray(d, dOff + 5 * n + j);
    }
    for (; j < n; j++) {
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
    int limit = F.loopBound(n);
    // Two passes (mean, then squared deviations): no cancellation of Σr² − nμ² when |μ| ≫ σ.
    float sum = limit == 0 ? 0f : sumBody(r, rOff, limit);
    for (int j = limit; j < n; j++) {
      sum += r[rOff + j];
    }
    float mu = sum / n;
    float sq = limit == 0 ? 0f : squaredDeviationBody(r, rOff, mu, limit);
    for (int j = limit; j < n; j++) {
      float c = r[rOff + j] - mu;
      sq += c * c;
    }
    float s = (float) (1.0 / Math.sqrt((double) (sq / n) + eps));
    normalizeBody(r, rOff, mu, s, gamma, gOff, beta, bOff, add, y, yOff, limit);
    for (int j = limit; j < n; j++) {
      float xh = (r[rOff + j] - mu) * s;
      r[rOff + j] = xh;
      float v = gamma[gOff + j] * xh + beta[bOff + j];
      y[yOff + j] = add ? y[yOff + j] + v : v;
    }
    return s;
  }

  /** Σ r over [0, limit) (limit ≥ L): one accumulator, then the fixed lane tree of PanamaMath. */
  private static float sumBody(float[] r, int rOff, int limit) {
    FloatVector acc = FloatVector.zero(F);
    for (int j = 0; j < limit; j += L) {
      acc = FloatVector.fromArray(F, r, rOff + j).add(acc);
    }
    acc = V.cast(acc); // the loop's vector as the receiver below: see PanamaConstants.V
    // The fixed-order lane tree of PanamaMath, written out: a vector passed to a helper that C2
    // fails to inline is boxed, so no vector crosses a call.
    if (L >= 16) {
      acc = acc.add(acc.rearrange(PanamaMath.ROT8));
    }
    if (L >= 8) {
      acc = acc.add(acc.rearrange(PanamaMath.ROT4));
    }
    acc = acc.add(acc.rearrange(PanamaMath.ROT2));
    return acc.add(acc.rearrange(PanamaMath.ROT1)).lane(0);
  }

  /** Σ (r − μ)² over [0, limit), unfused (mul then add) like the scalar tail. */
  private static float squaredDeviationBody(float[] r, int rOff, float mu, int limit) {
    FloatVector acc = FloatVector.zero(F);
    for (int j = 0; j < limit; j += L) {
      FloatVector c = FloatVector.fromArray(F, r, rOff + j).sub(mu);
      acc = c.mul(c).add(acc);
    }
    acc = V.cast(acc); // the loop's vector as the receiver below: see PanamaConstants.V
    // The fixed-order lane tree of PanamaMath, written out: a vector passed to a helper that C2
    // fails to inline is boxed, so no vector crosses a call.
    if (L >= 16) {
      acc = acc.add(acc.rearrange(PanamaMath.ROT8));
    }
    if (L >= 8) {
      acc = acc.add(acc.rearrange(PanamaMath.ROT4));
    }
    acc = acc.add(acc.rearrange(PanamaMath.ROT2));
    return acc.add(acc.rearrange(PanamaMath.ROT1)).lane(0);
  }

  /** x̂ = (r − μ)·s in place and y ← [y +] γ⊙x̂ + β over [0, limit). */
  private static void normalizeBody(
      float[] r,
      int rOff,
      float mu,
      float s,
      float[] gamma,
      int gOff,
      float[] beta,
      int bOff,
      boolean add,
      float[] y,
      int yOff,
      int limit) {
    for (int j = 0; j < limit; j += L) {
      FloatVector xh = FloatVector.fromArray(F, r, rOff + j).sub(mu).mul(s);
      xh.intoArray(r, rOff + j);
      FloatVector v =
          FloatVector.fromArray(F, gamma, gOff + j)
              .mul(xh)
              .add(FloatVector.fromArray(F, beta, bOff + j));
      if (add) {
        v = FloatVector.fromArray(F, y, yOff + j).add(v);
      }
      v.intoArray(y, yOff + j);
    }
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
    int limit = F.loopBound(n);
    float s1 = limit == 0 ? 0f : gradSumBody(gamma, gOff, dn, dnOff, limit);
    float s2 = limit == 0 ? 0f : gradDotBody(gamma, gOff, dn, dnOff, xhat, xOff, limit);
    for (int j = limit; j < n; j++) {
      float dx = gamma[gOff + j] * dn[dnOff + j];
      s1 += dx;
      s2 += dx * xhat[xOff + j];
    }
    float m1 = s1 / n, m2 = s2 / n;
    for (int j = 0; j < limit; j += L) {
      FloatVector dx =
          FloatVector.fromArray(F, gamma, gOff + j).mul(FloatVector.fromArray(F, dn, dnOff + j));
      dx.sub(m1)
          .sub(FloatVector.fromArray(F, xhat, xOff + j).mul(m2))
          .mul(s)
          .intoArray(dr, drOff + j);
    }
    for (int j = limit; j < n; j++) {
      float dx = gamma[gOff + j] * dn[dnOff + j];
      dr[drOff + j] = s * (dx - m1 - xhat[xOff + j] * m2);
    }
  }

  /** Σ γ⊙dn over [0, limit). */
  private static float gradSumBody(float[] gamma, int gOff, float[] dn, int dnOff, int limit) {
    FloatVector acc = FloatVector.zero(F);
    for (int j = 0; j < limit; j += L) {
      acc =
          FloatVector.fromArray(F, gamma, gOff + j)
              .mul(FloatVector.fromArray(F, dn, dnOff + j))
              .add(acc);
    }
    acc = V.cast(acc); // the loop's vector as the receiver below: see PanamaConstants.V
    // The fixed-order lane tree of PanamaMath, written out: a vector passed to a helper that C2
    // fails to inline is boxed, so no vector crosses a call.
    if (L >= 16) {
      acc = acc.add(acc.rearrange(PanamaMath.ROT8));
    }
    if (L >= 8) {
      acc = acc.add(acc.rearrange(PanamaMath.ROT4));
    }
    acc = acc.add(acc.rearrange(PanamaMath.ROT2));
    return acc.add(acc.rearrange(PanamaMath.ROT1)).lane(0);
  }

  /** Σ (γ⊙dn)⊙x̂ over [0, limit). */
  private static float gradDotBody(
      float[] gamma, int gOff, float[] dn, int dnOff, float[] xhat, int xOff, int limit) {
    FloatVector acc = FloatVector.zero(F);
    for (int j = 0; j < limit; j += L) {
      FloatVector dx =
          FloatVector.fromArray(F, gamma, gOff + j).mul(FloatVector.fromArray(F, dn, dnOff + j));
      acc = dx.mul(FloatVector.fromArray(F, xhat, xOff + j)).add(acc);
    }
    acc = V.cast(acc); // the loop's vector as the receiver below: see PanamaConstants.V
    // The fixed-order lane tree of PanamaMath, written out: a vector passed to a helper that C2
    // fails to inline is boxed, so no vector crosses a call.
    if (L >= 16) {
      acc = acc.add(acc.rearrange(PanamaMath.ROT8));
    }
    if (L >= 8) {
      acc = acc.add(acc.rearrange(PanamaMath.ROT4));
    }
    acc = acc.add(acc.rearrange(PanamaMath.ROT2));
    return acc.add(acc.rearrange(PanamaMath.ROT1)).lane(0);
  }

  @Override
  public void mulAdd(
      int n, float alpha, float[] a, int aOff, float[] b, int bOff, float[] y, int yOff) {
    int limit = F.loopBound(n);
    int j = 0;
    for (; j < limit; j += L) {
      FloatVector.fromArray(F, a, aOff + j)
          .mul(FloatVector.fromArray(F, b, bOff + j))
          .mul(alpha)
          .add(FloatVector.fromArray(F, y, yOff + j))
          .intoArray(y, yOff + j);
    }
    for (; j < n; j++) {
      y[yOff + j] += alpha * (a[aOff + j] * b[bOff + j]);
    }
  }
}
