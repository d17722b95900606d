package dev.bptt.bench;

import dev.ludovic.netlib.blas.BLAS;

/**
 * The netlib-java peer, {@code BLAS.getInstance()}: on a machine without a system BLAS it tries the
 * JNI binding, logs that it failed, and returns {@code VectorBLAS} (Vector API) when {@code
 * jdk.incubator.vector} is present. Its class is printed once per JVM so that every fork's log says
 * which implementation was measured; anything other than VectorBLAS is flagged.
 */
public final class NetlibPeer {
  /** Class name of the Vector API implementation the comparison is meant to use. */
  public static final String VECTOR_BLAS = "dev.ludovic.netlib.blas.VectorBLAS";

  private static final BLAS INSTANCE = BLAS.getInstance();

  static {
    String cls = INSTANCE.getClass().getName();
    System.out.println("# netlib BLAS.getInstance(): " + cls);
    if (!cls.equals(VECTOR_BLAS)) {
      System.out.println(
          "# WARNING: netlib peer is "
              + cls
              + ", not "
              + VECTOR_BLAS
              + " (a native BLAS was found, or the vector module is missing)");
    }
  }

  private NetlibPeer() {}

  /** The instance, the same for the whole JVM. */
  public static BLAS blas() {
    return INSTANCE;
  }
}
