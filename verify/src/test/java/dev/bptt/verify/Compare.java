package dev.bptt.verify;

import java.util.function.IntToDoubleFunction;

/** Element-wise comparison of kernel outputs with references; returns a failure message or null. */
final class Compare {
  private Compare() {}

  /**
   * Checks |got(i, j) − expected[i·cols + j]| ≤ bound(i·cols + j) for the rows×cols matrix at off
   * (leading dimension ld) of {@code got}. A NaN or infinite expected value must be matched exactly
   * (NaN by NaN, ∞ by the same ∞); a NaN output never passes otherwise.
   */
  static String within(
      String what,
      float[] got,
      int off,
      int rows,
      int cols,
      int ld,
      double[] expected,
      IntToDoubleFunction bound) {
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        int e = i * cols + j;
        String msg =
            within(
                what + "(" + i + "," + j + ")",
                got[off + i * ld + j],
                expected[e],
                bound.applyAsDouble(e));
        if (msg != null) {
          return msg;
        }
      }
    }
    return null;
  }

  /** The same for one value. */
  static String within(String what, double got, double expected, double bound) {
    if (Double.isNaN(expected) || Double.isInfinite(expected)) {
      return Double.compare(got, expected) == 0 || (Double.isNaN(got) && Double.isNaN(expected))
          ? null
          : what + ": got " + got + ", expected " + expected;
    }
    double err = Math.abs(got - expected);
    return err <= bound
        ? null
        : what
            + ": got "
            + got
            + ", expected "
            + expected
            + ", |error| "
            + err
            + " > bound "
            + bound;
  }

  /** Bitwise equality up to NaN payloads ({@link Float#floatToIntBits}): −0 and +0 differ. */
  static String same(String what, float[] got, int gotOff, float[] expected, int expOff, int n) {
    for (int i = 0; i < n; i++) {
      float a = got[gotOff + i], b = expected[expOff + i];
      if (Float.floatToIntBits(a) != Float.floatToIntBits(b)) {
        return what + "[" + i + "]: got " + a + ", expected exactly " + b;
      }
    }
    return null;
  }

  /** The first non-null message, or null. */
  static String first(String... messages) {
    for (String m : messages) {
      if (m != null) {
        return m;
      }
    }
    return null;
  }
}
