package dev.bptt.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.blas.Blas;
import dev.bptt.kernel.internal.VectorizationProvider;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The implementation in use is the one the system properties ask for: "scalar" with {@code
 * -Ddev.bptt.kernel.impl=scalar} (or without the vector module), "panama-&lt;bits&gt;" with {@code
 * -Ddev.bptt.kernel.vectorBits=&lt;bits&gt;}, else "panama-&lt;preferred bits&gt;". Each of the
 * three surefire executions checks its own configuration.
 */
class ProviderTest {

  @Test
  void implementationInUseMatchesSystemProperties() {
    String impl = System.getProperty(VectorizationProvider.IMPL_PROPERTY, "").trim();
    String bits = System.getProperty(VectorizationProvider.BITS_PROPERTY, "").trim();
    boolean vectorModule = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    String expected;
    if (impl.equals("scalar") || (impl.isEmpty() && !vectorModule)) {
      expected = "scalar";
    } else if (!bits.isEmpty()) {
      expected = "panama-" + bits;
    } else {
      expected = "panama-" + Preferred.bits();
    }
    assertEquals(
        expected,
        Blas.implementation(),
        "impl='" + impl + "' vectorBits='" + bits + "' vector module present=" + vectorModule);
  }

  @Test
  void twinsAreNamedAfterTheirKind() {
    assertEquals("scalar", VectorizationProvider.scalar().blas().name());
    VectorizationProvider.panama()
        .ifPresent(
            p -> assertTrue(p.blas().name().matches("panama-(128|256|512)"), p.blas().name()));
  }

  /** Loaded only when the vector module is present (its class links against FloatVector). */
  private static final class Preferred {
    static int bits() {
      return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }
  }
}
