package dev.fathom.insight.sensitivity;

/**
 * MAJORITY: f(x) = 1 iff more than half of the bits are 1 (|x| > n/2; a tie at even n gives 0).
 *
 * <p>f is the threshold function 1[|x| ≥ t] with t = ⌊n/2⌋ + 1. A flip changes it exactly when
 * |x| = t and a one is flipped (t choices) or |x| = t − 1 and a zero is flipped (n − t + 1
 * choices), so
 *
 * <pre>
 *   as_n = (t·C(n, t) + (n − t + 1)·C(n, t − 1)) / 2ⁿ = 2t·C(n, t) / 2ⁿ,
 * </pre>
 *
 * which for odd n is n·C(n − 1, (n − 1)/2) / 2ⁿ⁻¹ ≈ √(2n/π).
 */
public record Majority(int length) implements BooleanTask {
  public Majority {
    BooleanTask.checkLength("majority", length);
  }

  @Override
  public String name() {
    return "majority";
  }

  @Override
  public int apply(long bits) {
    return 2 * Long.bitCount(bits & Parity.mask(length)) > length ? 1 : 0;
  }

  @Override
  public double averageSensitivity() {
    int t = length / 2 + 1;
    // 2t·C(n,t)/2ⁿ as a running product, so no intermediate exceeds double's range
    double v = 2.0 * t;
    for (int i = 1; i <= t; i++) v *= (double) (length - t + i) / i / 2;
    return v / Math.pow(2, length - t);
  }
}
