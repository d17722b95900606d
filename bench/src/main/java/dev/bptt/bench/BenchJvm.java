package dev.bptt.bench;

import java.util.List;

/**
 * JVM flags of every benchmark fork, as compile-time constants so that {@code @Fork} annotations
 * and the {@link dev.bptt.bench.report.ForkProbe} launcher use the very same list.
 */
public final class BenchJvm {
  /** The kernels need the incubator module; without it they fall back to scalar code. */
  public static final String ADD_VECTOR_MODULE = "--add-modules=jdk.incubator.vector";

  /** Silences JMH 1.37's {@code sun.misc.Unsafe} deprecation warnings on JDK 25. */
  public static final String ALLOW_UNSAFE = "--sun-misc-unsafe-memory-access=allow";

  /**
   * netlib-java tries to load a native BLAS through JNI; this keeps JDK 25's warnings about it out
   * of the logs.
   */
  public static final String ENABLE_NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

  /** A fixed heap: no heap resizing during measurement, same footprint in every fork. */
  public static final String HEAP_MIN = "-Xms1g";

  /** See {@link #HEAP_MIN}. */
  public static final String HEAP_MAX = "-Xmx1g";

  private BenchJvm() {}

  /** The fork flags in the order {@code @Fork(jvmArgsAppend)} lists them. */
  public static List<String> forkArgs() {
    return List.of(ADD_VECTOR_MODULE, ALLOW_UNSAFE, ENABLE_NATIVE_ACCESS, HEAP_MIN, HEAP_MAX);
  }
}
