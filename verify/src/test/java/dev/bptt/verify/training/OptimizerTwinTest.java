package dev.bptt.verify.training;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bptt.kernel.internal.OptimizerSupport;
import dev.bptt.kernel.internal.VectorizationProvider;
import dev.bptt.verify.Gen;
import dev.bptt.verify.Shrink;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Vector API optimizer passes and their scalar twins, in one JVM, on the same inputs: both
 * perform the same float operations in the same order, so they must agree bitwise (θ and every
 * state buffer), at any offset and length, with every flag. Skipped without the Vector API.
 */
class OptimizerTwinTest {
  private static OptimizerSupport scalar;
  private static OptimizerSupport panama;

  @BeforeAll
  static void twins() {
    scalar = VectorizationProvider.scalar().optimizers();
    panama = VectorizationProvider.panama().map(VectorizationProvider::optimizers).orElse(null);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("dev.bptt.verify.Seeds#seeds")
  void twinsAgreeBitwise(long seed) {
    assumeTrue(panama != null, "Vector API absent: no Panama twin to compare");
    Gen gen = new Gen(seed);
    int n = gen.sizeOrLarge(200, 1000, 4000);
    Shrink.check(seed, new int[] {n}, d -> check(seed, d[0]));
  }

  private static String check(long seed, int n) {
    Gen gen = new Gen(~seed);
    SplittableRandom rnd = gen.random();
    int off = gen.offset();
    int len = off + n + gen.offset();
    float[][] a = new float[6][];
    for (int k = 0; k < 6; k++) {
      a[k] = gen.array(len, k == 0 ? 1f : k == 1 ? gen.scaleExp() : 0.5f);
      if (k >= 3) {
        for (int i = 0; i < len; i++) {
          a[k][i] = Math.abs(a[k][i]); // second moments are non-negative
        }
      }
    }
    float[][] b = new float[6][];
    for (int k = 0; k < 6; k++) {
      b[k] = a[k].clone();
    }
    float lr = 0.01f, keep = rnd.nextBoolean() ? 1f : 0.999f;
    float l2 = rnd.nextBoolean() ? 0f : 0.01f, l1 = rnd.nextBoolean() ? 0f : 1e-3f;
    int kind = rnd.nextInt(3);
    String what;
    switch (kind) {
      case 0 -> {
        int mode = rnd.nextInt(3);
        boolean nest = rnd.nextBoolean();
        what = "sgd mode=" + mode + " nesterov=" + nest;
        scalar.sgd(n, a[0], a[1], a[2], off, lr, keep, l2, l1, 0.9f, 0.9f, mode, nest);
        panama.sgd(n, b[0], b[1], b[2], off, lr, keep, l2, l1, 0.9f, 0.9f, mode, nest);
      }
      case 1 -> {
        boolean ams = rnd.nextBoolean();
        what = "adam amsgrad=" + ams;
        scalar.adam(
            n,
            a[0],
            a[1],
            a[2],
            a[3],
            ams ? a[4] : null,
            off,
            0.01f,
            1.2f,
            1e-8f,
            0.9f,
            0.1f,
            0.999f,
            0.001f,
            keep,
            l2,
            l1);
        panama.adam(
            n,
            b[0],
            b[1],
            b[2],
            b[3],
            ams ? b[4] : null,
            off,
            0.01f,
            1.2f,
            1e-8f,
            0.9f,
            0.1f,
            0.999f,
            0.001f,
            keep,
            l2,
            l1);
      }
      default -> {
        boolean centered = rnd.nextBoolean(), mom = rnd.nextBoolean();
        what = "rmsprop centered=" + centered + " momentum=" + mom;
        scalar.rmsprop(
            n,
            a[0],
            a[1],
            a[3],
            centered ? a[2] : null,
            mom ? a[5] : null,
            off,
            lr,
            0.99f,
            0.01f,
            1e-8f,
            0.9f,
            keep,
            l2,
            l1);
        panama.rmsprop(
            n,
            b[0],
            b[1],
            b[3],
            centered ? b[2] : null,
            mom ? b[5] : null,
            off,
            lr,
            0.99f,
            0.01f,
            1e-8f,
            0.9f,
            keep,
            l2,
            l1);
      }
    }
    for (int k = 0; k < 6; k++) {
      for (int i = 0; i < len; i++) {
        if (Float.floatToIntBits(a[k][i]) != Float.floatToIntBits(b[k][i])) {
          return what
              + " n="
              + n
              + " off="
              + off
              + ": buffer "
              + k
              + "["
              + i
              + "] scalar "
              + a[k][i]
              + " vs panama "
              + b[k][i];
        }
      }
    }
    return null;
  }
}
