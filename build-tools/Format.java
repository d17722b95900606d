import com.google.googlejavaformat.java.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs google-java-format over every .java file of the tree. The parent pom starts it on the JDK
 * toolchain (exec-maven-plugin) as {@code java -cp google-java-format-all-deps.jar Format.java MODE
 * ROOT CACHE [SKIPPED_DIR...]}.
 *
 * <ul>
 *   <li>MODE {@code check} lists the unformatted files and exits 1 if there are any; {@code apply}
 *       rewrites them in place, repeating until the output is stable (one pass is not always
 *       enough: reflowed strings and removed imports can need a second pass).
 *   <li>Hidden folders, {@code target}, {@code target-*} and the SKIPPED_DIR names are not
 *       searched.
 *   <li>CACHE (a file in the build folder, named after the formatter version) holds the SHA-256 of
 *       every file last seen formatted; those files are not formatted again, so a build with few
 *       changed files costs little. Delete it (or {@code mvn clean}) to force a full run.
 * </ul>
 */
public final class Format {
  private static final int MAX_APPLY_PASSES = 4;

  public static void main(String[] args) throws IOException {
    if (args.length < 3 || !Set.of("check", "apply").contains(args[0])) {
      System.err.println("usage: Format.java check|apply ROOT CACHE [SKIPPED_DIR...]");
      System.exit(2);
    }
    boolean apply = args[0].equals("apply");
    Path root = Path.of(args[1]);
    Path cache = Path.of(args[2]);
    Set<String> skipped = Set.copyOf(List.of(args).subList(3, args.length));
    List<Path> files = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            String name = dir.getFileName().toString();
            boolean skip =
                !dir.equals(root)
                    && (name.startsWith(".")
                        || name.equals("target")
                        || name.startsWith("target-")
                        || skipped.contains(name));
            return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (file.getFileName().toString().endsWith(".java")) {
              files.add(file.normalize());
            }
            return FileVisitResult.CONTINUE;
          }
        });
    files.sort(null);

    Set<String> known = new TreeSet<>();
    if (Files.isRegularFile(cache)) {
      known.addAll(Files.readAllLines(cache));
    }
    List<Path> todo = files.stream().filter(f -> !known.contains(hash(f))).toList();
    int rc = 0;
    if (!todo.isEmpty() && !apply) {
      rc = gjf(List.of("--dry-run", "--set-exit-if-changed"), todo);
    }
    int passes = 0;
    for (List<Path> pass = todo; apply && rc == 0 && !pass.isEmpty(); passes++) {
      if (passes == MAX_APPLY_PASSES) {
        System.err.println(
            "google-java-format: output still changing after " + passes + " passes: " + pass);
        rc = 1;
        break;
      }
      List<String> before = pass.stream().map(Format::hash).toList();
      rc = gjf(List.of("--replace"), pass);
      List<Path> changed = new ArrayList<>();
      for (int i = 0; i < pass.size(); i++) {
        if (!hash(pass.get(i)).equals(before.get(i))) {
          changed.add(pass.get(i));
        }
      }
      pass = changed;
    }
    if (rc == 0) {
      Files.createDirectories(cache.toAbsolutePath().getParent());
      Files.write(cache, files.stream().map(Format::hash).toList());
      System.out.printf(
          "google-java-format: %d files, %d %s (%d unchanged since the last run)%n",
          files.size(),
          todo.size(),
          apply ? "formatted in " + passes + " pass(es)" : "checked, all formatted",
          files.size() - todo.size());
    } else if (!apply) {
      System.err.println(
          "google-java-format: the files listed above are not formatted (or do not parse); fix"
              + " them with: mvn -N validate -Dformat.mode=apply");
    }
    System.exit(rc);
  }

  private static int gjf(List<String> options, List<Path> files) {
    List<String> args = new ArrayList<>(options);
    files.forEach(f -> args.add(f.toString()));
    PrintWriter err = new PrintWriter(System.err, true);
    try {
      return new Main(new PrintWriter(System.out, true), err, System.in)
          .format(args.toArray(String[]::new));
    } catch (Exception e) {
      err.println("google-java-format: " + e);
      return 2;
    }
  }

  private static String hash(Path file) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
