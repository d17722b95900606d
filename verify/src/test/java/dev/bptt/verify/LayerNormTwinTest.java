package dev.bptt.verify;

import dev.bptt.kernel.internal.CellSupport;
import dev.bptt.kernel.internal.VectorizationProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The layer-normalization passes of both cell twins ({@link CellSupport#layerNormForward}, {@link
 * CellSupport#layerNormBackward}) against a double evaluation of their formulas, each within a
 * derived bound B, so the twins are within 2·B of each other (checked too when the Vector API is
 * present). n covers the lane grid's edges (1, 3, 7, 8, 17, 37, 64, 200 and random), the inputs sit
 * off a random mean (the two-pass variance is tested where Σr² − nμ² would cancel), the output is
 * written or accumulated, and the arrays sit at random offsets.
 *
 * <p>Bounds, with u = 2⁻²⁴ and γ_k = ku/(1 − ku), inputs exact floats:
 *
 * <ul>
 *   <li>forward: μ = Σr/n within e_μ = γ_{n+1}·Σ|r|/n; c = r − μ̂ within e_c = e_μ + u(|c| + e_μ);
 *       σ² within e_v = (Σ(2|c|e_c + e_c²) + γ_{n+1}·Σ(|c| + e_c)²)/n (plus 2⁻⁵²·v for the double
 *       sum with ε); s = 1/√v within ½(v − e_v)^(−3/2)·e_v + γ₃·s (√, division in double, rounding
 *       to float); x̂ = c·s by the product rule; y = [y₀ +] γ·x̂ + β within |γ|·e_x̂ + γ₃·(|y₀| +
 *       |γ|(|x̂| + e_x̂) + |β|);
 *   <li>backward (x̂, s, γ, dn exact floats): dr_j = s·(dx̂_j − Σdx̂_i/n − x̂_j·Σdx̂_i·x̂_i/n) is a
 *       sum of products each computed through at most n + 6 roundings, so within γ_{n+6}·s·(|dx̂_j|
 *       + Σ|dx̂_i|/n + |x̂_j|·Σ|dx̂_i·x̂_i|/n).
 * </ul>
 */
class LayerNormTwinTest {
  private static final double U = 0x1p-24;
  private static final double EPS = 1e-5;
  private static final List<CellSupport> TWINS = new ArrayList<>();

  @BeforeAll
  static void twins() {
    TWINS.clear();
    TWINS.add(VectorizationProvider.scalar().cells());
    VectorizationProvider.panama().ifPresent(p -> TWINS.add(p.cells()));
  }

  private static double gamma(int k) {
    return k * U / (1 - k * U);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void layerNormPassesMatchTheirFormulas(long seed) {
    int[] edge = {1, 3, 7, 8, 17, 37, 64, 200};
    SplittableRandom r = new SplittableRandom(seed);
    int n = r.nextBoolean() ? edge[r.nextInt(edge.length)] : 1 + r.nextInt(300);
    Shrink.check(seed, new int[] {n}, d -> d[0] >= 1 ? check(seed, d[0]) : null);
  }

  private static float[] filled(SplittableRandom r, int off, int n, double centre, double scale) {
    float[] a = new float[off + n + 2];
    java.util.Arrays.fill(a, Float.NaN);
    for (int i = 0; i < n; i++) {
      a[off + i] = (float) (centre + scale * (2 * r.nextDouble() - 1));
    }
    return a;
  }

  private static String check(long seed, int n) {
    SplittableRandom r = new SplittableRandom(~seed);
    int ro = r.nextInt(4), go = r.nextInt(4), bo = r.nextInt(4), yo = r.nextInt(4);
    double scale = Math.pow(2, r.nextInt(9) - 6); // 2⁻⁶ … 2²: variances down near ε
    float[] x = filled(r, ro, n, 4 * (2 * r.nextDouble() - 1), scale);
    float[] g = filled(r, go, n, 1, 0.5);
    float[] b = filled(r, bo, n, 0, 0.5);
    float[] y0 = filled(r, yo, n, 0, 1);
    float[] dn = filled(r, ro, n, 0, 1);
    boolean add = r.nextBoolean();
    String what = "n=" + n + " scale=" + scale + " add=" + add;

    // The double evaluation and its bounds (exact float inputs).
    double sum = 0, mag = 0;
    for (int j = 0; j < n; j++) {
      sum += x[ro + j];
      mag += Math.abs((double) x[ro + j]);
    }
    double mu = sum / n, emu = gamma(n + 1) * mag / n;
    double[] c = new double[n], ec = new double[n];
    double var = 0, ev = 0, mv = 0;
    for (int j = 0; j < n; j++) {
      c[j] = x[ro + j] - mu;
      ec[j] = n == 1 ? 0 : emu + U * (Math.abs(c[j]) + emu);
      var += c[j] * c[j];
      ev += 2 * Math.abs(c[j]) * ec[j] + ec[j] * ec[j];
      mv += (Math.abs(c[j]) + ec[j]) * (Math.abs(c[j]) + ec[j]);
    }
    double v = var / n + EPS;
    ev = n == 1 ? 0 : (ev + gamma(n + 1) * mv) / n;
    ev += 0x1p-52 * v;
    double s = 1 / Math.sqrt(v);
    double es =
        (ev >= v ? Double.POSITIVE_INFINITY : 0.5 * Math.pow(v - ev, -1.5) * ev) + gamma(3) * s;
    double[] xh = new double[n], exh = new double[n], y = new double[n], ey = new double[n];
    for (int j = 0; j < n; j++) {
      double ac = Math.abs(c[j]);
      xh[j] = c[j] * s;
      exh[j] = ac * es + s * ec[j] + ec[j] * es + U * (ac + ec[j]) * (s + es);
      double gj = g[go + j], bj = b[bo + j], yj = add ? y0[yo + j] : 0;
      y[j] = yj + gj * xh[j] + bj;
      ey[j] =
          Math.abs(gj) * exh[j]
              + gamma(3)
                  * (Math.abs(yj) + Math.abs(gj) * (Math.abs(xh[j]) + exh[j]) + Math.abs(bj));
    }

    float[][] xhats = new float[TWINS.size()][];
    float[][] ys = new float[TWINS.size()][];
    float[] ss = new float[TWINS.size()];
    float[][] drs = new float[TWINS.size()][];
    for (int i = 0; i < TWINS.size(); i++) {
      CellSupport t = TWINS.get(i);
      String who = (i == 0 ? "scalar " : "panama ") + what;
      float[] xi = x.clone(), yi = y0.clone();
      ss[i] = t.layerNormForward(n, EPS, xi, ro, g, go, b, bo, add, yi, yo);
      xhats[i] = xi;
      ys[i] = yi;
      String m =
          Compare.first(
              Compare.within(who + " s", ss[i], s, es),
              canaries(who + " x̂", xi, ro, n),
              canaries(who + " y", yi, yo, n));
      for (int j = 0; m == null && j < n; j++) {
        m =
            Compare.first(
                Compare.within(who + " x̂[" + j + "]", xi[ro + j], xh[j], exh[j]),
                Compare.within(who + " y[" + j + "]", yi[yo + j], y[j], ey[j]));
      }
      if (m != null) {
        return m;
      }
      // Backward from this twin's own (exact float) x̂ and s.
      double sc = ss[i], s1 = 0, m1 = 0, s2 = 0, m2 = 0;
      double[] dxh = new double[n];
      for (int j = 0; j < n; j++) {
        dxh[j] = (double) g[go + j] * dn[ro + j];
        s1 += dxh[j];
        m1 += Math.abs(dxh[j]);
        s2 += dxh[j] * xi[ro + j];
        m2 += Math.abs(dxh[j] * xi[ro + j]);
      }
      float[] dr = filled(r, yo, n, 0, 1);
      t.layerNormBackward(n, ss[i], xi, ro, g, go, dn, ro, dr, yo);
      drs[i] = dr;
      m = canaries(who + " dr", dr, yo, n);
      for (int j = 0; m == null && j < n; j++) {
        double want = sc * (dxh[j] - s1 / n - xi[ro + j] * (s2 / n));
        double bound =
            gamma(n + 6) * sc * (Math.abs(dxh[j]) + m1 / n + Math.abs(xi[ro + j]) * m2 / n);
        m = Compare.within(who + " dr[" + j + "]", dr[yo + j], want, bound);
      }
      if (m != null) {
        return m;
      }
    }
    if (TWINS.size() == 2) {
      String m = Compare.within("twins s " + what, ss[1], ss[0], 2 * es);
      for (int j = 0; m == null && j < n; j++) {
        m =
            Compare.first(
                Compare.within(
                    "twins x̂[" + j + "] " + what, xhats[1][ro + j], xhats[0][ro + j], 2 * exh[j]),
                Compare.within(
                    "twins y[" + j + "] " + what, ys[1][yo + j], ys[0][yo + j], 2 * ey[j]));
      }
      return m;
    }
    return null;
  }

  /** Null if the NaN canaries around [off, off + n) are intact. */
  private static String canaries(String what, float[] a, int off, int n) {
    for (int i = 0; i < a.length; i++) {
      if ((i < off || i >= off + n) && !Float.isNaN(a[i])) {
        return what + ": wrote outside its range at " + i;
      }
    }
    return null;
  }
}
