package dev.bptt.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.blas.Blas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Each argument check of {@link Blas} on its own: a short array, a negative size or a null
 * activation is rejected by the check that names that argument (the message starts with its name),
 * not by a later check or by the kernel's own array access, and nothing is written. Found as
 * surviving mutants of the pit profile (results/mutation/README.md): every other test that passes
 * such an argument also breaks a second one, or only checks the exception type.
 */
class BlasArgumentEdgeTest {
  private final float[] out = {1, 2, 3, 4, 5, 6, 7, 8};

  private <T extends Throwable> void rejects(Class<T> type, String name, Executable call) {
    float[] before = out.clone();
    T e = assertThrows(type, call);
    assertTrue(
        e.getMessage() != null && e.getMessage().startsWith(name),
        "message should start with '" + name + "': " + e.getMessage());
    assertArrayEquals(before, out, "written before the rejection");
  }

  private static float[] ones(int n) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, 1f);
    return a;
  }

  @Test
  void activations() {
    rejects(
        NullPointerException.class,
        "f must not be null",
        () -> Blas.activate(null, 4, ones(4), 0, out, 0));
    rejects(
        IndexOutOfBoundsException.class,
        "x:",
        () -> Blas.activate(Activation.TANH, 4, ones(2), 0, out, 0));
    rejects(
        NullPointerException.class,
        "f must not be null",
        () -> Blas.activationGrad(null, 4, ones(4), 0, ones(4), 0, out, 0));
    rejects(
        IndexOutOfBoundsException.class,
        "h:",
        () -> Blas.activationGrad(Activation.TANH, 4, ones(2), 0, ones(4), 0, out, 0));
    rejects(
        IndexOutOfBoundsException.class,
        "out:",
        () -> Blas.activationGrad(Activation.TANH, 4, ones(4), 0, ones(4), 0, out, 6));
    assertEquals(0.25, Activation.SIGMOID.derivativeBound());
    assertEquals(1.0, Activation.TANH.derivativeBound());
    assertEquals(1.0, Activation.RELU.derivativeBound());
  }

  @Test
  void level1() {
    rejects(IndexOutOfBoundsException.class, "x:", () -> Blas.axpy(4, 1f, ones(2), 0, out, 0));
    rejects(IllegalArgumentException.class, "n ", () -> Blas.norm1(-1, ones(4), 0));
    rejects(IndexOutOfBoundsException.class, "x:", () -> Blas.normInf(4, ones(2), 0));
  }

  @Test
  void level2() {
    // y = out[0 .. 2) for gemv (m = 2), A 2x3.
    rejects(
        IndexOutOfBoundsException.class,
        "x:",
        () -> Blas.gemv(2, 3, 1f, ones(6), 0, 3, ones(2), 0, 0f, out, 0));
    rejects(
        IllegalArgumentException.class,
        "m ",
        () -> Blas.gemvT(-1, 3, 1f, ones(6), 0, 3, ones(2), 0, 0f, out, 0));
    rejects(
        IllegalArgumentException.class,
        "n ",
        () -> Blas.gemvT(2, -1, 1f, ones(6), 0, 3, ones(2), 0, 0f, out, 0));
    // ger writes A = out (2x3, lda 3).
    rejects(
        IllegalArgumentException.class,
        "n ",
        () -> Blas.ger(2, -1, 1f, ones(2), 0, ones(3), 0, out, 0, 3));
    rejects(
        IndexOutOfBoundsException.class,
        "x:",
        () -> Blas.ger(2, 3, 1f, ones(1), 0, ones(3), 0, out, 0, 3));
    rejects(
        IndexOutOfBoundsException.class,
        "y:",
        () -> Blas.ger(2, 3, 1f, ones(2), 0, ones(2), 0, out, 0, 3));
  }
}
