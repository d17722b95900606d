package dev.bptt.bench.report;

import dev.bptt.bench.NetlibPeer;
import dev.bptt.kernel.blas.Blas;
import dev.ludovic.netlib.blas.BLAS;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Started by the suite as a child JVM with the benchmark forks' flags, to report what the forks
 * see: which kernel implementation {@link Blas} chose, which class netlib's {@code
 * BLAS.getInstance()} returned, and the JDK. Prints {@code probe.key=value} lines on stdout.
 */
public final class ForkProbe {
  /**
   * Prefix of every line this probe prints, so that JVM warnings on the same stream are ignored.
   */
  static final String PREFIX = "probe.";

  private ForkProbe() {}

  public static void main(String[] args) {
    print("blas.implementation", Blas.implementation());
    print("netlib.java", NetlibPeer.blas().getClass().getName());
    BLAS nat = NetlibPeer.nativeBlas();
    print("netlib.native", nat == null ? "none" : nat.getClass().getName());
    print("openblas.threads", String.valueOf(System.getenv("OPENBLAS_NUM_THREADS")));
    print("jvm.args", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    for (String k :
        List.of(
            "java.version",
            "java.vm.name",
            "java.vm.version",
            "java.vendor",
            "java.home",
            "os.name",
            "os.version",
            "os.arch")) {
      print(k, System.getProperty(k));
    }
  }

  private static void print(String key, String value) {
    System.out.println(PREFIX + key + "=" + value);
  }
}
