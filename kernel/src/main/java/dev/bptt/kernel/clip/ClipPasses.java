package dev.bptt.kernel.clip;

import dev.bptt.kernel.internal.BlasSupport;
import dev.bptt.kernel.internal.Kernels;
import java.util.Arrays;

/**
 * The passes every clipping mode is built from, unchecked: a norm partial per view, one multiply, a
 * clamp, a fill, and the search for the first non-finite entry. None allocates (but the exception
 * the search builds).
 */
final class ClipPasses {
  private static final BlasSupport IMPL = Kernels.blas();

  private ClipPasses() {}

  /**
   * The view's partial, in double: Σxᵢ² (L2), Σ|xᵢ| (L1) or max|xᵢ| (L∞). Overflow-safe (a float
   * pass redone in double when it overflows), so the partial is non-finite if and only if the view
   * holds a NaN or ±∞. The sums are blocked ({@link GradientClipper#NORM_BLOCK} entries in float,
   * block sums in double, in order; see {@code Kernels.REDUCTION_BLOCK}): the float error bound is
   * that of one block, γ_B(u), whatever the view's length.
   */
  static double partial(NormType type, float[] a, int off, int n) {
    return switch (type) {
      case LINF -> IMPL.maxAbs(n, a, off);
      case L2 -> Kernels.sumOfSquares(n, a, off);
      case L1 -> Kernels.norm1(n, a, off);
    };
  }

  /**
   * Adds a partial to the running total in view order: + for L2 and L1, max for L∞ (NaN stays NaN).
   */
  static double combine(NormType type, double acc, double partial) {
    return type == NormType.LINF ? Math.max(acc, partial) : acc + partial;
  }

  /** The norm a combined partial stands for: √ for L2, itself otherwise. */
  static double norm(NormType type, double partial) {
    return type == NormType.L2 ? Math.sqrt(partial) : partial;
  }

  /**
   * x ← fl(factor·x) over n entries; nothing is written when the factor rounds to exactly 1f. A
   * factor below the normal float range would lose its significant bits if rounded to float first,
   * so that (rare: huge norms) case multiplies in double and rounds each entry once.
   */
  static void multiply(float[] a, int off, int n, double factor) {
    float f = (float) factor;
    if (f == 1f) {
      return;
    }
    if (factor == 0 || factor >= Float.MIN_NORMAL) {
      IMPL.scale(n, f, a, off);
      return;
    }
    for (int i = off, end = off + n; i < end; i++) {
      a[i] = (float) (a[i] * factor);
    }
  }

  /**
   * x ← min(max(fl(x·mul), −c), c) over n entries (the kernel's clamp: compare and blend in the
   * Vector API twin, faster than C2's auto-vectorized Math.min/max loop).
   */
  static void clamp(float[] a, int off, int n, float mul, float c) {
    IMPL.clamp(n, mul, c, a, off);
  }

  /** Sets every entry of every view to v. */
  static void fill(TensorSet set, float v) {
    for (int i = 0, k = set.viewCount(); i < k; i++) {
      TensorView view = set.view(i);
      Arrays.fill(view.array(), view.offset(), view.offset() + view.length(), v);
    }
  }

  /**
   * The exception naming the first NaN or ±∞ entry, views in order; the caller knows one exists (a
   * non-finite partial).
   */
  static NonFiniteGradientException firstNonFinite(TensorSet set) {
    for (int i = 0, k = set.viewCount(); i < k; i++) {
      TensorView view = set.view(i);
      float[] a = view.array();
      for (int j = 0, n = view.length(); j < n; j++) {
        float x = a[view.offset() + j];
        if (!Float.isFinite(x)) {
          return new NonFiniteGradientException(view.name(), i, j, view.offset() + j, x);
        }
      }
    }
    throw new IllegalStateException("a non-finite norm was computed but every entry is finite");
  }
}
