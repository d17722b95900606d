package dev.bptt.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleSupplier;

/**
 * Setup-time check that every implementation in a benchmark class computes the same thing: each
 * one's result on the benchmark's own inputs is compared with a double-precision reference, and
 * must lie within a forward error bound derived for float arithmetic. A benchmark whose
 * implementations disagree throws, which (with fail-on-error) stops the suite: a fast wrong kernel
 * is never reported.
 */
public final class Agreement {
  /** Unit roundoff of float, 2⁻²⁴. */
  public static final double U = 0x1p-24;

  private Agreement() {}

  /**
   * γ_k = k·u / (1 − k·u), the classic bound on the relative error of k chained float roundings
   * (Higham, Accuracy and Stability of Numerical Algorithms, §3.1).
   */
  public static double gamma(long k) {
    double ku = k * U;
    if (ku >= 1) {
      throw new IllegalArgumentException("gamma(k) needs k·u < 1, got k = " + k);
    }
    return ku / (1 - ku);
  }

  /** {@code bound[i] = factor · magnitude[i]}, for bounds of the form γ·(|A||B|)ᵢ. */
  public static double[] scaled(double factor, double[] magnitude) {
    double[] b = new double[magnitude.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = factor * magnitude[i];
    }
    return b;
  }

  /**
   * Checks scalar results: |impl() − reference| ≤ bound for every implementation (NaN fails).
   *
   * @param what kernel and shape, for the message
   * @param impls implementation name → the call, results widened to double
   */
  public static void scalar(
      String what, double reference, double bound, Map<String, DoubleSupplier> impls) {
    for (var e : new TreeMap<>(impls).entrySet()) {
      double got = e.getValue().getAsDouble();
      if (!(Math.abs(got - reference) <= bound)) {
        throw new IllegalStateException(
            what
                + ": implementation '"
                + e.getKey()
                + "' returned "
                + got
                + ", reference "
                + reference
                + ", |difference| "
                + Math.abs(got - reference)
                + " > derived bound "
                + bound);
      }
    }
  }

  /**
   * Checks array results: for every implementation, {@code reset} restores the inputs, the call
   * writes {@code out}, and then |out[i] − reference[i]| ≤ bound[i] for all i (NaN fails). Inputs
   * are restored once more at the end, so the timed runs start from the same state.
   */
  public static void array(
      String what,
      double[] reference,
      double[] bound,
      float[] out,
      Runnable reset,
      Map<String, Runnable> impls) {
    if (reference.length != out.length || bound.length != out.length) {
      throw new IllegalArgumentException(
          what
              + ": reference "
              + reference.length
              + ", bound "
              + bound.length
              + " and out "
              + out.length
              + " lengths differ");
    }
    for (var e : new TreeMap<>(impls).entrySet()) {
      reset.run();
      e.getValue().run();
      for (int i = 0; i < out.length; i++) {
        double diff = Math.abs(out[i] - reference[i]);
        if (!(diff <= bound[i])) {
          throw new IllegalStateException(
              what
                  + ": implementation '"
                  + e.getKey()
                  + "' wrote "
                  + out[i]
                  + " at index "
                  + i
                  + ", reference "
                  + reference[i]
                  + ", |difference| "
                  + diff
                  + " > derived bound "
                  + bound[i]);
        }
      }
    }
    reset.run();
  }
}
