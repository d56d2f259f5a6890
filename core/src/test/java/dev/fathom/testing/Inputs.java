package dev.fathom.testing;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.Tensor;

/**
 * Seeded test inputs for gradient checks, chosen away from the kinks of the ops under test (so a
 * finite-difference step never crosses a point where the derivative jumps).
 */
public final class Inputs {
  private Inputs() {}

  /** Standard normal values, requiring grad. */
  public static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Rng(seed), shape).requiresGrad(true);
  }

  /** Uniform values in [lo, hi), requiring grad. */
  public static Tensor uniform(long seed, float lo, float hi, int... shape) {
    return Tensor.uniform(new Rng(seed), lo, hi, shape).requiresGrad(true);
  }

  /** Normal values pushed at least {@code gap} away from 0 (for relu, abs), requiring grad. */
  public static Tensor awayFromZero(long seed, float gap, int... shape) {
    Tensor t = Tensor.randn(new Rng(seed), shape);
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) d[i] = d[i] >= 0 ? d[i] + gap : d[i] - gap;
    return t.requiresGrad(true);
  }

  /**
   * Distinct values, a shuffled even grid over [-1, 1] with spacing 2/n (no ties for max/min),
   * requiring grad. Use a relative step below a quarter of the spacing.
   */
  public static Tensor distinct(long seed, int... shape) {
    int n = Shape.numel(shape);
    int[] p = new Rng(seed).permutation(n);
    float[] d = new float[n];
    for (int i = 0; i < n; i++) d[i] = -1f + 2f * (p[i] + 0.5f) / n;
    return Tensor.of(d, shape).requiresGrad(true);
  }

  /** A copy of {@code values} as a tensor of the given shape, requiring grad. */
  public static Tensor of(float[] values, int... shape) {
    return Tensor.of(values.clone(), shape).requiresGrad(true);
  }

  /** Int64 indices. */
  public static Tensor longs(long[] values, int... shape) {
    return Tensor.ofLongs(values.clone(), shape);
  }
}
