package dev.bptt.verify.readme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.blas.Transpose;
import org.junit.jupiter.api.Test;

/**
 * The README's kernel example, compiled and run; {@link ReadmeSnippetsTest} checks README shows it
 * verbatim.
 */
class BlasExampleTest {

  @Test
  void example() {
    // README-EXAMPLE-BEGIN blas
    // y = W·x + b for a 3×4 row-major W (leading dimension 4), then h = tanh(y), in place.
    float[] w = {
      1, 0, 0, 0,
      0, 2, 0, 0,
      0, 0, 0, 1
    };
    float[] x = {0.5f, 0.25f, 9f, -0.5f};
    float[] h = {0.1f, 0.2f, 0.3f}; // starts as the bias b
    Blas.gemv(3, 4, 1f, w, 0, 4, x, 0, 1f, h, 0); // h ← 1·W·x + 1·h
    Blas.activate(Activation.TANH, 3, h, 0, h, 0);
    double norm = Blas.norm2(3, h, 0); // overflow-safe ‖h‖₂, as a double

    // C = Aᵀ·B (2×2) from A (3×2) and B (3×2), no transposed copy: the weight-gradient shape.
    float[] a = {1, 2, 3, 4, 5, 6};
    float[] b = {1, 0, 0, 1, 1, 1};
    float[] c = new float[4];
    Blas.gemm(Transpose.T, Transpose.N, 2, 2, 3, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
    // README-EXAMPLE-END blas

    float[] expectH = {(float) Math.tanh(0.6), (float) Math.tanh(0.7), (float) Math.tanh(-0.2)};
    // TANH is within 2 ulp of (float) Math.tanh (Blas.activate's contract); 2 ulp at |h| < 1 is <
    // 2^-23.
    for (int i = 0; i < 3; i++) {
      assertEquals(expectH[i], h[i], 2 * Math.ulp(expectH[i]), "h[" + i + "]");
    }
    double expectNorm =
        Math.sqrt(
            expectH[0] * (double) expectH[0]
                + expectH[1] * (double) expectH[1]
                + expectH[2] * (double) expectH[2]);
    assertEquals(expectNorm, norm, 1e-6 * expectNorm);
    // Small integers: every product and sum is exact in float.
    assertArrayEquals(new float[] {1 + 5, 3 + 5, 2 + 6, 4 + 6}, c);
  }
}
