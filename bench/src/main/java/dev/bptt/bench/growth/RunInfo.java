package dev.bptt.bench.growth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * Where, when and how a growth run happened, for the top of its markdown summaries: date (UTC),
 * machine (CPU model from /proc/cpuinfo, logical cores), JDK, preset and the command lines (the
 * Maven command the README documents, and this JVM's own).
 *
 * @param preset default or full
 */
record RunInfo(String date, String machine, String jdk, String preset, String javaCommand) {

  /** Probes the current JVM and machine. */
  static RunInfo probe(String preset) {
    String cpu = System.getProperty("os.arch");
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (Files.isReadable(cpuinfo)) {
      try {
        for (String l : Files.readAllLines(cpuinfo)) {
          int colon = l.indexOf(':');
          if (colon > 0 && l.substring(0, colon).trim().equals("model name")) {
            cpu = l.substring(colon + 1).trim();
            break;
          }
        }
      } catch (IOException e) {
        // keep os.arch
      }
    }
    String machine =
        cpu
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " logical cores, "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.version");
    String jdk =
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")";
    String cmd =
        ProcessHandle.current()
            .info()
            .commandLine()
            .orElse("java … dev.bptt.bench.growth.GrowthMain");
    return new RunInfo(
        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), machine, jdk, preset, cmd);
  }

  /** The Maven command that runs this preset (README: the bench profile). */
  String mavenCommand() {
    return "mvn -B -ntp -Pbench -DskipTests package"
        + (preset.equals("default") ? "" : " -Dpreset=" + preset);
  }

  /** A two-column markdown table, followed by a blank line. */
  String markdown() {
    StringBuilder sb = new StringBuilder("| run | |\n|---|---|\n");
    for (List<String> row :
        List.of(
            List.of("date (UTC)", date),
            List.of("machine", machine),
            List.of("JDK", jdk),
            List.of("preset", preset),
            List.of("command", "`" + mavenCommand() + "`"),
            List.of("JVM command line", "`" + javaCommand.replace("`", "'") + "`"))) {
      sb.append(
          String.format(Locale.ROOT, "| %s | %s |%n", row.get(0), row.get(1).replace("|", "\\|")));
    }
    return sb.append('\n').toString();
  }
}
