package dev.fathom.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernel selection: the Vector API path by default, the scalar twins when the system property
 * {@code fathom.kernels=scalar} is set (for debugging and for parity tests).
 */
public final class Kernels {

  /** The widest float species this CPU offers (AVX-512: 16 lanes). */
  public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  private static final boolean SCALAR = "scalar".equalsIgnoreCase(System.getProperty("fathom.kernels", ""));

  private Kernels() {}

  /** True when every kernel must take its scalar path. */
  public static boolean scalarOnly() {
    return SCALAR;
  }

  /** One line describing the active kernels, for {@code fathom info}. */
  public static String describe() {
    return SCALAR
        ? "scalar (fathom.kernels=scalar)"
        : "Vector API, " + F.length() + " float lanes (" + F.vectorBitSize() + "-bit)";
  }

  /**
   * One line naming the GEMM backend, for {@code fathom info}: scalar, pure Java (the default),
   * or native BLAS when {@code fathom.gemm=native} / {@code FATHOM_GEMM=native} asked for it and
   * the library was found; a native request that could not be met says why.
   */
  public static String describeGemm() {
    if (SCALAR) return "ScalarGemm (fathom.kernels=scalar)";
    if (Gemm.nativeActive()) {
      int t = NativeBlas.threads();
      return "native BLAS cblas_sgemm (" + NativeBlas.library()
          + (t > 0 ? ", OpenBLAS threads: " + t + " (OPENBLAS_NUM_THREADS)" : "") + ")";
    }
    String java = "pure Java Gemm (packed panels, register-blocked Vector API micro-kernel)";
    return NativeBlas.requested()
        ? java + " (native requested but unavailable: " + NativeBlas.reason() + ")"
        : java;
  }
}
