package dev.bptt.verify;

import java.util.Arrays;

/**
 * Canary-padded buffers. Every element a kernel may not touch (before the offset, after the end,
 * the ld − cols gap after each row) holds {@link #CANARY}, a NaN with a payload: a kernel that
 * reads padding into a result turns it into NaN (caught by the value checks), and one that writes
 * padding changes its bits (caught by {@link #untouchedOutside}).
 */
final class Padded {
  private Padded() {}

  /** Quiet NaN with a recognisable payload. */
  static final float CANARY = Float.intBitsToFloat(0x7fc0c0de);

  /** Canary elements after the last used one. */
  private static final int TAIL = 5;

  /** A vector of n values scale·U(−1, 1) at {@code off}, canaries around it. */
  static float[] vector(Gen g, int off, int n, float scale) {
    return matrix(g, off, 1, n, Math.max(1, n), scale);
  }

  /**
   * A rows×cols matrix of values scale·U(−1, 1) at {@code off} with leading dimension ld, canaries
   * elsewhere.
   */
  static float[] matrix(Gen g, int off, int rows, int cols, int ld, float scale) {
    float[] a = new float[(int) end(off, rows, cols, ld) + TAIL];
    Arrays.fill(a, CANARY);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        a[off + i * ld + j] = scale * g.unit();
      }
    }
    return a;
  }

  /** One past the last element of the matrix (off when it is empty). */
  static long end(int off, int rows, int cols, int ld) {
    return rows == 0 || cols == 0 ? off : off + (long) (rows - 1) * ld + cols;
  }

  /**
   * Null if every element of {@code after} outside the rows×cols matrix at off (leading dimension
   * ld) has the bits it had in {@code before}, else a message naming the first one.
   */
  static String untouchedOutside(
      String name, float[] before, float[] after, int off, int rows, int cols, int ld) {
    for (int idx = 0; idx < before.length; idx++) {
      int rel = idx - off;
      boolean inside = rel >= 0 && cols > 0 && rel / ld < rows && rel % ld < cols;
      if (!inside && Float.floatToRawIntBits(before[idx]) != Float.floatToRawIntBits(after[idx])) {
        return name
            + "["
            + idx
            + "] outside the output was written: "
            + before[idx]
            + " -> "
            + after[idx];
      }
    }
    return null;
  }

  /**
   * Null if the two arrays have the same bits everywhere, else a message naming the first
   * difference.
   */
  static String unchanged(String name, float[] before, float[] after) {
    for (int idx = 0; idx < before.length; idx++) {
      if (Float.floatToRawIntBits(before[idx]) != Float.floatToRawIntBits(after[idx])) {
        return name + "[" + idx + "] changed: " + before[idx] + " -> " + after[idx];
      }
    }
    return null;
  }
}
