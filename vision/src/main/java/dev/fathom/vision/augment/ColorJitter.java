package dev.fathom.vision.augment;

import dev.fathom.tensor.Rng;

/**
 * Brightness and contrast jitter (torchvision's {@code ColorJitter} for these two factors): a
 * brightness factor b ~ U(max(0, 1 − brightness), 1 + brightness) scales every pixel, then a
 * contrast factor k ~ U(max(0, 1 − contrast), 1 + contrast) blends with the mean gray level m of
 * the image: x ↦ k·x + (1 − k)·m (m is the mean over channels; for colour images torchvision uses
 * the luma, which differs only in the channel weights). Results are clamped to [0, 1]. The order is
 * fixed (brightness, then contrast).
 */
public record ColorJitter(double brightness, double contrast) implements Augmentation {
  public ColorJitter {
    if (!(brightness >= 0 && Double.isFinite(brightness))) throw new IllegalArgumentException("ColorJitter: expected brightness >= 0, got " + brightness);
    if (!(contrast >= 0 && Double.isFinite(contrast))) throw new IllegalArgumentException("ColorJitter: expected contrast >= 0, got " + contrast);
  }

  @Override
  public Image apply(Image image, Rng rng) {
    double b = Augmentation.uniform(rng, Math.max(0, 1 - brightness), 1 + brightness);
    double k = Augmentation.uniform(rng, Math.max(0, 1 - contrast), 1 + contrast);
    float[] src = image.data(), out = new float[src.length];
    double mean = 0;
    for (int i = 0; i < src.length; i++) {
      out[i] = (float) Math.min(1, Math.max(0, b * src[i]));
      mean += out[i];
    }
    mean /= src.length;
    for (int i = 0; i < src.length; i++) out[i] = (float) Math.min(1, Math.max(0, k * out[i] + (1 - k) * mean));
    return new Image(out, image.channels(), image.height(), image.width());
  }
}
