package dev.fathom.insight.sensitivity;

import java.util.List;

/**
 * A Boolean function f: {0,1}ⁿ → {0,1} of a fixed input length n, with its exact average
 * sensitivity (Hahn and Rofin, "Why are Sensitive Functions Hard for Transformers?", ACL 2024):
 *
 * <pre>
 *   as_n(f) = E_{x ~ U({0,1}ⁿ)} |{ i : f(x) ≠ f(x ⊕ eᵢ) }|
 * </pre>
 *
 * the expected number of single-bit flips that change the output. Parity has the largest possible
 * value (n), a dictator (first bit) the smallest non-zero one (1); majority sits between (about
 * √(2n/π)), and a k-sparse parity has k at any length.
 *
 * <p>Inputs are packed into a {@code long}: bit i (value {@code 1L << i}) is input position i,
 * so lengths go up to {@link #MAX_LENGTH}.
 */
public sealed interface BooleanTask permits Parity, Majority, SparseParity, FirstBit {
  /** The longest input a task accepts (inputs are packed into a long). */
  int MAX_LENGTH = 62;

  /** The names {@link #of} accepts, in the order the CLI lists them. */
  List<String> NAMES = List.of("parity", "majority", "sparse-parity", "first");

  /** The task's name as the CLI and the results table spell it. */
  String name();

  /** The input length n. */
  int length();

  /**
   * f(x).
   *
   * @param bits the input, bit i = position i; bits at positions ≥ n are ignored
   * @return 0 or 1
   */
  int apply(long bits);

  /** The exact average sensitivity as_n(f), from a closed form (no enumeration). */
  double averageSensitivity();

  /**
   * The task named {@code name} at length {@code n}.
   *
   * @param sparseK relevant bits of {@code sparse-parity} (ignored by the others)
   * @param seed picks the relevant positions of {@code sparse-parity} (ignored by the others)
   * @throws IllegalArgumentException for an unknown name or a length the task does not accept
   */
  static BooleanTask of(String name, int n, int sparseK, long seed) {
    return switch (name) {
      case "parity" -> new Parity(n);
      case "majority" -> new Majority(n);
      case "sparse-parity" -> SparseParity.seeded(n, sparseK, seed);
      case "first" -> new FirstBit(n);
      default -> throw new IllegalArgumentException("unknown Boolean task '" + name + "', expected one of " + NAMES);
    };
  }

  /** Checks 1 ≤ n ≤ {@link #MAX_LENGTH}; used by the implementations' constructors. */
  static void checkLength(String task, int n) {
    if (n < 1 || n > MAX_LENGTH) {
      throw new IllegalArgumentException(task + ": length must be in [1, " + MAX_LENGTH + "], got " + n);
    }
  }
}
