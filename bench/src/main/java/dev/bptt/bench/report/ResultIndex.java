package dev.bptt.bench.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.RunResult;

/** JMH results looked up by benchmark class, method and parameter values. */
public final class ResultIndex {
  private final Map<String, RunResult> byKey = new TreeMap<>();
  private final Map<String, LinkedHashSet<Map<String, String>>> paramsByClass = new TreeMap<>();

  public ResultIndex(Collection<RunResult> results) {
    // Several runs of one benchmark at the same parameters (a section's rounds of forks): one
    // result over all their forks.
    for (RunResult r : merge(results)) {
      BenchmarkParams p = r.getParams();
      String bench = p.getBenchmark();
      String cls = bench.substring(0, bench.lastIndexOf('.'));
      Map<String, String> params = params(p);
      byKey.put(key(bench, params), r);
      paramsByClass.computeIfAbsent(cls, c -> new LinkedHashSet<>()).add(params);
    }
  }

  /**
   * One result per benchmark and parameter values, over the forks of every run of it (a section's
   * rounds), in the order the runs came.
   */
  public static List<RunResult> merge(Collection<RunResult> results) {
    Map<String, RunResult> byKey = new LinkedHashMap<>();
    for (RunResult r : results) {
      byKey.merge(key(r.getParams().getBenchmark(), params(r.getParams())), r, ResultIndex::merged);
    }
    return new ArrayList<>(byKey.values());
  }

  private static RunResult merged(RunResult a, RunResult b) {
    List<BenchmarkResult> all = new ArrayList<>(a.getBenchmarkResults());
    all.addAll(b.getBenchmarkResults());
    return new RunResult(a.getParams(), all);
  }

  /** The {@code @Param} values of a result, sorted by name. */
  public static Map<String, String> params(BenchmarkParams p) {
    Map<String, String> m = new TreeMap<>();
    for (Object k : p.getParamsKeys()) {
      m.put((String) k, p.getParam((String) k));
    }
    return m;
  }

  /** The result of {@code benchmarkClass.method} at exactly these parameters, if it ran. */
  public Optional<RunResult> find(
      Class<?> benchmarkClass, String method, Map<String, String> params) {
    return Optional.ofNullable(byKey.get(key(benchmarkClass.getName() + "." + method, params)));
  }

  /**
   * Every parameter combination that ran for any method of the class, ordered by the values
   * (numerically where they are integers) in parameter-name order.
   */
  public List<Map<String, String>> paramSets(Class<?> benchmarkClass) {
    List<Map<String, String>> sets =
        new ArrayList<>(
            paramsByClass.getOrDefault(benchmarkClass.getName(), new LinkedHashSet<>()));
    sets.sort(ResultIndex::compareParams);
    return sets;
  }

  private static int compareParams(Map<String, String> a, Map<String, String> b) {
    var ia = a.entrySet().iterator();
    var ib = b.entrySet().iterator();
    while (ia.hasNext() && ib.hasNext()) {
      var ea = ia.next();
      var eb = ib.next();
      int c = ea.getKey().compareTo(eb.getKey());
      if (c == 0) {
        c = compareValues(ea.getValue(), eb.getValue());
      }
      if (c != 0) {
        return c;
      }
    }
    return Boolean.compare(ia.hasNext(), ib.hasNext());
  }

  private static int compareValues(String a, String b) {
    try {
      return Long.compare(Long.parseLong(a), Long.parseLong(b));
    } catch (NumberFormatException e) {
      return Comparator.<String>naturalOrder().compare(a, b);
    }
  }

  private static String key(String benchmark, Map<String, String> params) {
    return benchmark + new TreeMap<>(params);
  }
}
