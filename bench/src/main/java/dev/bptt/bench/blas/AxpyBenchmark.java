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

/**
 * How fast is y ← y + α·x over n floats (12n bytes: x and y read, y written). y keeps growing by
 * α·x per call during the run; with |x| &lt; 1 it stays far from overflow for any run length here.
 */
@State(Scope.Benchmark)
public class AxpyBenchmark extends KernelBenchmark {
  private static final float ALPHA = 0.5f;

  @Param({"64", "256", "1024"})
  public int n;

  private float[] x;
  private float[] y;
  private float[] y0;
  private FMatrixRMaj ex;
  private FMatrixRMaj ey;
  private BLAS netlib;
  private BLAS openblas;

  @Setup
  public void setup() {
    x = Inputs.uniform(4, n);
    y0 = Inputs.uniform(5, n);
    y = y0.clone();
    ex = FMatrixRMaj.wrap(n, 1, x);
    ey = FMatrixRMaj.wrap(n, 1, y);
    netlib = NetlibPeer.blas();
    openblas = NetlibPeer.nativeBlas();
    double[] ref = new double[n];
    double[] mag = new double[n];
    for (int i = 0; i < n; i++) {
      double t = (double) ALPHA * x[i];
      ref[i] = y0[i] + t;
      mag[i] = Math.abs(y0[i]) + Math.abs(t);
    }
    // α·xᵢ and the add round once each (an fma once): γ₂·(|yᵢ| + |α·xᵢ|); +1 for the reference.
    Agreement.array(
        "axpy n=" + n,
        ref,
        Agreement.scaled(Agreement.gamma(3), mag),
        y,
        () -> System.arraycopy(y0, 0, y, 0, n),
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
    Blas.axpy(n, ALPHA, x, 0, y, 0);
  }

  @Benchmark
  public void naive() {
    NaiveKernels.axpy(n, ALPHA, x, y);
  }

  @Benchmark
  public void ejml() {
    CommonOps_FDRM.addEquals(ey, ALPHA, ex);
  }

  @Benchmark
  public void netlib() {
    netlib.saxpy(n, ALPHA, x, 1, y, 1);
  }

  /** The native BLAS through netlib's JNI binding (run only when one is installed). */
  @Benchmark
  public void openblas() {
    openblas.saxpy(n, ALPHA, x, 1, y, 1);
  }
}
