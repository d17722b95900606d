package dev.bptt.verify;

import dev.bptt.kernel.internal.BlasSupport;
import dev.bptt.kernel.internal.VectorizationProvider;
import java.util.ArrayList;
import java.util.List;

/** The BLAS twins present in this JVM: the scalar one, and the Vector API one when available. */
public final class Twins {
  private Twins() {}

  /** The scalar twin, then the Panama twin if the vector module is present. */
  public static List<BlasSupport> blas() {
    List<BlasSupport> k = new ArrayList<>();
    k.add(VectorizationProvider.scalar().blas());
    VectorizationProvider.panama().ifPresent(p -> k.add(p.blas()));
    return k;
  }
}
