package dev.bptt.verify;

import dev.bptt.kernel.blas.Activation;
import dev.bptt.kernel.blas.Blas;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Activations and their derivatives from the output, element by element, out of place and in place,
 * with canaries around the output.
 *
 * <p>Bounds (from the contract in {@code Blas.activate}, each with its reason):
 *
 * <ul>
 *   <li>TANH within 2 ulp of {@code (float) Math.tanh(x)}: a vector tanh (SVML) is ≈ 1 ulp from the
 *       exact value and the reference's own rounding to float adds 0.5 ulp, so 2 ulp.
 *   <li>SIGMOID within 4 ulp of the correctly rounded 1/(1+e^−x) (the documented contract): with e
 *       = exp(−|x|) the kernels form 1/(1+e) or e/(1+e); exp errs ≈ 1 ulp and reaches the quotient
 *       with a factor ≤ 1 (d ln σ / d ln e = −e/(1+e) or 1/(1+e)), the addition and the division
 *       add 0.5 ulp each: ≈ 2 ulp from the exact value, 2.5 from its rounding, inside 4. The
 *       reference is computed in double with relative error ≤ γᵈ₄ (Math.exp ≤ 1 double ulp =
 *       2·2⁻⁵³, then an addition and a division), which {@link
 *       Tolerance#withinUlpsOfCorrectlyRounded} accounts for.
 *   <li>RELU and IDENTITY exact: Math.max(x, 0) and x, bit for bit (NaN payloads aside).
 *   <li>Derivatives from h: TANH and SIGMOID are three float operations, bounds derived in {@link
 *       Tolerance#tanhGrad} and {@link Tolerance#sigmoidGrad}; RELU (g if h &gt; 0 else 0) and
 *       IDENTITY (g) exact.
 * </ul>
 */
class ActivationPropertyTest {

  /**
   * Inputs that stress the edges: signed zeros, subnormals, where tanh saturates (≈ 9), where e^−x
   * over- and underflows a float (±88.7, ±103.97: the sigmoid of x in (−104, −88.7) is a
   * subnormal), the extremes, infinities and NaN.
   */
  private static final float[] EDGES = {
    0f,
    -0f,
    Float.MIN_VALUE,
    -Float.MIN_VALUE,
    1e-40f,
    -1e-40f,
    Float.MIN_NORMAL,
    1e-20f,
    -1e-7f,
    0.5f,
    -0.5f,
    1f,
    -1f,
    4.5f,
    -4.5f,
    9f,
    -9f,
    9.1f,
    -10f,
    15f,
    -17f,
    20f,
    -44f,
    87.3f,
    -87.4f,
    88.72f,
    -88.73f,
    89f,
    -89f,
    -95f,
    100f,
    -100f,
    -103.9f,
    -104f,
    105f,
    1e30f,
    -1e30f,
    Float.MAX_VALUE,
    -Float.MAX_VALUE,
    Float.POSITIVE_INFINITY,
    Float.NEGATIVE_INFINITY,
    Float.NaN
  };

  /** Relative error of the double sigmoid reference (see the class comment). */
  private static final double SIGMOID_REF_ERR = Tolerance.gammaDouble(4);

  static Stream<Arguments> cases() {
    return Seeds.seeds()
        .boxed()
        .flatMap(s -> Stream.of(Activation.values()).map(f -> Arguments.of(s, f)));
  }

  /** Sizes: edges up to 120, sometimes 1000..2000. */
  private static int[] dims(long seed) {
    return new int[] {new Gen(seed).sizeOrLarge(120, 1000, 2000)};
  }

  /**
   * Inputs: scale·U(−1, 1) with a scale per case (1 … 100 or 10^±30), a quarter of them from EDGES.
   */
  private static float[] inputs(Gen g, int off, int n) {
    float[] scales = {1f, 3f, 10f, 30f, 100f, g.scaleExp()};
    float[] x = Padded.vector(g, off, n, scales[g.random().nextInt(scales.length)]);
    for (int i = 0; i < n; i++) {
      if (g.random().nextInt(4) == 0) {
        x[off + i] = EDGES[g.random().nextInt(EDGES.length)];
      }
    }
    return x;
  }

  @ParameterizedTest(name = "seed={0} {1}")
  @MethodSource("cases")
  void activateMatchesContract(long seed, Activation f) {
    Shrink.check(seed, dims(seed), d -> activateCase(seed, f, d[0]));
  }

  /** y ← φ(x); one time in three in place (y is x). */
  private static String activateCase(long seed, Activation f, int n) {
    Gen g = new Gen(~seed);
    boolean inPlace = g.random().nextInt(3) == 0;
    int xOff = g.offset(), yOff = inPlace ? xOff : g.offset();
    float[] x = inputs(g, xOff, n);
    float[] y = inPlace ? x : Padded.vector(g, yOff, n, 1f);
    float[] x0 = x.clone(), y0 = y.clone();
    Blas.activate(f, n, x, xOff, y, yOff);
    String label = f + " n=" + n + (inPlace ? " in place" : "");
    String values = null;
    for (int i = 0; i < n && values == null; i++) {
      float xi = x0[xOff + i], got = y[yOff + i];
      double ref = NaiveBlas.activation(f, xi);
      boolean ok =
          switch (f) {
            case TANH -> Tolerance.ulpDistance(got, (float) ref) <= 2;
            case SIGMOID -> Tolerance.withinUlpsOfCorrectlyRounded(got, ref, SIGMOID_REF_ERR, 4);
            case RELU, IDENTITY -> Float.floatToIntBits(got) == Float.floatToIntBits((float) ref);
          };
      if (!ok) {
        values =
            label
                + ": x["
                + i
                + "]="
                + xi
                + " (bits 0x"
                + Integer.toHexString(Float.floatToRawIntBits(xi))
                + "): got "
                + got
                + ", reference "
                + ref
                + " ("
                + Tolerance.ulpDistance(got, (float) ref)
                + " ulp from its rounding)";
      }
    }
    return Compare.first(
        values,
        Padded.untouchedOutside("y", y0, y, yOff, 1, n, n),
        inPlace ? null : Padded.unchanged("x", x0, x));
  }

  @ParameterizedTest(name = "seed={0} {1}")
  @MethodSource("cases")
  void activationGradMatchesDerivedBound(long seed, Activation f) {
    Shrink.check(seed, dims(seed), d -> gradCase(seed, f, d[0]));
  }

  /** Where out lives: its own array, or exactly on g, or exactly on h (both allowed). */
  private enum OutAt {
    OWN,
    ON_G,
    ON_H
  }

  /**
   * out ← g ⊙ φ′(h). h is half of the time a true activation output φ(z) (the domain BPTT uses),
   * else arbitrary values in (−1.5, 1.5) with edges (0, ±1, subnormal, NaN).
   */
  private static String gradCase(long seed, Activation f, int n) {
    Gen g = new Gen(~seed);
    OutAt at = OutAt.values()[g.random().nextInt(3)];
    int hOff = g.offset(), gOff = g.offset();
    float[] h = Padded.vector(g, hOff, n, 1.5f);
    boolean realistic = g.random().nextBoolean();
    float[] hEdges = {0f, -0f, 1f, -1f, 0.5f, Float.MIN_VALUE, 1 - 0x1p-24f, Float.NaN};
    for (int i = 0; i < n; i++) {
      float z = 10 * g.unit();
      h[hOff + i] =
          realistic
              ? (float) NaiveBlas.activation(f, z)
              : g.random().nextInt(8) == 0
                  ? hEdges[g.random().nextInt(hEdges.length)]
                  : h[hOff + i];
    }
    float[] grad = Padded.vector(g, gOff, n, g.scaleExp());
    float[] out;
    int outOff;
    switch (at) {
      case ON_G -> {
        out = grad;
        outOff = gOff;
      }
      case ON_H -> {
        out = h;
        outOff = hOff;
      }
      default -> {
        outOff = g.offset();
        out = Padded.vector(g, outOff, n, 1f);
      }
    }
    float[] h0 = h.clone(), g0 = grad.clone(), out0 = out.clone();
    Blas.activationGrad(f, n, h, hOff, grad, gOff, out, outOff);
    double[] exp = NaiveBlas.activationGrad(f, n, h0, hOff, g0, gOff);
    String label = f + "' n=" + n + " out " + at + (realistic ? " h=phi(z)" : " h arbitrary");
    String values =
        switch (f) {
          case TANH ->
              Compare.within(
                  label,
                  out,
                  outOff,
                  1,
                  n,
                  n,
                  exp,
                  i -> Tolerance.tanhGrad(h0[hOff + i], g0[gOff + i]));
          case SIGMOID ->
              Compare.within(
                  label,
                  out,
                  outOff,
                  1,
                  n,
                  n,
                  exp,
                  i -> Tolerance.sigmoidGrad(h0[hOff + i], g0[gOff + i]));
          case RELU, IDENTITY -> Compare.within(label, out, outOff, 1, n, n, exp, i -> 0);
        };
    return Compare.first(
        values,
        Padded.untouchedOutside("out", out0, out, outOff, 1, n, n),
        at == OutAt.ON_H ? null : Padded.unchanged("h", h0, h),
        at == OutAt.ON_G ? null : Padded.unchanged("g", g0, grad));
  }
}
