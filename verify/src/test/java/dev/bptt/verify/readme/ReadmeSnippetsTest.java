package dev.bptt.verify.readme;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every code region between {@code // README-EXAMPLE-BEGIN name} and {@code // README-EXAMPLE-END
 * name} in the test sources appears verbatim (after removing the common indentation) in the
 * project's README.md, so the README's examples are exactly code that compiles and runs in this
 * suite.
 */
class ReadmeSnippetsTest {
  private static final Pattern REGION =
      Pattern.compile(
          "// README-EXAMPLE-BEGIN (\\S+)\\R(.*?)\\R\\s*// README-EXAMPLE-END \\1", Pattern.DOTALL);

  @Test
  void readmeShowsEveryCompiledExample() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    String readme = Files.readString(root.resolve("README.md")).replace("\r\n", "\n");
    List<String> missing = new ArrayList<>();
    int found = 0;
    try (Stream<Path> files = Files.walk(root.resolve("verify/src/test/java"))) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
        Matcher m = REGION.matcher(Files.readString(f).replace("\r\n", "\n"));
        while (m.find()) {
          found++;
          String snippet = m.group(2).stripIndent().strip();
          if (!readme.contains(snippet)) {
            missing.add(m.group(1) + " (" + f.getFileName() + ")");
          }
        }
      }
    }
    assertTrue(found > 0, "no README-EXAMPLE regions found under verify/src/test/java");
    assertFalse(!missing.isEmpty(), "README.md lacks these compiled examples verbatim: " + missing);
  }
}
