package dev.fathom.tensor;

import java.util.SplittableRandom;

/**
 * A seeded random number generator. All randomness in Fathom (initialization, dropout,
 * shuffling, augmentation) comes in through an explicit {@code Rng}, so that the same seed gives
 * the same run.
 */
public final class Rng {
  private final SplittableRandom random;
  private double spareGaussian = Double.NaN;

  public Rng(long seed) {
    this.random = new SplittableRandom(seed);
  }

  private Rng(SplittableRandom random) {
    this.random = random;
  }

  /** An independent generator derived from this one (advances this one). */
  public Rng split() {
    return new Rng(random.split());
  }

  /** Uniform in [0, 1). */
  public float nextFloat() {
    return (float) ((random.nextLong() >>> 40) * 0x1.0p-24);
  }

  /** Uniform in [0, 1) as a double. */
  public double nextDouble() {
    return random.nextDouble();
  }

  /** Uniform integer in [0, bound). */
  public int nextInt(int bound) {
    return random.nextInt(bound);
  }

  /** Uniform long. */
  public long nextLong() {
    return random.nextLong();
  }

  /** Standard normal sample (Marsaglia polar method, deterministic for a seed). */
  public double nextGaussian() {
    if (!Double.isNaN(spareGaussian)) {
      double g = spareGaussian;
      spareGaussian = Double.NaN;
      return g;
    }
    double u, v, s;
    do {
      u = 2 * random.nextDouble() - 1;
      v = 2 * random.nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    double m = Math.sqrt(-2 * StrictMath.log(s) / s);  // StrictMath: the same bits on every CPU
    spareGaussian = v * m;
    return u * m;
  }

  /** A uniformly random permutation of {@code 0..n-1} (Fisher-Yates). */
  public int[] permutation(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) p[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
