package dev.fathom.insight.sensitivity;

import java.util.function.LongToIntFunction;

/**
 * Average sensitivity by enumeration: as_n(f) = 2⁻ⁿ Σ_x Σ_i 1[f(x) ≠ f(x ⊕ eᵢ)] over all 2ⁿ
 * inputs, the reference the closed forms of {@link BooleanTask#averageSensitivity} are tested
 * against, and the way to get the exact value of any other small function.
 */
public final class AverageSensitivity {
  /** The longest input {@link #enumerate} accepts (2ⁿ values are tabulated). */
  public static final int MAX_ENUMERATED_LENGTH = 24;

  private AverageSensitivity() {}

  /**
   * as_n(f) over all 2ⁿ inputs, in O(n·2ⁿ).
   *
   * @param f the function, called once per input (bit i = position i)
   * @param n input length, 1 ≤ n ≤ {@link #MAX_ENUMERATED_LENGTH}
   * @throws IllegalArgumentException for n outside that range or f returning a value other than 0 or 1
   */
  public static double enumerate(LongToIntFunction f, int n) {
    if (n < 1 || n > MAX_ENUMERATED_LENGTH) {
      throw new IllegalArgumentException("enumerate: n must be in [1, " + MAX_ENUMERATED_LENGTH + "], got " + n);
    }
    int size = 1 << n;
    byte[] value = new byte[size];
    for (int x = 0; x < size; x++) {
      int v = f.applyAsInt(x);
      if (v != 0 && v != 1) throw new IllegalArgumentException("enumerate: f(" + x + ") = " + v + ", expected 0 or 1");
      value[x] = (byte) v;
    }
    long flips = 0;
    for (int x = 0; x < size; x++) {
      for (int i = 0; i < n; i++) if (value[x] != value[x ^ (1 << i)]) flips++;
    }
    return (double) flips / size;
  }

  /** as_n of a task by enumeration. */
  public static double enumerate(BooleanTask task) {
    return enumerate(task::apply, task.length());
  }

  /**
   * The mean over the n outputs of a parity scratchpad of each output's average sensitivity as a
   * function of the tokens it reads. Output 1 is s₁ = x₁ (sensitivity 1); output i > 1 is
   * sᵢ = sᵢ₋₁ ⊕ xᵢ, computed from the fed-back token sᵢ₋₁ and the input xᵢ (sensitivity 2), so the
   * mean is (1 + 2(n − 1))/n, bounded by 2 whatever the length, against n for direct parity.
   */
  public static double scratchpadParityStep(int n) {
    if (n < 1) throw new IllegalArgumentException("scratchpadParityStep: n must be >= 1, got " + n);
    return (1 + 2.0 * (n - 1)) / n;
  }
}
