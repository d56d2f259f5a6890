package dev.fathom.insight.sensitivity;

/**
 * PARITY: f(x) = x₁ ⊕ … ⊕ xₙ. Every flip changes the output, so as_n = n, the largest possible
 * average sensitivity at length n.
 */
public record Parity(int length) implements BooleanTask {
  public Parity {
    BooleanTask.checkLength("parity", length);
  }

  @Override
  public String name() {
    return "parity";
  }

  @Override
  public int apply(long bits) {
    return Long.bitCount(bits & mask(length)) & 1;
  }

  @Override
  public double averageSensitivity() {
    return length;
  }

  static long mask(int n) {
    return (1L << n) - 1;
  }
}
