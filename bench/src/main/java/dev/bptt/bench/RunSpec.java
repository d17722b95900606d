package dev.bptt.bench;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JMH invocation of a section: the benchmarks to run (a regular expression matched, as JMH
 * does, with {@code find()} against {@code package.Class.method}), the {@code @Param} values that
 * replace the annotation defaults, and the timing.
 *
 * @param include JMH include pattern
 * @param params parameter name → values; names a benchmark does not declare are ignored by JMH
 * @param timing forks and iterations
 */
public record RunSpec(String include, Map<String, List<String>> params, Timing timing) {
  public RunSpec {
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  /** The size values as strings, for {@link #params}. */
  public static List<String> values(int... values) {
    return Arrays.stream(values).mapToObj(Integer::toString).toList();
  }

  /** Parameters in a readable form, e.g. {@code n=64,256,1024}. */
  public String describeParams() {
    StringBuilder sb = new StringBuilder();
    params.forEach(
        (k, v) ->
            sb.append(sb.isEmpty() ? "" : "; ").append(k).append('=').append(String.join(",", v)));
    return sb.toString();
  }
}
