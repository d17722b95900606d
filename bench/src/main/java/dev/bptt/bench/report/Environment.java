package dev.bptt.bench.report;

import dev.bptt.bench.BenchJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where and how the suite ran, for the report header: CPU (from /proc/cpuinfo), cores, the
 * fork-side view from {@link ForkProbe} (kernel implementation, netlib peers, JDK) and the command
 * line of the suite's own JVM.
 *
 * @param fork {@link ForkProbe} output, key → value
 * @param cpu CPU model name, or the OS architecture when /proc/cpuinfo is unreadable
 * @param simd widest x86 SIMD extension in the CPU flags (AVX-512, AVX2, …), or "unknown"
 * @param cores logical processors available to the JVM
 * @param commandLine the suite JVM's command line
 * @param revision {@code git describe --always --dirty} of the working tree, or why it is unknown
 * @param start when the suite started (UTC, seconds)
 */
public record Environment(
    Map<String, String> fork,
    String cpu,
    String simd,
    int cores,
    String commandLine,
    String revision,
    Instant start) {
  /** Probes the machine and starts one {@link ForkProbe} JVM with the benchmark forks' flags. */
  public static Environment probe(String[] suiteArgs) throws IOException, InterruptedException {
    String cpu = System.getProperty("os.arch");
    String simd = "unknown";
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (Files.isReadable(cpuinfo)) {
      List<String> lines = Files.readAllLines(cpuinfo);
      cpu = field(lines, "model name", cpu);
      // Virtual machines often report a bare "AMD EPYC": the family and model tell Zen 3/4
      // (family 25) from Zen 5 (family 26), and Xeon generations apart.
      String family = field(lines, "cpu family", ""), model = field(lines, "model", "");
      if (!family.isEmpty()) {
        cpu += " (family " + family + ", model " + model + ")";
      }
      String flags = " " + field(lines, "flags", "") + " ";
      simd =
          flags.contains(" avx512f ")
              ? "AVX-512"
              : flags.contains(" avx2 ")
                  ? "AVX2"
                  : flags.contains(" sse4_2 ")
                      ? "SSE4.2"
                      : flags.isBlank() ? "unknown" : "below SSE4.2";
    }
    String cmd =
        ProcessHandle.current()
            .info()
            .commandLine()
            .orElse("java … dev.bptt.bench.Suite " + String.join(" ", suiteArgs));
    return new Environment(
        runProbe(),
        cpu,
        simd,
        Runtime.getRuntime().availableProcessors(),
        cmd,
        gitRevision(),
        Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  /** A {@link ForkProbe} value, or "?" when it did not report one. */
  public String forkValue(String key) {
    return fork.getOrDefault(key, "?");
  }

  private static String field(List<String> cpuinfo, String name, String fallback) {
    for (String l : cpuinfo) {
      int colon = l.indexOf(':');
      if (colon > 0 && l.substring(0, colon).trim().equals(name)) {
        return l.substring(colon + 1).trim();
      }
    }
    return fallback;
  }

  /**
   * The commit the benchmarks were built from ("-dirty" when tracked files outside {@code results/}
   * had changes), if git can tell. The run's own outputs do not count: the growth experiment writes
   * {@code results/growth/} (with its date) before the suite starts.
   */
  private static String gitRevision() throws InterruptedException {
    try {
      String rev = git("describe", "--always");
      if (rev == null) {
        return "unknown (git describe failed)";
      }
      String changes =
          git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)results");
      return "git " + rev + (changes == null || changes.isEmpty() ? "" : "-dirty");
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  /** git's trimmed output, or null when it exits non-zero. */
  private static String git(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("git");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    return p.waitFor() == 0 ? out : null;
  }

  private static Map<String, String> runProbe() throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(BenchJvm.forkArgs());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ForkProbe.class.getName()));
    // stderr (the incubator-module and netlib "no native BLAS" warnings) is merged and shown only
    // on failure
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    if (rc != 0) {
      throw new IOException("environment probe " + cmd + " exited with " + rc + ":\n" + out);
    }
    Map<String, String> m = new TreeMap<>();
    for (String line : out.split("\n")) {
      if (line.startsWith(ForkProbe.PREFIX)) {
        int eq = line.indexOf('=');
        m.put(line.substring(ForkProbe.PREFIX.length(), eq), line.substring(eq + 1).trim());
      }
    }
    return m;
  }
}
