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
import org.ejml.dense.row.mult.VectorVectorMult_FDRM;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * How fast is the rank-1 update A ← A + α·x·yᵀ on a square row-major n×n A (2n² FLOP), one step's
 * weight-gradient contribution in BPTT. EJML has a direct rank-1 operation, {@code
 * VectorVectorMult_FDRM.addOuterProd(α, x, y, A)} (A += α·x·yᵀ), used here rather than {@code
 * CommonOps_FDRM.multAdd}, which would need x and yᵀ as n×1 and 1×n matrices and a general product.
 * netlib sees the buffer as the column-major Aᵀ, so it gets {@code sger(n, n, α, y, x, A)}: Aᵀ +=
 * α·y·xᵀ. A grows by α·x·yᵀ per call during the run and stays far from overflow.
 */
@State(Scope.Benchmark)
public class GerBenchmark extends KernelBenchmark {
  private static final float ALPHA = 0.5f;

  @Param({"64", "256", "1024"})
  public int n;

  private float[] x;
  private float[] y;
  private float[] a;
  private float[] a0;
  private FMatrixRMaj ex;
  private FMatrixRMaj ey;
  private FMatrixRMaj ea;
  private BLAS netlib;
  private BLAS openblas;

  @Setup
  public void setup() {
    x = Inputs.uniform(10, n);
    y = Inputs.uniform(11, n);
    a0 = Inputs.uniform(12, n * n);
    a = a0.clone();
    ex = FMatrixRMaj.wrap(n, 1, x);
    ey = FMatrixRMaj.wrap(n, 1, y);
    ea = FMatrixRMaj.wrap(n, n, a);
    netlib = NetlibPeer.blas();
    openblas = NetlibPeer.nativeBlas();
    // α·xᵢ, ·yⱼ and the add round once each: γ₃·(|aᵢⱼ| + |α·xᵢ·yⱼ|), +1 for the reference.
    var ref = DoubleReference.ger(n, n, ALPHA, x, y, a0);
    Agreement.array(
        "ger n=" + n,
        ref.value(),
        Agreement.scaled(Agreement.gamma(4), ref.magnitude()),
        a,
        () -> System.arraycopy(a0, 0, a, 0, a.length),
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
    Blas.ger(n, n, ALPHA, x, 0, y, 0, a, 0, n);
  }

  @Benchmark
  public void naive() {
    NaiveKernels.ger(n, n, ALPHA, x, y, a);
  }

  @Benchmark
  public void ejml() {
    VectorVectorMult_FDRM.addOuterProd(ALPHA, ex, ey, ea);
  }

  @Benchmark
  public void netlib() {
    netlib.sger(n, n, ALPHA, y, 1, x, 1, a, n);
  }

  /** The native BLAS through netlib's JNI binding (run only when one is installed). */
  @Benchmark
  public void openblas() {
    openblas.sger(n, n, ALPHA, y, 1, x, 1, a, n);
  }
}
