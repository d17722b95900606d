package dev.bptt.kernel.internal;

import static dev.bptt.kernel.internal.PanamaConstants.F;
import static dev.bptt.kernel.internal.PanamaConstants.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector API twin of {@link DefaultOptimizerSupport}: one vector loop per pass (the flags are loop
 * invariants, which C2 unswitches) and the scalar twin's code for the tail, so both twins perform
 * the same operations in the same order and agree bitwise.
 */
final class PanamaOptimizerSupport implements OptimizerSupport {

  private static final DefaultOptimizerSupport TAIL = new DefaultOptimizerSupport();

  private static FloatVector penalized(FloatVector g, FloatVector th, float l2, float l1) {
    FloatVector zero = FloatVector.zero(F);
    FloatVector sgn =
        zero.blend(l1, th.compare(VectorOperators.GT, 0f))
            .blend(-l1, th.compare(VectorOperators.LT, 0f));
    return g.add(th.mul(l2)).add(sgn);
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
    int limit = F.loopBound(n);
    int j = 0;
    for (; j < limit; j += L) {
      int i = off + j;
      FloatVector th = FloatVector.fromArray(F, p, i);
      FloatVector gd = FloatVector.fromArray(F, g, i);
      if (pen) {
        gd = penalized(gd, th, l2, l1);
      }
      FloatVector d;
      if (mode == SGD_PLAIN) {
        d = gd;
      } else {
        FloatVector bi =
            mode == SGD_FIRST ? gd : FloatVector.fromArray(F, b, i).mul(mu).add(gd.mul(damp));
        bi.intoArray(b, i);
        d = nesterov ? gd.add(bi.mul(mu)) : bi;
      }
      th.mul(keep).sub(d.mul(lr)).intoArray(p, i);
    }
    TAIL.sgd(n - j, p, g, b, off + j, lr, keep, l2, l1, mu, damp, mode, nesterov);
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
    boolean ams = vMax != null;
    int limit = F.loopBound(n);
    int j = 0;
    for (; j < limit; j += L) {
      int i = off + j;
      FloatVector th = FloatVector.fromArray(F, p, i);
      FloatVector gd = FloatVector.fromArray(F, g, i);
      if (pen) {
        gd = penalized(gd, th, l2, l1);
      }
      FloatVector mi = FloatVector.fromArray(F, m, i).mul(b1).add(gd.mul(c1));
      FloatVector vi = FloatVector.fromArray(F, v, i).mul(b2).add(gd.mul(gd).mul(c2));
      mi.intoArray(m, i);
      vi.intoArray(v, i);
      if (ams) {
        vi = FloatVector.fromArray(F, vMax, i).max(vi);
        vi.intoArray(vMax, i);
      }
      FloatVector denom = vi.lanewise(VectorOperators.SQRT).mul(invBc2).add(eps);
      th.mul(keep).sub(mi.mul(stepSize).div(denom)).intoArray(p, i);
    }
    TAIL.adam(
        n - j, p, g, m, v, vMax, off + j, stepSize, invBc2, eps, b1, c1, b2, c2, keep, l2, l1);
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
    int limit = F.loopBound(n);
    int j = 0;
    for (; j < limit; j += L) {
      int i = off + j;
      FloatVector th = FloatVector.fromArray(F, p, i);
      FloatVector gd = FloatVector.fromArray(F, g, i);
      if (pen) {
        gd = penalized(gd, th, l2, l1);
      }
      FloatVector vi = FloatVector.fromArray(F, v, i).mul(a).add(gd.mul(gd).mul(c));
      vi.intoArray(v, i);
      FloatVector s;
      if (gAvg != null) {
        FloatVector ga = FloatVector.fromArray(F, gAvg, i).mul(a).add(gd.mul(c));
        ga.intoArray(gAvg, i);
        s = vi.sub(ga.mul(ga)).max(0f).lanewise(VectorOperators.SQRT).add(eps);
      } else {
        s = vi.lanewise(VectorOperators.SQRT).add(eps);
      }
      FloatVector q = gd.div(s);
      if (buf != null) {
        q = FloatVector.fromArray(F, buf, i).mul(mu).add(q);
        q.intoArray(buf, i);
      }
      th.mul(keep).sub(q.mul(lr)).intoArray(p, i);
    }
    TAIL.rmsprop(n - j, p, g, v, gAvg, buf, off + j, lr, a, c, eps, mu, keep, l2, l1);
  }
}
