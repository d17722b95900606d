package dev.bptt.bench;

import java.util.SplittableRandom;

/** Seeded benchmark inputs, so that every fork and every implementation sees the same data. */
public final class Inputs {
  private Inputs() {}

  /**
   * {@code length} floats uniform in [-1, 1) from {@code new SplittableRandom(seed)}: no zeros or
   * subnormals to speak of, and magnitudes for which no kernel here can overflow.
   */
  public static float[] uniform(long seed, int length) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] v = new float[length];
    for (int i = 0; i < length; i++) {
      v[i] = (float) (2 * rnd.nextDouble() - 1);
    }
    return v;
  }
}
