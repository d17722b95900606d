package dev.bptt.kernel.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;
import java.util.Optional;

/**
 * Chooses, once per JVM, the kernel implementation: the Vector API one when the {@code
 * jdk.incubator.vector} module is present and the preferred vector size is at least 128 bits, else
 * the scalar twin with one {@link System.Logger} warning that says how to enable SIMD.
 *
 * <p>System properties:
 *
 * <ul>
 *   <li>{@code dev.bptt.kernel.impl=scalar|panama} forces an implementation ({@code panama} fails
 *       loudly when the module is absent rather than silently falling back);
 *   <li>{@code dev.bptt.kernel.vectorBits=128|256|512} is a test and diagnostic switch, not a
 *       tuning knob: it forces a species no wider than the preferred one (read once by {@code
 *       PanamaConstants}) so that the test suite runs the 128-bit code paths on an AVX-512 machine;
 *       production code should leave it unset and get {@code FloatVector.SPECIES_PREFERRED}.
 * </ul>
 *
 * <p>No Vector API type is mentioned in this class: the Panama classes are loaded reflectively only
 * after the module check, so a JVM without the module never links them (Lucene's rule).
 */
public abstract class VectorizationProvider {

  /** Package-private: only the two implementations in this package exist (Lucene's rule). */
  VectorizationProvider() {}

  /** Property that forces the implementation: {@code scalar} or {@code panama}. */
  public static final String IMPL_PROPERTY = "dev.bptt.kernel.impl";

  /** Test-only property that forces the vector width in bits. */
  public static final String BITS_PROPERTY = "dev.bptt.kernel.vectorBits";

  private static final System.Logger LOG = System.getLogger(VectorizationProvider.class.getName());

  /** The BLAS-style kernels of this implementation. */
  public abstract BlasSupport blas();

  /** The fused gated-cell passes of this implementation. */
  public abstract CellSupport cells();

  /** The fused optimizer passes of this implementation. */
  public abstract OptimizerSupport optimizers();

  /** The provider in use (chosen on first call, then fixed). */
  public static VectorizationProvider get() {
    return Holder.INSTANCE;
  }

  /** A new scalar provider, for tests that compare both twins in one JVM. */
  public static VectorizationProvider scalar() {
    return new DefaultVectorizationProvider();
  }

  /**
   * A new Panama provider, or empty when the vector module is absent or unusable: for tests that
   * compare both twins in one JVM.
   */
  public static Optional<VectorizationProvider> panama() {
    try {
      return Optional.of(loadPanama());
    } catch (ReflectiveOperationException | LinkageError | UnsupportedOperationException e) {
      return Optional.empty();
    }
  }

  static VectorizationProvider lookup() {
    String forced = System.getProperty(IMPL_PROPERTY, "").trim().toLowerCase(Locale.ROOT);
    switch (forced) {
      case "scalar" -> {
        LOG.log(
            System.Logger.Level.INFO,
            "bptt-kernel: scalar kernels forced by -D" + IMPL_PROPERTY + "=scalar");
        return new DefaultVectorizationProvider();
      }
      case "panama" -> {
        try {
          VectorizationProvider p = loadPanama();
          LOG.log(
              System.Logger.Level.INFO,
              "bptt-kernel: " + p.blas().name() + " kernels forced by -D" + IMPL_PROPERTY);
          return p;
        } catch (ReflectiveOperationException | LinkageError | UnsupportedOperationException e) {
          throw new IllegalStateException(
              "-D"
                  + IMPL_PROPERTY
                  + "=panama but the Vector API is unusable: "
                  + e
                  + ". Pass '--add-modules jdk.incubator.vector' to the JVM.",
              e);
        }
      }
      case "" -> {}
      default ->
          throw new IllegalStateException(
              "-D" + IMPL_PROPERTY + " must be 'scalar' or 'panama', got '" + forced + "'");
    }
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "bptt-kernel: Java vector incubator module is not readable; using scalar kernels. "
              + "For SIMD, pass '--add-modules jdk.incubator.vector' to the JVM.");
      return new DefaultVectorizationProvider();
    }
    try {
      VectorizationProvider p = loadPanama();
      LOG.log(System.Logger.Level.DEBUG, "bptt-kernel: using " + p.blas().name() + " kernels");
      return p;
    } catch (ReflectiveOperationException | LinkageError | UnsupportedOperationException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "bptt-kernel: Java vector incubator API not enabled ("
              + e.getMessage()
              + "); using scalar kernels. "
              + "For SIMD, run on HotSpot C2 with '--add-modules jdk.incubator.vector'.");
      return new DefaultVectorizationProvider();
    }
  }

  private static VectorizationProvider loadPanama() throws ReflectiveOperationException {
    // Runs on the class path (unnamed module) and on the module path (named dev.bptt.kernel,
    // which 'requires static' the vector module and so must add a read edge when it is present).
    Module self = VectorizationProvider.class.getModule();
    ModuleLayer.boot().findModule("jdk.incubator.vector").ifPresent(self::addReads);
    var lookup = MethodHandles.lookup();
    Class<?> cls =
        lookup.findClass(
            VectorizationProvider.class.getPackageName() + ".PanamaVectorizationProvider");
    try {
      return (VectorizationProvider)
          lookup.findConstructor(cls, MethodType.methodType(void.class)).invoke();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new ReflectiveOperationException(t);
    }
  }

  private static final class Holder {
    static final VectorizationProvider INSTANCE = lookup();
  }
}
