package dev.fathom.vision.augment;

import dev.fathom.tensor.Rng;

/**
 * Adds independent normal noise N(mean, sigma²) to every pixel (torchvision v2's
 * {@code GaussianNoise}); with {@code clip} the result is clamped to [0, 1].
 *
 * @param mean noise mean
 * @param sigma noise standard deviation, >= 0
 * @param clip clamp the noisy image to [0, 1]
 */
public record GaussianNoise(double mean, double sigma, boolean clip) implements Augmentation {
  public GaussianNoise {
    if (!Double.isFinite(mean)) throw new IllegalArgumentException("GaussianNoise: expected a finite mean, got " + mean);
    if (!(sigma >= 0 && Double.isFinite(sigma))) throw new IllegalArgumentException("GaussianNoise: expected a finite sigma >= 0, got " + sigma);
  }

  @Override
  public Image apply(Image image, Rng rng) {
    float[] src = image.data(), out = new float[src.length];
    for (int i = 0; i < src.length; i++) {
      float v = (float) (src[i] + mean + sigma * rng.nextGaussian());
      out[i] = clip ? Math.min(1f, Math.max(0f, v)) : v;
    }
    return new Image(out, image.channels(), image.height(), image.width());
  }
}
