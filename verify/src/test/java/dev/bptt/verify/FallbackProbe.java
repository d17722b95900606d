package dev.bptt.verify;

import dev.bptt.kernel.blas.Blas;

/** Run in a child JVM by {@link FallbackTest}: prints the kernel implementation and a norm. */
public final class FallbackProbe {
  private FallbackProbe() {}

  public static void main(String[] args) {
    float[] x = {3f, 4f};
    System.out.println(Blas.implementation() + " " + Blas.norm2(2, x, 0));
  }
}
