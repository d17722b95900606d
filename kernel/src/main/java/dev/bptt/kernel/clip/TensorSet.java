package dev.bptt.kernel.clip;

/**
 * An ordered set of non-overlapping {@link TensorView}s that a clip treats as one vector: a single
 * view, or a {@link TensorGroup}. Immutable, so validation done at construction holds for every
 * later call.
 */
public sealed interface TensorSet permits TensorView, TensorGroup {

  /** Number of views k ≥ 0. */
  int viewCount();

  /**
   * View i in set order (0 ≤ i &lt; k); reductions and the search for the first non-finite entry
   * follow this order.
   *
   * @throws IndexOutOfBoundsException if i is not in [0, k)
   */
  TensorView view(int i);
}
