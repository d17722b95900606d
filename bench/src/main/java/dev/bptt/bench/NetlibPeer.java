package dev.bptt.bench;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The netlib-java peers, each named for what it is. {@code BLAS.getInstance()} silently becomes the
 * JNI binding of a native BLAS (OpenBLAS) when one is installed, which changed the meaning of a
 * "netlib" column from one machine to the next; so the pure-Java peer is forced ({@code
 * JavaBLAS.getInstance()}: {@code VectorBLAS} with the vector module), and a native BLAS, when
 * {@code NativeBLAS.getInstance()} finds one, is a separate peer ("OpenBLAS (JNI)"). Single-thread
 * comparisons need the native library pinned to one thread: the bench profile sets {@code
 * OPENBLAS_NUM_THREADS=1} for the suite and its forks, and the report prints the value each fork
 * saw. The classes are printed once per JVM.
 */
public final class NetlibPeer {
  /** Class name of the Vector API implementation the pure-Java comparison is meant to use. */
  public static final String VECTOR_BLAS = "dev.ludovic.netlib.blas.VectorBLAS";

  /** Benchmark method name of the native peer in every peer-table benchmark. */
  public static final String NATIVE_METHOD = "openblas";

  /** Made on first use, in a fork with the vector module (the suite's host JVM has none). */
  private static final class Java {
    static final BLAS INSTANCE = JavaBLAS.getInstance();

    static {
      String cls = INSTANCE.getClass().getName();
      System.out.println("# netlib JavaBLAS.getInstance(): " + cls);
      if (!cls.equals(VECTOR_BLAS)) {
        System.out.println(
            "# WARNING: the pure-Java netlib peer is "
                + cls
                + ", not "
                + VECTOR_BLAS
                + " (the vector module is missing)");
      }
    }
  }

  private static final class Native {
    static final BLAS INSTANCE = loadNative();

    static {
      System.out.println(
          "# netlib NativeBLAS.getInstance(): "
              + (INSTANCE == null ? "none" : INSTANCE.getClass().getName())
              + ", OPENBLAS_NUM_THREADS="
              + System.getenv("OPENBLAS_NUM_THREADS"));
    }
  }

  private NetlibPeer() {}

  private static BLAS loadNative() {
    try {
      return NativeBLAS.getInstance();
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }

  /** The pure-Java peer (VectorBLAS), the same for the whole JVM. */
  public static BLAS blas() {
    return Java.INSTANCE;
  }

  /** The native peer through JNI, or null when no native BLAS is installed. */
  public static BLAS nativeBlas() {
    return Native.INSTANCE;
  }

  /** Whether a native BLAS was found in this JVM. */
  public static boolean nativeAvailable() {
    return Native.INSTANCE != null;
  }

  /** {@code impls} plus the native peer's entry when one is installed (agreement checks). */
  public static <T> Map<String, T> withNative(Map<String, T> impls, T nativeImpl) {
    Map<String, T> m = new LinkedHashMap<>(impls);
    if (Native.INSTANCE != null) {
      m.put(NATIVE_METHOD, nativeImpl);
    }
    return m;
  }
}
