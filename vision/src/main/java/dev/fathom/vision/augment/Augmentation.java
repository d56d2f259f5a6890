package dev.fathom.vision.augment;

import dev.fathom.tensor.Rng;

/**
 * A random image transform. The result is a pure function of the input image and the state of
 * {@code rng}: all randomness comes from it, so a transform run twice with generators of the same
 * seed gives the same bits. Implementations do not modify their input.
 */
@FunctionalInterface
public interface Augmentation {
  /**
   * @param image (C, H, W)
   * @param rng the only source of randomness
   * @return the transformed image, (C, H', W')
   */
  Image apply(Image image, Rng rng);

  /** Uniform in [lo, hi). */
  static double uniform(Rng rng, double lo, double hi) {
    return lo + (hi - lo) * rng.nextDouble();
  }

  /** Checks that [lo, hi] is a finite, ordered range inside [min, max]. */
  static void checkRange(String what, double lo, double hi, double min, double max) {
    if (!(Double.isFinite(lo) && Double.isFinite(hi) && lo <= hi && lo >= min && hi <= max)) {
      throw new IllegalArgumentException(what + ": expected finite min <= max within [" + min + ", " + max + "], got [" + lo + ", " + hi + "]");
    }
  }

  /** Checks that p is a probability. */
  static void checkProbability(String what, double p) {
    if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(what + ": expected a probability p in [0, 1], got " + p);
  }
}
