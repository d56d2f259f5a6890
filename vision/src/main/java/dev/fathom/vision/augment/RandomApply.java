package dev.fathom.vision.augment;

import dev.fathom.tensor.Rng;

/**
 * Applies {@code transform} with probability {@code p}, else returns the image unchanged
 * (torchvision's {@code RandomApply}). One draw decides, whatever the outcome.
 */
public record RandomApply(Augmentation transform, double p) implements Augmentation {
  public RandomApply {
    if (transform == null) throw new IllegalArgumentException("RandomApply: expected a transform, got null");
    Augmentation.checkProbability("RandomApply", p);
  }

  @Override
  public Image apply(Image image, Rng rng) {
    return rng.nextDouble() < p ? transform.apply(image, rng) : image;
  }
}
