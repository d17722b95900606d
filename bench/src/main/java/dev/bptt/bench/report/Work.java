package dev.bptt.bench.report;

import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The work one benchmark operation does, for the throughput column: floating-point operations
 * (reported as GFLOP/s) or bytes moved (GB/s), as a function of the {@code @Param} values.
 *
 * @param unit {@code "GFLOP/s"} or {@code "GB/s"}
 * @param perOp FLOP or bytes per operation
 */
public record Work(String unit, ToDoubleFunction<Map<String, String>> perOp) {
  /** Work counted in floating-point operations. */
  public static Work flops(ToDoubleFunction<Map<String, String>> perOp) {
    return new Work("GFLOP/s", perOp);
  }

  /** Work counted in bytes read and written. */
  public static Work bytes(ToDoubleFunction<Map<String, String>> perOp) {
    return new Work("GB/s", perOp);
  }

  /** An integer parameter, for the {@code perOp} formulas. */
  public static double param(Map<String, String> params, String name) {
    String v = params.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no parameter '" + name + "' in " + params);
    }
    return Long.parseLong(v);
  }

  /**
   * Throughput in {@link #unit} for one operation taking {@code ns} nanoseconds (work/ns = G·/s).
   */
  public double throughput(Map<String, String> params, double ns) {
    return perOp.applyAsDouble(params) / ns;
  }
}
