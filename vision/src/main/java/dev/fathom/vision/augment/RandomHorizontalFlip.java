package dev.fathom.vision.augment;

import dev.fathom.tensor.Rng;

/** Mirrors the image left-right with probability {@code p} (torchvision's {@code RandomHorizontalFlip}). */
public record RandomHorizontalFlip(double p) implements Augmentation {
  public RandomHorizontalFlip {
    Augmentation.checkProbability("RandomHorizontalFlip", p);
  }

  @Override
  public Image apply(Image image, Rng rng) {
    return rng.nextDouble() < p ? hflip(image) : image;
  }

  /** The mirror image: out[c, y, x] = in[c, y, W − 1 − x]. */
  public static Image hflip(Image image) {
    int w = image.width();
    float[] src = image.data(), out = new float[src.length];
    for (int row = 0; row < src.length / w; row++) {
      int o = row * w;
      for (int x = 0; x < w; x++) out[o + x] = src[o + w - 1 - x];
    }
    return new Image(out, image.channels(), image.height(), w);
  }
}
