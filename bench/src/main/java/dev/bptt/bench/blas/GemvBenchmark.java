package dev.bptt.bench.blas;

import dev.bptt.bench.Agreement;
import dev.bptt.bench.Inputs;
import dev.bptt.bench.KernelBenchmark;
import dev.bptt.bench.NaiveKernels;
import dev.bptt.bench.NetlibPeer;
import dev.bptt.kernel.blas.Blas;
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
 * How fast is y ← A·x for a square row-major n×n A (2n² FLOP). netlib is column-major: the same
 * buffer is Aᵀ to it, so row-major A·x is its {@code sgemv("T")}.
 */
@State(Scope.Benchmark)
public class GemvBenchmark extends KernelBenchmark {
  @Param({"64", "256", "1024"})
  public int n;

  private float[] a;
  private float[] x;
  private float[] y;
  private FMatrixRMaj ea;
  private FMatrixRMaj ex;
  private FMatrixRMaj ey;
  private BLAS netlib;
  private BLAS openblas;

  @Setup
  public void setup() {
    a = Inputs.uniform(6, n * n);
    x = Inputs.uniform(7, n);
    y = new float[n];
    ea = FMatrixRMaj.wrap(n, n, a);
    ex = FMatrixRMaj.wrap(n, 1, x);
    ey = FMatrixRMaj.wrap(n, 1, y);
    netlib = NetlibPeer.blas();
    openblas = NetlibPeer.nativeBlas();
    // Each yᵢ is a length-n dot product (α = 1 is exact): γ_n·(|A||x|)ᵢ, +1 for the reference.
    // y starts as NaN: with β = 0 every implementation must overwrite y without reading it.
    var ref = DoubleReference.gemm(false, n, 1, n, a, x);
    Agreement.array(
        "gemv n=" + n,
        ref.value(),
        Agreement.scaled(Agreement.gamma(n + 1), ref.magnitude()),
        y,
        () -> Arrays.fill(y, Float.NaN),
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
    Blas.gemv(n, n, 1f, a, 0, n, x, 0, 0f, y, 0);
  }

  @Benchmark
  public void naive() {
    NaiveKernels.gemv(n, n, a, x, y);
  }

  @Benchmark
  public void ejml() {
    CommonOps_FDRM.mult(ea, ex, ey);
  }

  @Benchmark
  public void netlib() {
    netlib.sgemv("T", n, n, 1f, a, n, x, 1, 0f, y, 1);
  }

  /** The native BLAS through netlib's JNI binding (run only when one is installed). */
  @Benchmark
  public void openblas() {
    openblas.sgemv("T", n, n, 1f, a, n, x, 1, 0f, y, 1);
  }
}
