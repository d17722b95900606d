package dev.bptt.bench.blas;

import dev.bptt.bench.Agreement;
import dev.bptt.bench.Inputs;
import dev.bptt.bench.KernelBenchmark;
import dev.bptt.bench.NaiveKernels;
import dev.bptt.bench.NetlibPeer;
import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.blas.Transpose;
import dev.ludovic.netlib.blas.BLAS;
import java.util.Arrays;
import java.util.Map;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * How fast is C ← A·B for square row-major n×n matrices (2n³ FLOP). netlib is column-major: the
 * row-major buffers are Aᵀ, Bᵀ, Cᵀ to it, and Cᵀ = Bᵀ·Aᵀ is {@code sgemm("N", "N", n, m, k, B, A,
 * C)}. netlib's VectorBLAS does not override sgemm: it runs the inherited Java11BLAS loops.
 */
@State(Scope.Benchmark)
public class GemmBenchmark extends KernelBenchmark {
  @Param({"64", "256", "512"})
  public int n;

  private float[] a;
  private float[] b;
  private float[] c;
  private FMatrixRMaj ea;
  private FMatrixRMaj eb;
  private FMatrixRMaj ec;
  private BLAS netlib;
  private BLAS openblas;

  @Setup
  public void setup() {
    a = Inputs.uniform(13, n * n);
    b = Inputs.uniform(14, n * n);
    c = new float[n * n];
    ea = FMatrixRMaj.wrap(n, n, a);
    eb = FMatrixRMaj.wrap(n, n, b);
    ec = FMatrixRMaj.wrap(n, n, c);
    netlib = NetlibPeer.blas();
    openblas = NetlibPeer.nativeBlas();
    // Each cᵢⱼ is a length-n dot product: γ_n·(|A||B|)ᵢⱼ, +1 for the reference.
    // C starts as NaN: with β = 0 every implementation must overwrite C without reading it.
    var ref = DoubleReference.gemm(false, n, n, n, a, b);
    Agreement.array(
        "gemm n=" + n,
        ref.value(),
        Agreement.scaled(Agreement.gamma(n + 1), ref.magnitude()),
        c,
        () -> Arrays.fill(c, Float.NaN),
        NetlibPeer.withNative(
            Map.of(
                "ours",
                this::ours,
                "naive",
                this::naive,
                "ejml",
                this::ejml,
                "netlib",
                this::netlib),
            this::openblas));
  }

  @Benchmark
  public void ours() {
    Blas.gemm(Transpose.N, Transpose.N, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
  }

  @Benchmark
  public void naive() {
    NaiveKernels.gemm(n, n, n, a, b, c);
  }

  @Benchmark
  public void ejml() {
    CommonOps_FDRM.mult(ea, eb, ec);
  }

  @Benchmark
  public void netlib() {
    netlib.sgemm("N", "N", n, n, n, 1f, b, n, a, n, 0f, c, n);
  }

  /** The native BLAS through netlib's JNI binding (run only when one is installed). */
  @Benchmark
  public void openblas() {
    openblas.sgemm("N", "N", n, n, n, 1f, b, n, a, n, 0f, c, n);
  }
}
