package dev.bptt.kernel.spectral;

import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.internal.BlasSupport;
import dev.bptt.kernel.internal.Checks;
import dev.bptt.kernel.internal.Kernels;
import java.util.SplittableRandom;

/**
 * Power iterations over row-major {@code float[]} matrices: the dominant eigenpair of a symmetric
 * matrix, the largest singular value, and the spectral radius of a general square matrix.
 *
 * <p>Every method takes the start vector in {@code v} (any non-zero vector; {@link #randomStart}
 * writes a seeded one) and a caller-provided work range, validates all arguments before writing
 * anything, and allocates nothing in its loop: the loop runs on the unchecked SIMD kernels of
 * {@link Blas} (gemv, gemvᵀ, dot, axpy, scale, sum of squares); the small Ritz problem of {@link
 * #spectralRadius} uses a per-thread scratch made on the thread's first call. A result record is
 * made once at the end. On return {@code v} holds the vector the residual refers to (for
 * spectralRadius the real part of a complex one).
 *
 * <p><b>Stopping.</b> The loop stops after the first step whose residual (checked every step; every
 * m-th step for spectralRadius) is ≤ {@code tol·value}, or after {@code maxIter} steps. {@code tol
 * = 0} runs exactly {@code maxIter} steps (unless the residual is exactly 0). The residual is
 * computed in float, so tolerances below its rounding floor, about γₙ·‖A‖_F/value with γₙ = n·2⁻²⁴,
 * are never reached and the loop runs to {@code maxIter} with {@code converged = false}.
 *
 * <p><b>Breakdown.</b> If A·v is exactly 0 the start vector lies in the null space and nothing more
 * can be learned: the result has value 0, residual 0 and {@code converged = false}. If A·v is not
 * finite (A holds NaN/∞, or entries so large that a product overflows, above about {@link
 * Float#MAX_VALUE}/n), the result has value NaN and {@code converged = false}.
 */
public final class Spectral {
  private static final BlasSupport K = Kernels.blas();

  private Spectral() {}

  /** Work length needed by {@link #symmetricDominant}: 2n. */
  public static int symmetricWorkLength(int n) {
    return 2 * n;
  }

  /** Work length needed by {@link #sigmaMax} for an m×n matrix: m + 2n. */
  public static int sigmaMaxWorkLength(int m, int n) {
    return m + 2 * n;
  }

  /**
   * Work length needed by {@link #spectralRadius}: (m + 1)·n with m = min(n, 8) the Krylov
   * dimension of its Ritz extraction.
   */
  public static int spectralRadiusWorkLength(int n) {
    return (krylovDim(n) + 1) * n;
  }

  private static int krylovDim(int n) {
    return Math.min(n, SpectralRitz.MAX);
  }

  /**
   * Writes a seeded start vector: v = g/‖g‖ with gᵢ ~ N(0, 1) drawn in order from {@code new
   * SplittableRandom(seed)}. Such a vector has a non-zero component along every fixed direction
   * with probability 1, which is what power iteration needs.
   *
   * @param n length (≥ 1); writes v[vOff .. vOff+n)
   * @param seed the seed; the same seed gives the same bits
   */
  public static void randomStart(long seed, int n, float[] v, int vOff) {
    Checks.positive("n", n);
    Checks.vector("v", v, vOff, n);
    SplittableRandom rnd = new SplittableRandom(seed);
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double g = rnd.nextGaussian();
      v[vOff + i] = (float) g;
      sum += (double) v[vOff + i] * v[vOff + i];
    }
    if (sum == 0) {
      v[vOff] = 1f; // every draw was exactly 0 (probability 0): any unit vector will do
      sum = 1;
    }
    normalizeInPlace(n, v, vOff, Math.sqrt(sum));
  }

  /**
   * Dominant eigenpair of a symmetric n×n matrix A by power iteration: x_{j+1} = A·xⱼ / ‖A·xⱼ‖,
   * with the Rayleigh quotient θ = xᵀAx and the residual ‖Ax − θx‖. If |λ₁| &gt; |λ₂| and the start
   * has a component c₁ ≠ 0 along v₁, then tan∠(xⱼ, v₁) ≤ |λ₂/λ₁|ʲ·tan∠(x₀, v₁) and |θ − λ₁| =
   * O(|λ₂/λ₁|²ʲ). Since A is symmetric, some eigenvalue lies within the residual of θ; |θ|
   * estimates |λ₁| and its sign is the sign of λ₁. Only the symmetric matrix's entries are read, A
   * is not checked for symmetry.
   *
   * <p>Cost per step: one gemv (2n² flops) and O(n) vector work.
   *
   * @param n order (≥ 1); A is n×n row-major at aOff with leading dimension lda ≥ n
   * @param v start vector on entry (non-zero, finite), the unit iterate x on return
   * @param work scratch of {@link #symmetricWorkLength}(n) = 2n floats at workOff, must not overlap
   *     A or v
   * @param maxIter most steps (≥ 1)
   * @param tol relative residual to stop at (≥ 0, finite): stop when ‖Ax − θx‖ ≤ tol·|θ|
   * @return value |θ|, eigenRe θ, residual ‖Ax − θx‖, growthRate ‖A^J x₀‖^{1/J}
   */
  public static SpectralEstimate symmetricDominant(
      int n,
      float[] a,
      int aOff,
      int lda,
      float[] v,
      int vOff,
      float[] work,
      int workOff,
      int maxIter,
      double tol) {
    checkSquare(n, a, aOff, lda, v, vOff, work, workOff, symmetricWorkLength(n), maxIter, tol);
    normalizeStart(n, v, vOff);
    int w = workOff, r = workOff + n; // w = A·x, r = w − θ·x
    double logSum = 0;
    for (int it = 1; ; it++) {
      K.gemv(n, n, 1f, a, aOff, lda, v, vOff, 0f, work, w);
      double wNorm = norm(n, work, w);
      if (!(wNorm > 0) || wNorm == Double.POSITIVE_INFINITY) {
        return breakdown(wNorm, it);
      }
      logSum += Math.log(wNorm);
      float theta = K.dot(n, v, vOff, work, w);
      System.arraycopy(work, w, work, r, n);
      K.axpy(n, -theta, v, vOff, work, r);
      double res = norm(n, work, r);
      boolean done = res <= tol * Math.abs(theta);
      if (done || it == maxIter) {
        return new SpectralEstimate(
            Math.abs(theta), theta, 0, it, res, done, Math.exp(logSum / it));
      }
      normalizeInto(n, work, w, wNorm, v, vOff);
    }
  }

  /**
   * Largest singular value of an m×n matrix W by power iteration on WᵀW without forming it: u = W·x
   * (gemv), z = Wᵀ·u (gemvᵀ), x ← z/‖z‖. The estimate is σ̂ = ‖Wx‖ = √(xᵀWᵀWx), the Rayleigh
   * quotient of WᵀW, so σ̂ ≤ σ_max in exact arithmetic, and it converges like (σ₂/σ₁)^{2j}. The
   * reported residual ‖WᵀWx − σ̂²x‖/σ̂ bounds |σ̂ − σᵢ| for some singular value σᵢ (because |σ̂² −
   * σᵢ²| ≤ ‖WᵀWx − σ̂²x‖ for the symmetric WᵀW, and |σ̂ − σᵢ| = |σ̂² − σᵢ²|/(σ̂ + σᵢ)).
   *
   * <p>Cost per step: one gemv and one gemvᵀ (4mn flops) and O(m + n) vector work.
   *
   * @param m rows of W (≥ 1)
   * @param n columns of W (≥ 1); W is m×n row-major at aOff with lda ≥ n
   * @param v start vector of length n on entry (non-zero, finite), the unit right singular vector
   *     estimate on return
   * @param work scratch of {@link #sigmaMaxWorkLength}(m, n) = m + 2n floats, must not overlap W or
   *     v
   * @param maxIter most steps (≥ 1)
   * @param tol relative residual to stop at (≥ 0, finite): stop when residual ≤ tol·σ̂
   * @return value σ̂, eigenRe σ̂², residual ‖WᵀWx − σ̂²x‖/σ̂, growthRate ‖(WᵀW)^J x₀‖^{1/(2J)}
   */
  public static SpectralEstimate sigmaMax(
      int m,
      int n,
      float[] a,
      int aOff,
      int lda,
      float[] v,
      int vOff,
      float[] work,
      int workOff,
      int maxIter,
      double tol) {
    Checks.positive("m", m);
    Checks.positive("n", n);
    Checks.matrix("A", a, aOff, m, n, lda);
    Checks.vector("v", v, vOff, n);
    checkWork(
        work,
        workOff,
        sigmaMaxWorkLength(m, n),
        a,
        aOff,
        Checks.matrixEnd(aOff, m, n, lda),
        v,
        vOff,
        n);
    checkIteration(maxIter, tol);
    normalizeStart(n, v, vOff);
    // Scale-safe over float's whole range: with e = exponent of max|W_ij|, the products run on
    // 2^−e·x and 2^−e·û (û = Wx/‖Wx‖), so every entry of u and z is at most 2·√(max(m, n)) in
    // magnitude, whatever W's scale (forming WᵀWx directly overflows for |W| ≳ 1e19 and underflows
    // for |W| ≲ 1e−19); σ̂ and the residual are put back together in double.
    double maxAbs = 0;
    for (int i = 0; i < m; i++) {
      maxAbs = Math.max(maxAbs, K.maxAbs(n, a, aOff + i * lda));
    }
    if (maxAbs == 0) {
      return breakdown(0, 1);
    }
    final int e = Math.getExponent(maxAbs);
    final float down = Math.scalb(1f, -Math.max(-126, Math.min(127, e)));
    final double up = Math.scalb(1.0, Math.max(-126, Math.min(127, e)));
    int u = workOff, z = workOff + m, r = workOff + m + n; // u = 2^−e·Wx, z = 2^−e·Wᵀû
    double logSum = 0;
    for (int it = 1; ; it++) {
      K.gemv(m, n, down, a, aOff, lda, v, vOff, 0f, work, u);
      double uNorm = norm(m, work, u);
      if (!(uNorm > 0) || uNorm == Double.POSITIVE_INFINITY) {
        return breakdown(uNorm, it);
      }
      double sigma = uNorm * up; // ‖Wx‖
      normalizeInPlace(m, work, u, uNorm);
      K.gemvT(m, n, down, a, aOff, lda, work, u, 0f, work, z);
      double zNorm = norm(n, work, z); // 2^−e·‖WᵀWx‖/σ̂
      if (!(zNorm > 0) || zNorm == Double.POSITIVE_INFINITY) {
        return breakdown(zNorm, it);
      }
      logSum += Math.log(sigma) + Math.log(zNorm * up);
      // ‖WᵀWx − σ̂²x‖/σ̂ = ‖Wᵀû − σ̂·x‖ = 2^e·‖z − 2^−e·σ̂·x‖
      System.arraycopy(work, z, work, r, n);
      K.axpy(n, (float) -(sigma / up), v, vOff, work, r);
      double res = norm(n, work, r) * up;
      boolean done = res <= tol * sigma;
      if (done || it == maxIter) {
        return new SpectralEstimate(
            sigma, sigma * sigma, 0, it, res, done, Math.sqrt(Math.exp(logSum / it)));
      }
      normalizeInto(n, work, z, zNorm, v, vOff);
    }
  }

  /**
   * Spectral radius ρ(W) = max |λᵢ| of a general square matrix: power iteration q ← W·q/‖W·q‖ with
   * a Rayleigh–Ritz extraction on the Krylov space K_m(W, q) = span{q, Wq, …, W^{m−1}q}, m = min(n,
   * 8), at the first step and every m steps after (and at the last). The extraction builds an
   * orthonormal basis Q_m by Arnoldi (two Gram–Schmidt passes per vector, so Q_m is orthonormal to
   * working precision) with W·Q_m = Q_m·H_m + f·e_mᵀ, takes the eigenvalue θ of largest modulus of
   * the m×m Hessenberg H_m (QR algorithm in double) with eigenvector y, and reports the Ritz pair
   * (θ, u = Q_m·y/‖y‖) with residual ‖Wu − θu‖ = ‖f‖·|y_m|/‖y‖.
   *
   * <p>Why a Krylov space and not the iterate alone: a real non-symmetric W usually has a
   * complex-conjugate dominant pair, so the iterate never settles on one eigenvector; and random
   * matrices often have several eigenvalues of nearly the same modulus near the top. After j power
   * steps the Ritz values converge like |λ_{m+1}/λ₁|ʲ, so up to m eigenvalues of nearly equal
   * modulus (four conjugate pairs) do not slow it down.
   *
   * <p>θ is an exact eigenvalue of W − (Wu − θu)uᴴ, so by Bauer–Fike some eigenvalue λᵢ of W
   * satisfies |θ − λᵢ| ≤ κ(V)·residual, κ(V) the condition number of W's eigenvector matrix (1 for
   * normal W). When more than m eigenvalues share the top modulus (W = ρ·Q, Q orthogonal) the Ritz
   * value need not converge; {@link SpectralEstimate#growthRate()} (‖W^J x₀‖^{1/J}, exact at every
   * step for ρ·Q) is then the estimate to use.
   *
   * <p>Cost: one gemv (2n² flops) per power step, plus m − 1 gemv and O(m²n) vector work per
   * extraction, i.e. about two gemv per step on average.
   *
   * @param n order (≥ 1); W is n×n row-major at aOff with lda ≥ n
   * @param v start vector on entry (non-zero, finite); on return Re u, the real part of the unit
   *     Ritz vector
   * @param work scratch of {@link #spectralRadiusWorkLength}(n) = (m + 1)·n floats, must not
   *     overlap W or v; on return work[workOff .. workOff+n) holds Im u (zeros for real θ)
   * @param maxIter most power steps (≥ 1)
   * @param tol relative residual to stop at (≥ 0, finite): stop at the first extraction with ‖Wu −
   *     θu‖ ≤ tol·|θ|
   * @return value |θ|, eigenRe + i·eigenIm = θ, residual ‖Wu − θu‖, growthRate ‖W^J x₀‖^{1/J}
   */
  public static SpectralEstimate spectralRadius(
      int n,
      float[] a,
      int aOff,
      int lda,
      float[] v,
      int vOff,
      float[] work,
      int workOff,
      int maxIter,
      double tol) {
    checkSquare(n, a, aOff, lda, v, vOff, work, workOff, spectralRadiusWorkLength(n), maxIter, tol);
    normalizeStart(n, v, vOff);
    int m = krylovDim(n);
    int b = workOff; // W·q₁, the next power iterate
    int w = workOff + m * n; // the vector being orthogonalized
    SpectralRitz ritz = SpectralRitz.get();
    double logSum = 0;
    for (int it = 1; ; it++) {
      K.gemv(n, n, 1f, a, aOff, lda, v, vOff, 0f, work, b);
      double bNorm = norm(n, work, b);
      if (!(bNorm > 0) || bNorm == Double.POSITIVE_INFINITY) {
        return breakdown(bNorm, it);
      }
      logSum += Math.log(bNorm);
      if ((it - 1) % m == 0 || it == maxIter) {
        int dim = arnoldi(n, m, a, aOff, lda, v, vOff, work, workOff, ritz.h);
        double res;
        if (ritz.solve(dim)) {
          double f = ritz.h[dim * SpectralRitz.MAX + dim - 1]; // ‖f‖ = h_{m+1,m}
          res = f * Math.hypot(ritz.yRe[dim - 1], ritz.yIm[dim - 1]);
        } else {
          res = Double.NaN;
        }
        double modulus = Math.hypot(ritz.thetaRe, ritz.thetaIm);
        boolean done = res <= tol * modulus;
        if (done || it == maxIter) {
          writeRitzVector(n, dim, ritz, v, vOff, work, workOff);
          return new SpectralEstimate(
              modulus, ritz.thetaRe, ritz.thetaIm, it, res, done, Math.exp(logSum / it));
        }
      }
      normalizeInto(n, work, b, bNorm, v, vOff);
    }
  }

  /**
   * Arnoldi from q₁ = v (unit) with W·q₁ already in work[b]: q_{j+1} into slot j of work (slot s at
   * workOff + s·n, s = 1 … m−1), the vector being orthogonalized in slot m; H into h (row stride
   * {@link SpectralRitz#MAX}). Returns the dimension reached: m, or j &lt; m when h_{j+1,j} = 0 (q₁
   * spans an invariant subspace of dimension j, so the Ritz pairs are exact).
   */
  private static int arnoldi(
      int n,
      int m,
      float[] a,
      int aOff,
      int lda,
      float[] v,
      int vOff,
      float[] work,
      int workOff,
      double[] h) {
    int stride = SpectralRitz.MAX, w = workOff + m * n;
    java.util.Arrays.fill(h, 0);
    for (int j = 0; j < m; j++) {
      if (j == 0) {
        System.arraycopy(work, workOff, work, w, n);
      } else {
        K.gemv(n, n, 1f, a, aOff, lda, work, workOff + j * n, 0f, work, w);
      }
      // Two classical Gram–Schmidt passes against q₁ … q_{j+1}: the second restores
      // orthogonality lost to cancellation in the first ("twice is enough").
      for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i <= j; i++) {
          float[] qa = i == 0 ? v : work;
          int qo = i == 0 ? vOff : workOff + i * n;
          float c = K.dot(n, qa, qo, work, w);
          K.axpy(n, -c, qa, qo, work, w);
          h[i * stride + j] += c;
        }
      }
      double hNext = norm(n, work, w);
      h[(j + 1) * stride + j] = hNext;
      if (!(hNext > 0) || hNext == Double.POSITIVE_INFINITY) {
        return j + 1;
      }
      if (j + 1 < m) {
        normalizeInto(n, work, w, hNext, work, workOff + (j + 1) * n);
      }
    }
    return m;
  }

  /**
   * v ← Re u, work[workOff..+n) ← Im u for the unit Ritz vector u = Σⱼ yⱼqⱼ (‖y‖ = 1, q₁ = v, qⱼ in
   * work slot j−1 for j ≥ 2). Re is summed in slot 0 and Im in slot m, then moved.
   */
  private static void writeRitzVector(
      int n, int dim, SpectralRitz r, float[] v, int vOff, float[] work, int workOff) {
    int re = workOff, im = workOff + krylovDim(n) * n;
    System.arraycopy(v, vOff, work, re, n);
    K.scale(n, (float) r.yRe[0], work, re);
    System.arraycopy(v, vOff, work, im, n);
    K.scale(n, (float) r.yIm[0], work, im);
    for (int j = 1; j < dim; j++) {
      K.axpy(n, (float) r.yRe[j], work, workOff + j * n, work, re);
      K.axpy(n, (float) r.yIm[j], work, workOff + j * n, work, im);
    }
    System.arraycopy(work, re, v, vOff, n);
    System.arraycopy(work, im, work, workOff, n);
  }

  // ---- shared helpers (no allocation) ----

  private static double norm(int n, float[] x, int off) {
    return Math.sqrt(Kernels.sumOfSquares(n, x, off));
  }

  /** dst ← src/norm (norm &gt; 0 finite). */
  private static void normalizeInto(
      int n, float[] src, int srcOff, double norm, float[] dst, int dstOff) {
    System.arraycopy(src, srcOff, dst, dstOff, n);
    normalizeInPlace(n, dst, dstOff, norm);
  }

  /**
   * x ← x/norm. When 1/norm is not a normal float (norm below 2⁻¹²⁶ or above 2¹²⁶) the division
   * goes in steps: exact power-of-two scalings by 2^−e, e = exponent(norm), each factor a normal
   * float (at most 2^±126 per step: a vector of subnormals has e down to −149), then the remaining
   * factor in [1/2, 1], so no step overflows.
   */
  private static void normalizeInPlace(int n, float[] x, int off, double norm) {
    float inv = (float) (1.0 / norm);
    if (inv >= Float.MIN_NORMAL && inv < Float.POSITIVE_INFINITY) {
      K.scale(n, inv, x, off);
      return;
    }
    int e = Math.getExponent(norm);
    for (int k = -e; k != 0; ) {
      int step = Math.max(-126, Math.min(126, k));
      K.scale(n, Math.scalb(1f, step), x, off);
      k -= step;
    }
    K.scale(n, (float) (1.0 / Math.scalb(norm, -e)), x, off);
  }

  private static void normalizeStart(int n, float[] v, int vOff) {
    double s = Kernels.sumOfSquares(n, v, vOff);
    if (!(s > 0) || s == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException(
          "start vector v must be non-zero and finite, got sum of squares " + s);
    }
    normalizeInPlace(n, v, vOff, Math.sqrt(s));
  }

  private static SpectralEstimate breakdown(double norm, int it) {
    double value = norm == 0 ? 0 : Double.NaN;
    double growth = norm == 0 ? 0 : Double.NaN;
    return new SpectralEstimate(value, value, 0, it, norm == 0 ? 0 : Double.NaN, false, growth);
  }

  // ---- argument checks (all before the first write) ----

  private static void checkIteration(int maxIter, double tol) {
    Checks.positive("maxIter", maxIter);
    if (!(tol >= 0) || tol == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException("tol must be finite and >= 0, got " + tol);
    }
  }

  private static void checkSquare(
      int n,
      float[] a,
      int aOff,
      int lda,
      float[] v,
      int vOff,
      float[] work,
      int workOff,
      int workLen,
      int maxIter,
      double tol) {
    Checks.positive("n", n);
    Checks.matrix("A", a, aOff, n, n, lda);
    Checks.vector("v", v, vOff, n);
    checkWork(work, workOff, workLen, a, aOff, Checks.matrixEnd(aOff, n, n, lda), v, vOff, n);
    checkIteration(maxIter, tol);
  }

  private static void checkWork(
      float[] work,
      int workOff,
      int workLen,
      float[] a,
      int aOff,
      long aEnd,
      float[] v,
      int vOff,
      int vLen) {
    Checks.vector("work", work, workOff, workLen);
    long workEnd = (long) workOff + workLen;
    Checks.noOverlap("work", work, workOff, workEnd, "A", a, aOff, aEnd);
    Checks.noOverlap("work", work, workOff, workEnd, "v", v, vOff, (long) vOff + vLen);
    Checks.noOverlap("v", v, vOff, (long) vOff + vLen, "A", a, aOff, aEnd);
  }
}
