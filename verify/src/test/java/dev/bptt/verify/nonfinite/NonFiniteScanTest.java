package dev.bptt.verify.nonfinite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bptt.kernel.internal.BlasSupport;
import dev.bptt.kernel.internal.VectorizationProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link BlasSupport#firstNonFinite} of both twins against a scalar reference: lengths 0..70 and
 * offsets 0..3 (vector bodies, the four-vector block and every tail), NaN, +∞ and −∞ at every
 * position, a second one after the first, and the finite extremes (±MAX_VALUE, MIN_VALUE, −0) never
 * reported.
 */
class NonFiniteScanTest {
  static List<BlasSupport> twins() {
    List<BlasSupport> l = new ArrayList<>();
    l.add(VectorizationProvider.scalar().blas());
    VectorizationProvider.panama().ifPresent(p -> l.add(p.blas()));
    l.add(VectorizationProvider.get().blas());
    return l;
  }

  static int reference(int n, float[] x, int off) {
    for (int i = 0; i < n; i++) {
      if (Float.isNaN(x[off + i]) || Float.isInfinite(x[off + i])) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void agreesWithTheReferenceAtEveryPositionAndLength() {
    float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    float[] extremes = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -0f, 1e-40f};
    SplittableRandom r = new SplittableRandom(3);
    for (BlasSupport k : twins()) {
      for (int n = 0; n <= 70; n++) {
        for (int off = 0; off <= 3; off++) {
          float[] x = new float[off + n + 2];
          for (int i = 0; i < x.length; i++) {
            x[i] =
                r.nextInt(4) == 0 ? extremes[r.nextInt(extremes.length)] : (float) r.nextGaussian();
          }
          // non-finite entries outside the range are never read
          x[x.length - 1] = Float.NaN;
          if (off > 0) {
            x[off - 1] = Float.POSITIVE_INFINITY;
          }
          String what = k.name() + " n=" + n + " off=" + off;
          assertEquals(-1, k.firstNonFinite(n, x, off), what + " all finite");
          for (int p = 0; p < n; p++) {
            for (float b : bad) {
              float keep = x[off + p];
              x[off + p] = b;
              assertEquals(reference(n, x, off), k.firstNonFinite(n, x, off), what + " p=" + p);
              assertEquals(p, k.firstNonFinite(n, x, off), what + " p=" + p + " " + b);
              if (p + 1 < n) {
                int q = p + 1 + r.nextInt(n - p - 1);
                float keepQ = x[off + q];
                x[off + q] = bad[r.nextInt(3)];
                assertEquals(p, k.firstNonFinite(n, x, off), what + " p=" + p + " q=" + q);
                x[off + q] = keepQ;
              }
              x[off + p] = keep;
            }
          }
        }
      }
    }
  }
}
