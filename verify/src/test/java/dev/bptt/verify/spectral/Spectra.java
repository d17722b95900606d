package dev.bptt.verify.spectral;

import dev.bptt.kernel.spectral.SpectralInit;
import dev.bptt.verify.NaiveSpectral;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Test fixtures: spectra with a chosen gap, the symmetric matrix the generator writes for them
 * together with its eigenvectors, and canary-padded destinations.
 */
final class Spectra {
  private Spectra() {}

  /** Quiet NaN with a recognisable payload, for padding that must not be written. */
  static final float CANARY = Float.intBitsToFloat(0x7fc05ec7);

  /**
   * n eigenvalues (n ≥ 2): λ₀ = ±top, λ₁ = ±gap·top, the rest uniform in (−gap·top, gap·top), signs
   * random; so |λ₁/λ₀| = gap exactly and every other |λᵢ| &lt; gap·top.
   */
  static double[] gapSpectrum(SplittableRandom r, int n, double top, double gap) {
    double[] l = new double[n];
    l[0] = r.nextBoolean() ? top : -top;
    l[1] = (r.nextBoolean() ? gap : -gap) * top;
    for (int i = 2; i < n; i++) {
      l[i] = gap * top * (2 * r.nextDouble() - 1);
    }
    return l;
  }

  /**
   * The float matrix M = SpectralInit.symmetric(seed, λ) (n×n, ld = n) and the float Q that
   * SpectralInit.orthogonal writes for the same seed: column k of Q is the eigenvector of λₖ (up to
   * the roundings bounded in {@link SpectralBounds}).
   */
  record Sym(int n, double[] lambda, float[] m, float[] q) {
    static Sym of(long seed, double[] lambda) {
      int n = lambda.length;
      float[] m = new float[n * n], q = new float[n * n];
      SpectralInit.symmetric(new SplittableRandom(seed), lambda, m, 0, n);
      SpectralInit.orthogonal(new SplittableRandom(seed), 1, n, n, q, 0, n);
      return new Sym(n, lambda, m, q);
    }

    double[] md() {
      return NaiveSpectral.toDouble(m, 0, n, n, n);
    }

    /** Column k of Q as a unit double vector. */
    double[] unitEigenvector(int k) {
      double[] c = NaiveSpectral.column(NaiveSpectral.toDouble(q, 0, n, n, n), n, n, k);
      double s = NaiveSpectral.frobenius(c);
      for (int i = 0; i < n; i++) {
        c[i] /= s;
      }
      return c;
    }

    /** ‖M·q̂ₖ − λₖ·q̂ₖ‖₂ for the unit column q̂ₖ, in double. */
    double eigenResidual(int k) {
      double[] v = unitEigenvector(k);
      double[] mv = NaiveSpectral.mulVec(md(), n, n, v);
      double s = 0;
      for (int i = 0; i < n; i++) {
        double d = mv[i] - lambda[k] * v[i];
        s += d * d;
      }
      return Math.sqrt(s);
    }
  }

  /** A destination of rows×cols at off with leading dimension ld; CANARY everywhere else. */
  static float[] canaryMatrix(int off, int rows, int cols, int ld) {
    long end = rows == 0 || cols == 0 ? off : off + (long) (rows - 1) * ld + cols;
    float[] a = new float[(int) end + 3];
    Arrays.fill(a, CANARY);
    return a;
  }

  /** Null if every element outside the rows×cols block still holds CANARY, else a message. */
  static String paddingUntouched(float[] a, int off, int rows, int cols, int ld) {
    for (int idx = 0; idx < a.length; idx++) {
      int rel = idx - off;
      boolean inside = rel >= 0 && cols > 0 && rel / ld < rows && rel % ld < cols;
      if (!inside && Float.floatToRawIntBits(a[idx]) != Float.floatToRawIntBits(CANARY)) {
        return "padding [" + idx + "] was written: " + a[idx];
      }
    }
    return null;
  }

  /** Largest |x|. */
  static double maxAbs(double[] x) {
    double m = 0;
    for (double v : x) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  /** ‖x‖₂. */
  static double norm(double[] x) {
    return NaiveSpectral.frobenius(x);
  }

  /** Sorted copy. */
  static double[] sorted(double[] x) {
    double[] s = x.clone();
    Arrays.sort(s);
    return s;
  }
}
