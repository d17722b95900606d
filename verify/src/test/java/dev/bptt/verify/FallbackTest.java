package dev.bptt.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The fallback a user gets without {@code --add-modules jdk.incubator.vector}: a child JVM on this
 * test's class path, with no kernel property, must run the scalar twin, compute correctly and log
 * exactly one warning that says how to enable SIMD. With the flag, it must pick the Vector API.
 */
class FallbackTest {

  @Test
  void withoutTheVectorModuleTheScalarTwinRunsWithOneWarning() throws Exception {
    Result r = run(List.of());
    assertEquals("scalar 5.0", r.stdout.strip(), r.toString());
    List<String> warnings = r.stderr.lines().filter(l -> l.contains("bptt-kernel")).toList();
    assertEquals(1, warnings.size(), r.toString());
    assertTrue(warnings.getFirst().contains("--add-modules jdk.incubator.vector"), r.toString());
  }

  @Test
  void withTheVectorModuleTheVectorApiRunsWithoutWarning() throws Exception {
    Result r = run(List.of("--add-modules", "jdk.incubator.vector"));
    assertTrue(r.stdout.strip().matches("panama-\\d+ 5\\.0"), r.toString());
    assertTrue(r.stderr.lines().noneMatch(l -> l.contains("bptt-kernel")), r.toString());
  }

  private record Result(int exit, String stdout, String stderr) {}

  private static Result run(List<String> jvmArgs) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(FallbackProbe.class.getName());
    Process p = new ProcessBuilder(cmd).start();
    p.getOutputStream().close();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("child JVM did not finish in 60 s: " + cmd);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), "exit code; stdout: " + out + " stderr: " + err);
    return new Result(p.exitValue(), out, err);
  }
}
