package dev.bptt.kernel.clip;

import dev.bptt.kernel.internal.Checks;
import java.util.Objects;

/**
 * A named rows×cols block of a flat {@code float[]}: entries {@code array[offset .. offset +
 * rows·cols)}, row-major with ld = cols. A gradient (or weight) tensor for clipping; its rows are
 * the units of adaptive clipping (a vector is one row, so AGC uses its whole norm). The view holds
 * the array by reference: clipping writes through it.
 *
 * <p>All components are checked on construction; since an array's length never changes, a view that
 * was valid once stays valid.
 *
 * @param name label used in messages and exceptions (e.g. {@code "W_hh"})
 * @param array the backing array
 * @param offset index of entry (0, 0), ≥ 0
 * @param rows number of rows (AGC units), ≥ 0
 * @param cols entries per row, ≥ 0
 * @param adaptiveClipping false to exempt this view from adaptive (AGC) clipping, as NFNets exempt
 *     the final classifier; every other clip ignores it
 */
public record TensorView(
    String name, float[] array, int offset, int rows, int cols, boolean adaptiveClipping)
    implements TensorSet {

  /** Validates: non-null name and array, non-negative sizes, rows·cols entries fit at offset. */
  public TensorView {
    Checks.notNull("name", name);
    Checks.notNull("array of view '" + name + "'", array);
    Checks.nonNegative("rows of view '" + name + "'", rows);
    Checks.nonNegative("cols of view '" + name + "'", cols);
    long len = (long) rows * cols;
    if (offset < 0 || offset + len > array.length) {
      throw new IndexOutOfBoundsException(
          "view '"
              + name
              + "': "
              + rows
              + "x"
              + cols
              + " at offset "
              + offset
              + " does not fit array of length "
              + array.length);
    }
  }

  /** The whole array as one vector view named {@code "grad"}: 1×{@code array.length} at 0. */
  public static TensorView of(float[] array) {
    Checks.notNull("array", array);
    return new TensorView("grad", array, 0, 1, array.length, true);
  }

  /** A vector view: 1×length at offset (AGC treats it as one unit). */
  public static TensorView vector(String name, float[] array, int offset, int length) {
    return new TensorView(name, array, offset, 1, length, true);
  }

  /** A rows×cols row-major matrix view at offset (AGC clips each row on its own). */
  public static TensorView matrix(String name, float[] array, int offset, int rows, int cols) {
    return new TensorView(name, array, offset, rows, cols, true);
  }

  /** Number of entries, rows·cols. */
  public int length() {
    return rows * cols;
  }

  /** This view with {@code adaptiveClipping = false}: AGC leaves it unclipped. */
  public TensorView withoutAdaptiveClipping() {
    return new TensorView(name, array, offset, rows, cols, false);
  }

  /**
   * The same name, offset, shape and AGC flag on another array, e.g. the weights that match this
   * gradient view in a second array with the same layout.
   */
  public TensorView on(float[] other) {
    return new TensorView(name, other, offset, rows, cols, adaptiveClipping);
  }

  /** True when this view and {@code other} share at least one entry of the same array. */
  public boolean overlaps(TensorView other) {
    Checks.notNull("other", other);
    return array == other.array
        && length() > 0
        && other.length() > 0
        && offset < (long) other.offset + other.length()
        && other.offset < (long) offset + length();
  }

  /** 1: a view is a set of one. */
  @Override
  public int viewCount() {
    return 1;
  }

  /** This view, for i = 0. */
  @Override
  public TensorView view(int i) {
    Objects.checkIndex(i, 1);
    return this;
  }

  /** Name, shape and range; not the array contents. */
  @Override
  public String toString() {
    return "TensorView["
        + name
        + " "
        + rows
        + "x"
        + cols
        + " at "
        + offset
        + (adaptiveClipping ? "" : ", no AGC")
        + "]";
  }
}
