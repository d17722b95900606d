package dev.bptt.bench.blas;

import static dev.bptt.bench.report.Work.param;

import dev.bptt.bench.NetlibPeer;
import dev.bptt.bench.Preset;
import dev.bptt.bench.RunSpec;
import dev.bptt.bench.Section;
import dev.bptt.bench.Timing;
import dev.bptt.bench.report.PeerTable;
import dev.bptt.bench.report.SectionReport;
import dev.bptt.bench.report.Work;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;

/**
 * The foundation kernels against a plain loop, EJML and netlib-java: level 1 (dot, norm2, axpy, in
 * GB/s), level 2 (gemv, gemvT, ger) and gemm (GFLOP/s), and the BPTT weight-gradient shape (one
 * gemm vs one ger per step).
 */
public final class BlasSection implements Section {
  private static final List<Map.Entry<String, String>> PEERS =
      List.of(
          Map.entry("ours", "ours"),
          Map.entry("naive", "naive"),
          Map.entry("ejml", "EJML"),
          Map.entry("netlib", "netlib"),
          Map.entry(NetlibPeer.NATIVE_METHOD, "OpenBLAS"));

  private static final List<PeerTable> TABLES =
      List.of(
          new PeerTable(
              "dot: Σ xᵢyᵢ", DotBenchmark.class, PEERS, Work.bytes(p -> 8 * param(p, "n")), ""),
          new PeerTable(
              "norm2: ‖x‖₂",
              Norm2Benchmark.class,
              PEERS,
              Work.bytes(p -> 4 * param(p, "n")),
              "ours is overflow/underflow-safe (float pass, double redo when needed); EJML `normF`"
                  + " scales by max|xᵢ|; netlib VectorBLAS `snrm2` and the naive loop sum unscaled"
                  + " squares in float."),
          new PeerTable(
              "axpy: y ← y + αx",
              AxpyBenchmark.class,
              PEERS,
              Work.bytes(p -> 12 * param(p, "n")),
              ""),
          new PeerTable(
              "gemv: y ← A·x (n×n)",
              GemvBenchmark.class,
              PEERS,
              Work.flops(p -> 2 * sq(param(p, "n"))),
              "netlib gets the row-major buffer as column-major Aᵀ: `sgemv(\"T\")`."),
          new PeerTable(
              "gemvT: y ← Aᵀ·x (n×n, A read in place)",
              GemvTBenchmark.class,
              PEERS,
              Work.flops(p -> 2 * sq(param(p, "n"))),
              "naive walks A row by row (y += xᵢ·rowᵢ); EJML `multTransA`; netlib `sgemv(\"N\")`."),
          new PeerTable(
              "ger: A ← A + α·x·yᵀ (n×n)",
              GerBenchmark.class,
              PEERS,
              Work.flops(p -> 2 * sq(param(p, "n"))),
              "EJML: `VectorVectorMult_FDRM.addOuterProd` (its direct rank-1 update); netlib `sger`"
                  + " with x and y swapped."),
          new PeerTable(
              "gemm: C ← A·B (n×n×n)",
              GemmBenchmark.class,
              PEERS,
              Work.flops(p -> 2 * sq(param(p, "n")) * param(p, "n")),
              "naive is the i-k-j triple loop; EJML `CommonOps_FDRM.mult`; netlib"
                  + " `sgemm(\"N\",\"N\")` on Bᵀ·Aᵀ (VectorBLAS inherits sgemm from Java11BLAS: no"
                  + " Vector API code)."),
          new PeerTable(
              "BPTT weight gradient: dW += Δᵀ·H, K = T·B rows",
              BpttWeightGradientBenchmark.class,
              List.of(Map.entry("gemmTN", "gemm(T,N)"), Map.entry("gerPerStep", "K×ger")),
              Work.flops(p -> 2 * sq(param(p, "hidden")) * param(p, "steps")),
              "Same sum both ways; the ratio column says how many times one gemm over the sequence"
                  + " beats K rank-1 updates."));

  @Override
  public String name() {
    return "blas";
  }

  @Override
  public String title() {
    return "BLAS foundation kernels vs naive loops, EJML and netlib-java";
  }

  @Override
  public int order() {
    return 10;
  }

  @Override
  public List<RunSpec> runs(Preset preset) {
    Timing t = preset.timing();
    String level12 =
        classes(
            DotBenchmark.class,
            Norm2Benchmark.class,
            AxpyBenchmark.class,
            GemvBenchmark.class,
            GemvTBenchmark.class,
            GerBenchmark.class);
    String level1 = classes(true, DotBenchmark.class, Norm2Benchmark.class, AxpyBenchmark.class);
    String gemvs = classes(true, GemvBenchmark.class, GemvTBenchmark.class);
    String ger = classes(true, GerBenchmark.class);
    String gemm = classes(GemmBenchmark.class);
    String bptt = classes(BpttWeightGradientBenchmark.class);
    return switch (preset) {
      case SMOKE ->
          List.of(
              new RunSpec(level12, Map.of("n", RunSpec.values(64)), t),
              new RunSpec(gemm, Map.of("n", RunSpec.values(64)), t),
              new RunSpec(
                  bptt, Map.of("hidden", RunSpec.values(64), "steps", RunSpec.values(64)), t));
      case DEFAULT ->
          List.of(
              // level 1 is one pass over memory at every size: the L2-resident size says enough
              // here (the full preset has six sizes); gemv/gemvᵀ at the sizes of the performance
              // targets (n ≤ 256 and above), the rank-1 update (off the BPTT path) at one size
              new RunSpec(level1, Map.of("n", RunSpec.values(2048)), t),
              // gemv's 16-row kernel (n ≤ 256) runs interpreted at ~1 ms per call (every vector
              // boxed) until C2 has compiled it, which took 0.4–0.8 s of a fork here and once over
              // 1 s: 2 × 200 ms of warm-up left measured iterations allocating 932 KB per call
              new RunSpec(gemvs, Map.of("n", RunSpec.values(64, 256, 1024)), t.withWarmup(5, 200)),
              new RunSpec(ger, Map.of("n", RunSpec.values(256)), t),
              new RunSpec(gemm, Map.of("n", RunSpec.values(256, 512)), t),
              new RunSpec(
                  bptt, Map.of("hidden", RunSpec.values(256), "steps", RunSpec.values(256)), t));
      case FULL ->
          List.of(
              new RunSpec(level12, Map.of("n", RunSpec.values(64, 128, 256, 512, 1024, 2048)), t),
              new RunSpec(gemm, Map.of("n", RunSpec.values(64, 128, 256, 512)), t),
              // a naive 1024³ product takes about a second: longer iterations keep several calls in
              // each
              new RunSpec(gemm, Map.of("n", RunSpec.values(1024)), t.withIterationMillis(2000)),
              new RunSpec(
                  bptt,
                  Map.of("hidden", RunSpec.values(64, 256, 512), "steps", RunSpec.values(64, 256)),
                  t));
    };
  }

  @Override
  public SectionReport render(List<RunResult> results) {
    return PeerTable.renderAll(
        name(),
        "Times are the median per call over all measured iterations of all forks, ± the half-width"
            + " of JMH's 99.9% confidence interval of the mean (none with a single iteration);"
            + " ratios and throughput use the medians; `x/ours` > 1 means ours is that many times"
            + " faster. Level 1 throughput counts bytes read + written, the others FLOPs (2 per"
            + " multiply-add). Peers: `netlib` is netlib-java's pure-Java `JavaBLAS.getInstance()`"
            + " (VectorBLAS with the vector module), forced so that an installed native BLAS cannot"
            + " take its place; `OpenBLAS` is a native BLAS through netlib's JNI binding"
            + " (`NativeBLAS.getInstance()`), measured only when one is installed (Debian:"
            + " `libopenblas0-pthread`) and pinned to one thread (`OPENBLAS_NUM_THREADS=1`, the"
            + " value each fork saw is in the header above); `–` where it is absent.",
        TABLES,
        results);
  }

  /**
   * JMH include pattern matching every benchmark method of the given classes, less the native peer
   * when this machine has no native BLAS.
   */
  private static String classes(Class<?>... classes) {
    return classes(false, classes);
  }

  /**
   * As {@link #classes(Class[])}, also less the EJML peer when {@code withoutEjml} (the default
   * preset's level 1 and 2, to keep the bench command near 20 minutes: EJML's routines there are
   * plain loops, at most 1.42× faster than the naive loop and up to 2.2× slower in the default run
   * at ca221fa; its gemm, a blocked product, stays, and the full preset measures every table).
   */
  private static String classes(boolean withoutEjml, Class<?>... classes) {
    StringBuilder sb = new StringBuilder("^(?:");
    for (int i = 0; i < classes.length; i++) {
      sb.append(i == 0 ? "" : "|").append(Pattern.quote(classes[i].getName() + "."));
    }
    sb.append(")");
    List<String> skip = new java.util.ArrayList<>();
    if (withoutEjml) {
      skip.add("ejml");
    }
    if (!NetlibPeer.nativeAvailable()) {
      skip.add(NetlibPeer.NATIVE_METHOD);
    }
    if (!skip.isEmpty()) {
      sb.append("(?!(?:").append(String.join("|", skip)).append(")$)");
    }
    return sb.toString();
  }

  private static double sq(double v) {
    return v * v;
  }
}
