package dev.bptt.verify;

import java.util.SplittableRandom;

/**
 * Seeded generators that favour the edges: sizes 0, 1, lane−1, lane, lane+1, 4·lane±1, 2·lane·4+3
 * and large; offsets; magnitudes from 1e-30 to 1e30 with mixed signs; the special scalars 0, 1, −1.
 */
public final class Gen {
  private final SplittableRandom rnd;

  /** Lane counts the edge sizes are built around: 4 (128-bit), 8 (256-bit), 16 (512-bit). */
  private static final int[] LANES = {4, 8, 16};

  public Gen(long seed) {
    this.rnd = new SplittableRandom(seed);
  }

  public SplittableRandom random() {
    return rnd;
  }

  /** A size from the edge list (for some lane count L) or uniform in [0, max]. */
  public int size(int max) {
    int l = LANES[rnd.nextInt(LANES.length)];
    int[] edges = {0, 1, l - 1, l, l + 1, 4 * l - 1, 4 * l + 1, 2 * l * 4 + 3, 2 * l, 3 * l + 2};
    int s = rnd.nextInt(3) == 0 ? rnd.nextInt(max + 1) : edges[rnd.nextInt(edges.length)];
    return Math.min(s, max);
  }

  /** A size in [lo, max] favouring edges, for callers that need at least lo. */
  public int size(int lo, int max) {
    return Math.max(lo, size(max));
  }

  /** An offset: 0 half of the time, else in [1, 17]. */
  public int offset() {
    return rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(17);
  }

  /** A leading dimension ≥ cols (equal half of the time). */
  public int ld(int cols) {
    return rnd.nextBoolean() ? Math.max(1, cols) : Math.max(1, cols) + 1 + rnd.nextInt(9);
  }

  /** A scalar from {0, 1, −1, uniform(−2, 2)}. */
  public float scalar() {
    return switch (rnd.nextInt(4)) {
      case 0 -> 0f;
      case 1 -> 1f;
      case 2 -> -1f;
      default -> (float) (rnd.nextDouble() * 4 - 2);
    };
  }

  /** Uniform in (−1, 1). */
  public float unit() {
    return (float) (rnd.nextDouble() * 2 - 1);
  }

  /**
   * A magnitude scale for a whole case: 1 most of the time, else 10^e with e in [−30, 30], so tests
   * cover tiny and huge (but not overflowing) values.
   */
  public float scaleExp() {
    return rnd.nextInt(3) == 0 ? (float) Math.pow(10, rnd.nextInt(61) - 30) : 1f;
  }

  /**
   * A size that is large (uniform in [largeMin, largeMax]) one time in eight, else {@link
   * #size(int) size(max)}: large cases cross the blocking and unrolling thresholds.
   */
  public int sizeOrLarge(int max, int largeMin, int largeMax) {
    return rnd.nextInt(8) == 0 ? largeMin + rnd.nextInt(largeMax - largeMin + 1) : size(max);
  }

  /**
   * Scales for the two factors of a product: each 10^e with e in [−30, 30] (or 1), chosen so the
   * product scale stays within 10^±30 and sums of products cannot overflow a float.
   */
  public float[] scalePair() {
    int e1 = rnd.nextInt(3) == 0 ? rnd.nextInt(61) - 30 : 0;
    int lo = Math.max(-30, -30 - e1), hi = Math.min(30, 30 - e1);
    int e2 = rnd.nextInt(3) == 0 ? lo + rnd.nextInt(hi - lo + 1) : 0;
    return new float[] {(float) Math.pow(10, e1), (float) Math.pow(10, e2)};
  }

  /**
   * An array of length len filled with scale·U(−1, 1) (mixed signs), canary-filled padding is the
   * caller's.
   */
  public float[] array(int len, float scale) {
    float[] a = new float[len];
    for (int i = 0; i < len; i++) {
      a[i] = scale * unit();
    }
    return a;
  }
}
