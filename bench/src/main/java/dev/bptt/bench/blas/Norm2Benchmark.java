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
import org.ejml.dense.row.NormOps_FDRM;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * How fast is ‖x‖₂ over n floats (4n bytes). Not all peers are equally safe: ours is overflow- and
 * underflow-safe, EJML's {@code normF} scales by max|xᵢ| (safe, two passes), netlib's VectorBLAS
 * {@code snrm2} and the plain loop sum unscaled squares in float.
 */
@State(Scope.Benchmark)
public class Norm2Benchmark extends KernelBenchmark {
  @Param({"64", "256", "1024"})
  public int n;

  private float[] x;
  private FMatrixRMaj ex;
  private BLAS netlib;
  private BLAS openblas;

  @Setup
  public void setup() {
    x = Inputs.uniform(3, n);
    ex = FMatrixRMaj.wrap(n, 1, x);
    netlib = NetlibPeer.blas();
    openblas = NetlibPeer.nativeBlas();
    // The float sum of squares is within γ_{n+1}·s of s = Σxᵢ² (a square and n adds per term), and
    // γ_{n+3}·s when each xᵢ is first divided by a scale (EJML); √ halves a relative error and
    // adds u, the rescale and the final float rounding one u each: relative error
    // ≤ γ_{n+3}/2 + 3u ≤ γ_{n+6}; one more u for the double reference gives γ_{n+7}.
    double s = 0;
    for (float v : x) {
      s += (double) v * v;
    }
    double ref = Math.sqrt(s);
    Agreement.scalar(
        "norm2 n=" + n,
        ref,
        Agreement.gamma(n + 7) * ref,
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
  public double ours() {
    return Blas.norm2(n, x, 0);
  }

  @Benchmark
  public float naive() {
    return NaiveKernels.norm2(n, x);
  }

  @Benchmark
  public float ejml() {
    return NormOps_FDRM.normF(ex);
  }

  @Benchmark
  public float netlib() {
    return netlib.snrm2(n, x, 1);
  }

  /** The native BLAS through netlib's JNI binding (run only when one is installed). */
  @Benchmark
  public float openblas() {
    return openblas.snrm2(n, x, 1);
  }
}
