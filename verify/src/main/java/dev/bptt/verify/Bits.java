package dev.bptt.verify;

/** Bitwise comparison of float arrays (raw bits: −0 ≠ +0, NaN payloads count). */
public final class Bits {
  private Bits() {}

  /** Null if a and b have the same length and raw bits everywhere, else a message. */
  public static String same(String what, float[] got, float[] expected) {
    if (got.length != expected.length) {
      return what + ": length " + got.length + " != " + expected.length;
    }
    for (int i = 0; i < got.length; i++) {
      if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(expected[i])) {
        return what + "[" + i + "]: got " + got[i] + ", expected exactly " + expected[i];
      }
    }
    return null;
  }

  /** The first non-null message, or null. */
  public static String first(String... messages) {
    for (String m : messages) {
      if (m != null) {
        return m;
      }
    }
    return null;
  }
}
