package dev.bptt.kernel.internal;

/**
 * Argument checks shared by every public entry point. Each throws before anything is written, with
 * a message that names the argument and the values.
 */
public final class Checks {
  private Checks() {}

  /** Throws if {@code value < 1}: "name must be >= 1, got value". */
  public static void positive(String name, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }
  }

  /** Throws if the array is null or shorter than {@code n}: "name has length L &lt; what=n". */
  public static void atLeast(String name, float[] array, String what, long n) {
    notNull(name, array);
    if (array.length < n) {
      throw new IllegalArgumentException(
          name + " has length " + array.length + " < " + what + "=" + n);
    }
  }

  /** Throws if {@code value < 0}. */
  public static void nonNegative(String name, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, got " + value);
    }
  }

  /**
   * Throws if the argument is null. A plain branch, not {@code Objects.requireNonNull} with a
   * message supplier: the capturing lambda was not always scalar-replaced and allocated 16 B per
   * check in hot kernels.
   */
  public static void notNull(String name, Object value) {
    if (value == null) {
      throw new NullPointerException(name + " must not be null");
    }
  }

  /**
   * Checks that the vector {@code array[off .. off + n)} fits the array.
   *
   * @throws NullPointerException if array is null
   * @throws IndexOutOfBoundsException if it does not fit
   */
  public static void vector(String name, float[] array, int off, long n) {
    notNull(name, array);
    if (off < 0 || (long) off + n > array.length) {
      throw new IndexOutOfBoundsException(
          name
              + ": offset "
              + off
              + " + length "
              + n
              + " does not fit array of length "
              + array.length);
    }
  }

  /**
   * Checks a row-major rows×cols matrix at {@code off} with leading dimension {@code ld}: {@code ld
   * >= max(1, cols)} and the last element {@code off + (rows-1)·ld + cols - 1} fits.
   */
  public static void matrix(String name, float[] array, int off, int rows, int cols, int ld) {
    notNull(name, array);
    if (ld < Math.max(1, cols)) {
      throw new IllegalArgumentException(
          "ld" + name + " must be >= max(1, cols=" + cols + "), got " + ld);
    }
    if (off < 0) {
      throw new IndexOutOfBoundsException(name + ": offset must be >= 0, got " + off);
    }
    long end = rows == 0 || cols == 0 ? off : off + (long) (rows - 1) * ld + cols;
    if (end > array.length) {
      throw new IndexOutOfBoundsException(
          name
              + ": "
              + rows
              + "x"
              + cols
              + " matrix at offset "
              + off
              + " with ld "
              + ld
              + " needs "
              + end
              + " elements, array has "
              + array.length);
    }
  }

  /**
   * Throws if the element ranges [aOff, aEnd) of a and [bOff, bEnd) of b share memory (same array,
   * intersecting ranges). Empty ranges never overlap.
   */
  public static void noOverlap(
      String aName, float[] a, int aOff, long aEnd, String bName, float[] b, int bOff, long bEnd) {
    if (a == b && aOff < aEnd && bOff < bEnd && aOff < bEnd && bOff < aEnd) {
      throw new IllegalArgumentException(
          aName
              + " ["
              + aOff
              + ", "
              + aEnd
              + ") and "
              + bName
              + " ["
              + bOff
              + ", "
              + bEnd
              + ") overlap in the same array; the kernel would read what it has written");
    }
  }

  /** Element range end of a row-major rows×cols matrix (exclusive): off + (rows−1)·ld + cols. */
  public static long matrixEnd(int off, int rows, int cols, int ld) {
    return rows == 0 || cols == 0 ? off : off + (long) (rows - 1) * ld + cols;
  }

  /** Throws if two vectors of length n partially overlap (exact aliasing is allowed). */
  public static void exactOrNoOverlap(
      String aName, float[] a, int aOff, String bName, float[] b, int bOff, int n) {
    if (a == b && aOff != bOff) {
      noOverlap(aName, a, aOff, (long) aOff + n, bName, b, bOff, (long) bOff + n);
    }
  }
}
