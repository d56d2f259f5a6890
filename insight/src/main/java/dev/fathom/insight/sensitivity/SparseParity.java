package dev.fathom.insight.sensitivity;

import dev.fathom.tensor.Rng;
import java.util.Arrays;

/**
 * k-sparse parity: f(x) = ⊕_{i ∈ S} xᵢ over a fixed set S of k relevant positions. Flipping a
 * relevant bit always changes f and flipping any other never does, so as_n = k at every length:
 * a low-sensitivity function that is still hard for gradient descent to find (Barak et al. 2022).
 *
 * @param length n
 * @param positions the relevant positions, strictly increasing, each in [0, n)
 */
public record SparseParity(int length, int[] positions) implements BooleanTask {
  public SparseParity {
    BooleanTask.checkLength("sparse-parity", length);
    if (positions == null || positions.length < 1 || positions.length > length) {
      throw new IllegalArgumentException("sparse-parity: need 1 <= k <= n = " + length + " relevant positions, got "
          + (positions == null ? "none" : positions.length));
    }
    positions = positions.clone();
    for (int i = 0; i < positions.length; i++) {
      if (positions[i] < 0 || positions[i] >= length || (i > 0 && positions[i] <= positions[i - 1])) {
        throw new IllegalArgumentException("sparse-parity: positions must be strictly increasing in [0, " + length + "), got "
            + Arrays.toString(positions));
      }
    }
  }

  /** k positions drawn without replacement from [0, n) by {@code seed}, sorted. */
  public static SparseParity seeded(int n, int k, long seed) {
    BooleanTask.checkLength("sparse-parity", n);
    if (k < 1 || k > n) throw new IllegalArgumentException("sparse-parity: k must be in [1, n = " + n + "], got " + k);
    int[] p = Arrays.copyOf(new Rng(seed).permutation(n), k);
    Arrays.sort(p);
    return new SparseParity(n, p);
  }

  @Override
  public int[] positions() {
    return positions.clone();
  }

  /** k, the number of relevant positions. */
  public int k() {
    return positions.length;
  }

  @Override
  public String name() {
    return "sparse-parity";
  }

  @Override
  public int apply(long bits) {
    int v = 0;
    for (int p : positions) v ^= (int) (bits >>> p) & 1;
    return v;
  }

  @Override
  public double averageSensitivity() {
    return positions.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SparseParity s && s.length == length && Arrays.equals(s.positions, positions);
  }

  @Override
  public int hashCode() {
    return 31 * length + Arrays.hashCode(positions);
  }

  @Override
  public String toString() {
    return "SparseParity[length=" + length + ", positions=" + Arrays.toString(positions) + "]";
  }
}
