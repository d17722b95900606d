package dev.bptt.kernel.clip;

import dev.bptt.kernel.internal.Checks;
import java.util.List;
import java.util.Objects;

/**
 * An immutable ordered group of views that clipping treats as one vector (the set of all parameter
 * gradients of a model, or the named views of one flat buffer). No two views may share an entry: an
 * entry counted twice would distort the norm and be scaled twice.
 */
public final class TensorGroup implements TensorSet {
  private final TensorView[] views;

  private TensorGroup(TensorView[] views) {
    this.views = views;
  }

  /**
   * A group of the given views, in order.
   *
   * @throws NullPointerException if the array or a view is null
   * @throws IllegalArgumentException if two views share an entry (names both and their ranges)
   */
  public static TensorGroup of(TensorView... views) {
    Checks.notNull("views", views);
    TensorView[] copy = views.clone();
    for (int i = 0; i < copy.length; i++) {
      Checks.notNull("views[" + i + "]", copy[i]);
      // Pairwise, once per group: O(k²) reference comparisons at construction, none per call.
      for (int j = 0; j < i; j++) {
        if (copy[i].overlaps(copy[j])) {
          throw new IllegalArgumentException(
              "views '"
                  + copy[j].name()
                  + "' ["
                  + copy[j].offset()
                  + ", "
                  + (copy[j].offset() + copy[j].length())
                  + ") and '"
                  + copy[i].name()
                  + "' ["
                  + copy[i].offset()
                  + ", "
                  + (copy[i].offset() + copy[i].length())
                  + ") overlap in the same array");
        }
      }
    }
    return new TensorGroup(copy);
  }

  /** A group of the views of a list, in order (see {@link #of(TensorView...)}). */
  public static TensorGroup of(List<TensorView> views) {
    Checks.notNull("views", views);
    return of(views.toArray(new TensorView[0]));
  }

  /**
   * The same views (names, offsets, shapes, AGC flags) on another array: the weights that match a
   * gradient group laid out in one flat array, e.g. {@code grads.on(params)}.
   */
  public TensorGroup on(float[] other) {
    TensorView[] mapped = new TensorView[views.length];
    for (int i = 0; i < views.length; i++) {
      mapped[i] = views[i].on(other);
    }
    return of(mapped);
  }

  /** Number of views k. */
  @Override
  public int viewCount() {
    return views.length;
  }

  /** View i (0 ≤ i &lt; k). */
  @Override
  public TensorView view(int i) {
    return views[Objects.checkIndex(i, views.length)];
  }

  /** The views in order, as an unmodifiable list. */
  public List<TensorView> views() {
    return List.of(views);
  }

  /** Total number of entries Σ rowsᵥ·colsᵥ over the views. */
  public long totalLength() {
    long n = 0;
    for (TensorView v : views) {
      n += v.length();
    }
    return n;
  }

  /** The views, in order. */
  @Override
  public String toString() {
    return "TensorGroup" + List.of(views);
  }
}
