package dev.bptt.kernel.internal;

/** Scalar twin of {@link PanamaOptimizerSupport}: plain loops, the same operations in order. */
final class DefaultOptimizerSupport implements OptimizerSupport {

  private static float penalized(float gi, float th, float l2, float l1) {
    return gi + l2 * th + (th > 0f ? l1 : th < 0f ? -l1 : 0f);
  }

  @Override
  public void sgd(
      int n,
      float[] p,
      float[] g,
      float[] b,
      int off,
      float lr,
      float keep,
      float l2,
      float l1,
      float mu,
      float damp,
      int mode,
      boolean nesterov) {
    boolean pen = l2 != 0f || l1 != 0f;
    for (int i = off, end = off + n; i < end; i++) {
      float th = p[i];
      float gd = pen ? penalized(g[i], th, l2, l1) : g[i];
      float d;
      if (mode == SGD_PLAIN) {
        d = gd;
      } else {
        float bi = mode == SGD_FIRST ? gd : mu * b[i] + damp * gd;
        b[i] = bi;
        d = nesterov ? gd + mu * bi : bi;
      }
      p[i] = th * keep - lr * d;
    }
  }

  @Override
  public void adam(
      int n,
      float[] p,
      float[] g,
      float[] m,
      float[] v,
      float[] vMax,
      int off,
      float stepSize,
      float invBc2,
      float eps,
      float b1,
      float c1,
      float b2,
      float c2,
      float keep,
      float l2,
      float l1) {
    boolean pen = l2 != 0f || l1 != 0f;
    for (int i = off, end = off + n; i < end; i++) {
      float th = p[i];
      float gd = pen ? penalized(g[i], th, l2, l1) : g[i];
      float mi = b1 * m[i] + c1 * gd;
      float vi = b2 * v[i] + c2 * (gd * gd);
      m[i] = mi;
      v[i] = vi;
      if (vMax != null) {
        vi = Math.max(vMax[i], vi);
        vMax[i] = vi;
      }
      float denom = (float) Math.sqrt(vi) * invBc2 + eps;
      p[i] = th * keep - stepSize * mi / denom;
    }
  }

  @Override
  public void rmsprop(
      int n,
      float[] p,
      float[] g,
      float[] v,
      float[] gAvg,
      float[] buf,
      int off,
      float lr,
      float a,
      float c,
      float eps,
      float mu,
      float keep,
      float l2,
      float l1) {
    boolean pen = l2 != 0f || l1 != 0f;
    for (int i = off, end = off + n; i < end; i++) {
      float th = p[i];
      float gd = pen ? penalized(g[i], th, l2, l1) : g[i];
      float vi = a * v[i] + c * (gd * gd);
      v[i] = vi;
      float s;
      if (gAvg != null) {
        float ga = a * gAvg[i] + c * gd;
        gAvg[i] = ga;
        s = (float) Math.sqrt(Math.max(vi - ga * ga, 0f)) + eps;
      } else {
        s = (float) Math.sqrt(vi) + eps;
      }
      float q = gd / s;
      if (buf != null) {
        q = mu * buf[i] + q;
        buf[i] = q;
      }
      p[i] = th * keep - lr * q;
    }
  }
}
