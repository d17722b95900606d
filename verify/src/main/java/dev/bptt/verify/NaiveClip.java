package dev.bptt.verify;

import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.NormType;
import dev.bptt.kernel.clip.TensorSet;
import dev.bptt.kernel.clip.TensorView;

/**
 * Double-precision reference for gradient clipping: the formulas of PyTorch ({@code
 * clip_grad_norm_}, {@code clip_grad_value_}), d2l 9.5 / Pascanu 2013 (strict rule), Keras {@code
 * clipnorm} and Brock et al. 2021 (AGC), written out directly over double[][] views (one double[]
 * per view), plus the error bounds that property tests derive their tolerances from.
 *
 * <p>Every float entry is exact in double and every float square is a normal double, so the
 * reference norms only carry double rounding: relative error ≤ γₙ(2⁻⁵³).
 */
public final class NaiveClip {
  /** Unit roundoff of float, u = 2⁻²⁴. */
  public static final double U = 0x1p-24;

  /** Unit roundoff of double, 2⁻⁵³. */
  public static final double UD = 0x1p-53;

  /**
   * Smallest positive float (subnormal), 2⁻¹⁴⁹: the absolute error bound of a float result that
   * underflows.
   */
  public static final double TINY = 0x1p-149;

  private NaiveClip() {}

  /** γₙ(u) = n·u/(1 − n·u): the relative error bound of n roundings (Higham, Lemma 3.1). */
  public static double gamma(long n, double u) {
    double nu = n * u;
    if (nu >= 1) {
      throw new IllegalArgumentException("gamma undefined for n·u >= 1: n=" + n + " u=" + u);
    }
    return nu / (1 - nu);
  }

  /**
   * Bound δ on the relative error of the kernel's norm of n entries in k views against the double
   * reference, |N̂ − N| ≤ δ·N:
   *
   * <ul>
   *   <li>L2 and L1: each block of at most B = {@link GradientClipper#NORM_BLOCK} entries is summed
   *       in float (any order, non-negative terms: ≤ γ_B(u) with the squares' rounding; or redone
   *       in double, smaller); squares lost to underflow cost at most m·2⁻¹⁵⁰ against a block sum ≥
   *       m·2⁻¹⁰² (the kernel's switch to double below that), i.e. 2⁻⁴⁸ relative; the ≤ n/B + k
   *       block sums are added in double, then √ (|√(1+e) − 1| ≤ |e|) and the division by the loss
   *       scale, and the reference itself errs by γₙ(2⁻⁵³): together ≤ γ_{min(n,B)}(u) +
   *       γ_{n+k+4}(2⁻⁵³) + 2⁻⁴⁷;
   *   <li>L∞: the max is exact; only the division by s and the reference's division round: 2·2⁻⁵³.
   * </ul>
   */
  public static double normBound(NormType type, long n, int k) {
    if (type == NormType.LINF) {
      return 2 * UD;
    }
    return gamma(Math.max(1, Math.min(n, GradientClipper.NORM_BLOCK)), U)
        + gamma(n + k + 4, UD)
        + 0x1p-47;
  }

  /**
   * Relative error bound of one multiply pass x ← fl(x·fl(c/s)): the quotient c/s rounds in double
   * (2⁻⁵³), then to float (u), and the product rounds to float (u), so |x' − x·c/s| ≤
   * ((1+u)²(1+2⁻⁵²) − 1)·|x·c/s| plus {@link #TINY} when x' underflows. (A factor below the normal
   * float range is applied in double by the kernel: one double and one float rounding, inside the
   * same bound.)
   */
  public static double scaleBound() {
    return (1 + U) * (1 + U) * (1 + 2 * UD) - 1;
  }

  /**
   * Absolute bound on how much n entries that each err by at most {@link #TINY} (underflowed
   * products) can move a norm: √n·TINY (L2), n·TINY (L1), TINY (L∞).
   */
  public static double underflowTerm(NormType type, long n) {
    return switch (type) {
      case L2 -> Math.sqrt(n) * TINY;
      case L1 -> n * TINY;
      case LINF -> TINY;
    };
  }

  /** The entries of every view of a set, as doubles (a snapshot). */
  public static double[][] values(TensorSet set) {
    double[][] out = new double[set.viewCount()][];
    for (int i = 0; i < out.length; i++) {
      TensorView v = set.view(i);
      out[i] = new double[v.length()];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = v.array()[v.offset() + j];
      }
    }
    return out;
  }

  /** ‖x‖ of one vector in double: √Σxᵢ², Σ|xᵢ| or max|xᵢ| (NaN if any entry is NaN). */
  public static double norm(NormType type, double[] x) {
    return norm(type, new double[][] {x});
  }

  /** ‖g‖ of all views as one vector, in double. */
  public static double norm(NormType type, double[][] g) {
    double acc = 0;
    for (double[] v : g) {
      for (double x : v) {
        switch (type) {
          case L2 -> acc += x * x;
          case L1 -> acc += Math.abs(x);
          case LINF ->
              acc = Double.isNaN(x) || Double.isNaN(acc) ? Double.NaN : Math.max(acc, Math.abs(x));
        }
      }
    }
    return type == NormType.L2 ? Math.sqrt(acc) : acc;
  }

  /**
   * The coefficient of a rule, written from its definition: PyTorch min(1, θ/(N + 10⁻⁶)); strict
   * θ/N when N &gt; θ, else 1.
   */
  public static double coefficient(ClipRule rule, double maxNorm, double norm) {
    return switch (rule) {
      case PYTORCH -> Math.min(1.0, maxNorm / (norm + 1e-6));
      case STRICT -> norm > maxNorm ? maxNorm / norm : 1.0;
    };
  }

  /** g/s: the true gradient of a buffer that holds s·g. */
  public static double[][] unscale(double[][] g, double s) {
    double[][] out = new double[g.length][];
    for (int i = 0; i < g.length; i++) {
      out[i] = g[i].clone();
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] /= s;
      }
    }
    return out;
  }

  /** Global-norm clip of the true gradient g: c = coefficient(θ, ‖g‖), returns c·g. */
  public static double[][] clipGlobal(double[][] g, NormType type, ClipRule rule, double maxNorm) {
    double c = coefficient(rule, maxNorm, norm(type, g));
    double[][] out = new double[g.length][];
    for (int i = 0; i < g.length; i++) {
      out[i] = g[i].clone();
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] *= c;
      }
    }
    return out;
  }

  /** Per-view clip (Keras clipnorm): view v scaled by coefficient(θᵥ, ‖gᵥ‖). */
  public static double[][] clipPerView(
      double[][] g, NormType type, ClipRule rule, double[] maxNorms) {
    double[][] out = new double[g.length][];
    for (int i = 0; i < g.length; i++) {
      out[i] = clipGlobal(new double[][] {g[i]}, type, rule, maxNorms[i])[0];
    }
    return out;
  }

  /** Value clip: every entry clamped to [−c, c]. */
  public static double[][] clipValue(double[][] g, double c) {
    double[][] out = new double[g.length][];
    for (int i = 0; i < g.length; i++) {
      out[i] = g[i].clone();
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = Math.max(-c, Math.min(c, out[i][j]));
      }
    }
    return out;
  }

  /** ‖row r‖₂ of a rows×cols row-major view, in double. */
  public static double rowNorm(double[] v, int row, int cols) {
    double acc = 0;
    for (int j = 0; j < cols; j++) {
      double x = v[row * cols + j];
      acc += x * x;
    }
    return Math.sqrt(acc);
  }

  /**
   * AGC (Brock et al. 2021) on the true gradient: for each row i of each included view ({@code
   * include[v]}), W* = max(‖Wᵢ‖, ε); if ‖Gᵢ‖/W* &gt; λ, Gᵢ ← (λ·W* / ‖Gᵢ‖)·Gᵢ. A view with cols = 0
   * has nothing to clip.
   */
  public static double[][] clipAdaptive(
      double[][] g, double[][] w, int[] cols, boolean[] include, double lambda, double eps) {
    double[][] out = new double[g.length][];
    for (int v = 0; v < g.length; v++) {
      out[v] = g[v].clone();
      if (!include[v] || cols[v] == 0) {
        continue;
      }
      for (int r = 0; r < g[v].length / cols[v]; r++) {
        double gn = rowNorm(g[v], r, cols[v]);
        double wStar = Math.max(rowNorm(w[v], r, cols[v]), eps);
        if (gn / wStar > lambda) {
          double c = lambda * wStar / gn;
          for (int j = 0; j < cols[v]; j++) {
            out[v][r * cols[v] + j] *= c;
          }
        }
      }
    }
    return out;
  }

  /** cos∠(a, b) of two gradients as concatenated vectors, in double. */
  public static double cosine(double[][] a, double[][] b) {
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        ab += a[i][j] * b[i][j];
        aa += a[i][j] * a[i][j];
        bb += b[i][j] * b[i][j];
      }
    }
    return ab / Math.sqrt(aa * bb);
  }
}
