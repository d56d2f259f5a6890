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
}
