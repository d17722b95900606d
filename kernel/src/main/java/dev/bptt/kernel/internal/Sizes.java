package dev.bptt.kernel.internal;

/**
 * Buffer-size arithmetic in long, refused with a message naming the sizes when no array can hold
 * it.
 */
public final class Sizes {
  /** The largest array length every JVM allocates. */
  public static final int MAX_ARRAY = Integer.MAX_VALUE - 16;

  private Sizes() {}

  /** a·b·c as an array length, or IllegalArgumentException naming the buffer and the sizes. */
  public static int floats(String buffer, long a, long b, long c) {
    long n;
    try {
      n = Math.multiplyExact(Math.multiplyExact(a, b), c);
    } catch (ArithmeticException e) {
      n = Long.MAX_VALUE;
    }
    if (n > MAX_ARRAY) {
      throw new IllegalArgumentException(
          buffer + " need " + a + "·" + b + "·" + c + " floats, more than an array holds");
    }
    return (int) n;
  }
}
