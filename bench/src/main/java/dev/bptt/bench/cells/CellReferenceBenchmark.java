package dev.bptt.bench.cells;

import dev.bptt.bench.Agreement;
import dev.bptt.bench.BenchJvm;
import dev.bptt.bench.Inputs;
import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.blas.Transpose;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What are the yardsticks of {@link CellBenchmark}, measured in the same run with our kernels?
 *
 * <ul>
 *   <li>{@link #gemm}: C ← A·B for square n×n row-major matrices (2n³ FLOP), at n = 256 the speed a
 *       batched cell's GEMMs could reach;
 *   <li>{@link #gemvFloor}: T = 256 times y ← W·v and u ← Wᵀ·y of the stacked-gate recurrent matrix
 *       W [G·H][H] ({@code Blas.gemv} and {@code Blas.gemvT}, 4·G·H² FLOP per step), the sequential
 *       work no B = 1 BPTT of one layer can avoid. Each step's inputs are the same seeded v (no
 *       chain through the steps, so nothing over- or underflows); every call is a whole ≥ 2·H² FLOP
 *       product, far longer than any overlap between calls.
 * </ul>
 *
 * The parameters are independent: {@code n} only affects {@link #gemm}, {@code gates} and {@code
 * hidden} only {@link #gemvFloor}; the suite runs each method with one value of the others.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {BenchJvm.ADD_VECTOR_MODULE, BenchJvm.ALLOW_UNSAFE, "-Xms2g", "-Xmx2g"})
public class CellReferenceBenchmark {
  static final int T = CellBenchmark.T;

  @Param({"256"})
  int n;

  @Param({"1", "3", "4"})
  int gates;

  @Param({"256", "512"})
  int hidden;

  private float[] a;
  private float[] b;
  private float[] c;
  private float[] w;
  private float[] v;
  private float[] y;
  private float[] u;

  @Setup(Level.Trial)
  public void setup() {
    a = Inputs.uniform(13, n * n);
    b = Inputs.uniform(14, n * n);
    c = new float[n * n];
    int rows = gates * hidden;
    w = Inputs.uniform(15, rows * hidden);
    v = Inputs.uniform(16, hidden);
    y = new float[rows];
    u = new float[hidden];
    // C, y and u start as NaN: with β = 0 every product must overwrite them without reading them.
    // Each entry is a length-K dot product: γ_(K+1)·(|A||B|), +1 for the double reference.
    double[][] cr = reference(false, n, n, n, a, b);
    Agreement.array(
        "gemm n=" + n,
        cr[0],
        Agreement.scaled(Agreement.gamma(n + 1), cr[1]),
        c,
        () -> Arrays.fill(c, Float.NaN),
        Map.of("ours", this::gemm));
    checkGemvPair(rows + "×" + hidden, rows, hidden, w, 0, v, y, u);
  }

  /**
   * The floor's two products on the [rows][hidden] matrix at w[off], y ← W·v and u ← Wᵀ·y′, against
   * double references with their outputs NaN-poisoned (β = 0 must overwrite them); each entry is a
   * dot product of length K: γ_(K+1)·(|W||v|), +1 for the double reference.
   */
  static void checkGemvPair(
      String what, int rows, int hidden, float[] w, int off, float[] v, float[] y, float[] u) {
    float[] wc = Arrays.copyOfRange(w, off, off + rows * hidden);
    double[][] yr = reference(false, rows, 1, hidden, wc, v);
    Agreement.array(
        "gemv " + what,
        yr[0],
        Agreement.scaled(Agreement.gamma(hidden + 1), yr[1]),
        y,
        () -> Arrays.fill(y, Float.NaN),
        Map.of("ours", () -> Blas.gemv(rows, hidden, 1f, w, off, hidden, v, 0, 0f, y, 0)));
    float[] yf = Inputs.uniform(17, rows); // Agreement leaves y NaN: gemvT reads its own input
    double[][] ur = reference(true, hidden, 1, rows, wc, yf);
    Agreement.array(
        "gemvT " + what,
        ur[0],
        Agreement.scaled(Agreement.gamma(rows + 1), ur[1]),
        u,
        () -> Arrays.fill(u, Float.NaN),
        Map.of("ours", () -> Blas.gemvT(rows, hidden, 1f, w, off, hidden, yf, 0, 0f, u, 0)));
  }

  /**
   * C = op(A)·B in double with op(A) m×k (A stored k×m when {@code transA}), B k×n, row-major, and
   * the magnitude |op(A)|·|B| of the error bound: {value, magnitude}.
   */
  private static double[][] reference(boolean transA, int m, int n, int k, float[] a, float[] b) {
    double[] r = new double[m * n];
    double[] mag = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int p = 0; p < k; p++) {
        double aip = transA ? a[p * m + i] : a[i * k + p];
        for (int j = 0; j < n; j++) {
          double t = aip * b[p * n + j];
          r[i * n + j] += t;
          mag[i * n + j] += Math.abs(t);
        }
      }
    }
    return new double[][] {r, mag};
  }

  /** C ← A·B, n×n×n. */
  @Benchmark
  public float gemm() {
    Blas.gemm(Transpose.N, Transpose.N, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
    return c[0];
  }

  /** T × (y ← W·v, u ← Wᵀ·y) with W [G·H][H]. */
  @Benchmark
  public float gemvFloor() {
    int rows = gates * hidden;
    for (int t = 0; t < T; t++) {
      Blas.gemv(rows, hidden, 1f, w, 0, hidden, v, 0, 0f, y, 0);
      Blas.gemvT(rows, hidden, 1f, w, 0, hidden, y, 0, 0f, u, 0);
    }
    return u[0];
  }
}
