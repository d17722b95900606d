package dev.bptt.kernel.clip;

/**
 * Thrown by a clip under {@link NonFinitePolicy#THROW} when the gradient holds a NaN or ±∞. It
 * names the first offending entry (views in set order, entries in order); the gradient was not
 * modified.
 */
public final class NonFiniteGradientException extends ArithmeticException {
  private static final long serialVersionUID = 1L;

  private final String viewName;
  private final int viewIndex;
  private final int elementIndex;
  private final int arrayIndex;
  private final float value;

  /**
   * @param viewName name of the view holding the entry
   * @param viewIndex position of that view in the set
   * @param elementIndex index of the entry inside the view (row·cols + col)
   * @param arrayIndex index of the entry in the backing array (offset + elementIndex)
   * @param value the entry: NaN, +∞ or −∞
   */
  public NonFiniteGradientException(
      String viewName, int viewIndex, int elementIndex, int arrayIndex, float value) {
    super(
        "non-finite gradient: view '"
            + viewName
            + "' (#"
            + viewIndex
            + ") holds "
            + value
            + " at element "
            + elementIndex
            + " (array index "
            + arrayIndex
            + "); nothing was modified");
    this.viewName = viewName;
    this.viewIndex = viewIndex;
    this.elementIndex = elementIndex;
    this.arrayIndex = arrayIndex;
    this.value = value;
  }

  /** Name of the view holding the first non-finite entry. */
  public String viewName() {
    return viewName;
  }

  /** Position of that view in the set (0-based). */
  public int viewIndex() {
    return viewIndex;
  }

  /** Index of the entry within its view (0-based, row-major). */
  public int elementIndex() {
    return elementIndex;
  }

  /** Index of the entry in the backing array. */
  public int arrayIndex() {
    return arrayIndex;
  }

  /** The offending value: NaN, +∞ or −∞. */
  public float value() {
    return value;
  }
}
