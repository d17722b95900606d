package dev.bptt.bench.blas;

import dev.bptt.bench.Agreement;
import dev.bptt.bench.Inputs;
import dev.bptt.bench.KernelBenchmark;
import dev.bptt.bench.NaiveKernels;
import dev.bptt.bench.NetlibPeer;
import dev.bptt.kernel.blas.Blas;
import dev.ludovic.netlib.blas.BLAS;
import java.util.Map;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** How fast is Σ xᵢyᵢ over n floats: ours vs a plain loop, EJML and netlib (2n FLOP, 8n bytes). */
@State(Scope.Benchmark)
public class DotBenchmark extends KernelBenchmark {
  @Param({"64", "256", "1024"})
  public int n;

  private float[] x;
  private float[] y;
  private FMatrixRMaj ex;
  private FMatrixRMaj ey;
  private BLAS netlib;
  private BLAS openblas;

  @Setup
  public void setup() {
    x = Inputs.uniform(1, n);
    y = Inputs.uniform(2, n);
    ex = FMatrixRMaj.wrap(n, 1, x);
    ey = FMatrixRMaj.wrap(n, 1, y);
    netlib = NetlibPeer.blas();
    openblas = NetlibPeer.nativeBlas();
    // |fl(Σ xᵢyᵢ) − Σ xᵢyᵢ| ≤ γ_n·Σ|xᵢyᵢ| in any summation order, fma or not; +1 for the reference.
    var ref = DoubleReference.dot(n, x, y);
    Agreement.scalar(
        "dot n=" + n,
        ref.value()[0],
        Agreement.gamma(n + 1) * ref.magnitude()[0],
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
  public float ours() {
    return Blas.dot(n, x, 0, y, 0);
  }

  @Benchmark
  public float naive() {
    return NaiveKernels.dot(n, x, y);
  }

  @Benchmark
  public float ejml() {
    return CommonOps_FDRM.dot(ex, ey);
  }

  @Benchmark
  public float netlib() {
    return netlib.sdot(n, x, 1, y, 1);
  }

  /** The native BLAS through netlib's JNI binding (run only when one is installed). */
  @Benchmark
  public float openblas() {
    return openblas.sdot(n, x, 1, y, 1);
  }
}
