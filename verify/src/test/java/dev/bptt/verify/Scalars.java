package dev.bptt.verify;

import java.util.Arrays;

/**
 * The (α, β) regimes of the level-2/3 properties. RANDOM draws both from {0, 1, −1, U(−2, 2)}; the
 * other two force the BLAS conventions: β = 0 with the old output all NaN (it must not be read),
 * and α = 0, β = 1 (the output must come back with the same bits; one element is −0 so that adding
 * a +0 product would show).
 */
enum Scalars {
  RANDOM,
  BETA_ZERO_NAN_OUTPUT,
  ALPHA_ZERO_BETA_ONE;

  float alpha(Gen g) {
    return this == ALPHA_ZERO_BETA_ONE ? 0f : g.scalar();
  }

  float beta(Gen g) {
    return switch (this) {
      case RANDOM -> g.scalar();
      case BETA_ZERO_NAN_OUTPUT -> 0f;
      case ALPHA_ZERO_BETA_ONE -> 1f;
    };
  }

  /** Prepares the old output (rows×cols at off, leading dimension ld) for this regime. */
  void prepareOutput(Gen g, float[] out, int off, int rows, int cols, int ld) {
    if (rows == 0 || cols == 0) {
      return;
    }
    if (this == BETA_ZERO_NAN_OUTPUT) {
      for (int i = 0; i < rows; i++) {
        Arrays.fill(out, off + i * ld, off + i * ld + cols, Float.NaN);
      }
    } else if (this == ALPHA_ZERO_BETA_ONE) {
      out[off + g.random().nextInt(rows) * ld + g.random().nextInt(cols)] = -0f;
    }
  }
}
