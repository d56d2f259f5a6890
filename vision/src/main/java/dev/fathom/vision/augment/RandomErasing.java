package dev.fathom.vision.augment;

import dev.fathom.tensor.Rng;

/**
 * Cutout / random erasing (Zhong et al. 2020; DeVries and Taylor 2017), as torchvision's
 * {@code RandomErasing}: with probability p, a rectangle whose area is a fraction U(scaleMin,
 * scaleMax) of the image and whose aspect ratio is log-uniform in [ratioMin, ratioMax] is set to
 * {@code value} in every channel. As torchvision, up to ten draws are tried; if none fits, the
 * image is returned unchanged.
 */
public record RandomErasing(double p, double scaleMin, double scaleMax, double ratioMin, double ratioMax, float value)
    implements Augmentation {
  public RandomErasing {
    Augmentation.checkProbability("RandomErasing", p);
    Augmentation.checkRange("RandomErasing scale", scaleMin, scaleMax, 0, 1);
    Augmentation.checkRange("RandomErasing ratio", ratioMin, ratioMax, Double.MIN_VALUE, Double.MAX_VALUE);
    if (!Float.isFinite(value)) throw new IllegalArgumentException("RandomErasing: expected a finite value, got " + value);
  }

  /** torchvision's defaults: p 0.5, scale (0.02, 0.33), ratio (0.3, 3.3), value 0. */
  public static RandomErasing of() {
    return new RandomErasing(0.5, 0.02, 0.33, 0.3, 3.3, 0f);
  }

  @Override
  public Image apply(Image image, Rng rng) {
    if (rng.nextDouble() >= p) return image;
    int h = image.height(), w = image.width();
    double logLo = Math.log(ratioMin), logHi = Math.log(ratioMax);
    for (int attempt = 0; attempt < 10; attempt++) {
      double area = (double) h * w * Augmentation.uniform(rng, scaleMin, scaleMax);
      double ratio = Math.exp(Augmentation.uniform(rng, logLo, logHi));
      int eh = (int) Math.round(Math.sqrt(area * ratio)), ew = (int) Math.round(Math.sqrt(area / ratio));
      if (eh < 1 || ew < 1 || eh >= h || ew >= w) continue;
      int top = rng.nextInt(h - eh + 1), left = rng.nextInt(w - ew + 1);
      float[] out = image.data().clone();
      for (int c = 0; c < image.channels(); c++) {
        for (int y = top; y < top + eh; y++) java.util.Arrays.fill(out, (c * h + y) * w + left, (c * h + y) * w + left + ew, value);
      }
      return new Image(out, image.channels(), h, w);
    }
    return image;
  }
}
