package dev.bptt.verify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a piece of code allocates, for the message of a failed allocation test: the code runs again
 * under a JFR recording of allocation samples, and the project frames nearest to each sample are
 * counted. An allocation that appears only after the whole suite has shaped the JIT's profiles (a
 * method left in C1, whose Vector API code boxes every vector) cannot be reproduced alone, so the
 * failing run itself has to say where it allocated.
 */
public final class AllocationSites {
  private AllocationSites() {}

  /**
   * Runs {@code code} under a recording and returns the most sampled allocation sites ("first
   * project frame &lt; its caller"), at most {@code top} of them, with their sample counts.
   */
  public static String of(Runnable code, int top) {
    Path file = null;
    try (Recording r = new Recording()) {
      r.enable("jdk.ObjectAllocationSample").with("throttle", "10000/s").withStackTrace();
      r.enable("jdk.ObjectAllocationInNewTLAB").withStackTrace();
      r.enable("jdk.ObjectAllocationOutsideTLAB").withStackTrace();
      r.start();
      code.run();
      r.stop();
      file = Files.createTempFile("allocation-sites", ".jfr");
      r.dump(file);
      Map<String, Integer> counts = new HashMap<>();
      for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
        if (e.getStackTrace() == null) {
          continue;
        }
        counts.merge(site(e.getStackTrace().getFrames()), 1, Integer::sum);
      }
      StringBuilder sb = new StringBuilder();
      counts.entrySet().stream()
          .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
          .limit(top)
          .forEach(en -> sb.append("\n  ").append(en.getValue()).append(" × ").append(en.getKey()));
      return sb.length() == 0 ? "\n  (no allocation sampled)" : sb.toString();
    } catch (IOException | RuntimeException ex) {
      return "\n  (allocation sites not recorded: " + ex + ")";
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // a temporary file left behind
        }
      }
    }
  }

  private static String site(List<RecordedFrame> frames) {
    for (int i = 0; i < frames.size(); i++) {
      String m = name(frames.get(i));
      if (m.startsWith("dev.bptt.kernel")) {
        String caller = i + 1 < frames.size() ? name(frames.get(i + 1)) : "?";
        return m + " (" + frames.get(i).getType() + ") < " + caller;
      }
    }
    return frames.isEmpty() ? "?" : name(frames.get(0));
  }

  private static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }
}
