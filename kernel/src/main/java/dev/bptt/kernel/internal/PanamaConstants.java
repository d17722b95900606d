package dev.bptt.kernel.internal;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one float species of the Panama kernels, a {@code static final} so C2 folds it. {@code
 * SPECIES_PREFERRED} unless the test-only property {@code dev.bptt.kernel.vectorBits} asks for a
 * smaller (or equal) width.
 */
final class PanamaConstants {
  private PanamaConstants() {}

  static final VectorSpecies<Float> F = species();
  static final int L = F.length();
  static final int BITS = F.vectorBitSize();

  /**
   * F's concrete vector class. A vector a loop carries is cast to it ({@code V.cast(v)}, which C2
   * folds for a constant class) before it becomes the receiver of an operation after the loop: in
   * an on-stack-replacement compile the loop's vectors enter typed as the abstract FloatVector, and
   * without a receiver-type profile C2 then calls the operation virtually, whose Java fallback
   * allocates on every call (seen: 224 MB per LSTM pass in about one JVM in eight; always under
   * {@code -XX:TypeProfileWidth=0}, which the allocation tests' stress execution runs with).
   */
  @SuppressWarnings("unchecked")
  static final Class<? extends FloatVector> V = (Class<? extends FloatVector>) F.vectorType();

  private static VectorSpecies<Float> species() {
    String bits = System.getProperty(VectorizationProvider.BITS_PROPERTY);
    if (bits == null || bits.isBlank()) {
      return FloatVector.SPECIES_PREFERRED;
    }
    int b = Integer.parseInt(bits.trim());
    if (b > FloatVector.SPECIES_PREFERRED.vectorBitSize()) {
      throw new IllegalStateException(
          "-D"
              + VectorizationProvider.BITS_PROPERTY
              + "="
              + b
              + " exceeds the preferred vector size "
              + FloatVector.SPECIES_PREFERRED.vectorBitSize());
    }
    return VectorSpecies.of(float.class, VectorShape.forBitSize(b));
  }
}
