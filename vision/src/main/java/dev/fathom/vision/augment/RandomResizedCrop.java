package dev.fathom.vision.augment;

import dev.fathom.tensor.Rng;

/**
 * Crops a random region and resizes it to (height, width) by bilinear interpolation
 * (torchvision's {@code RandomResizedCrop}, Szegedy et al. 2015). The region's area is a fraction
 * s ~ U(scaleMin, scaleMax) of the image and its aspect ratio r = w/h is log-uniform in
 * [ratioMin, ratioMax]: w = round(√(s·A·r)), h = round(√(s·A/r)). As torchvision, ten draws are
 * tried; when none fits inside the image, the centre crop with the ratio clamped to the range is
 * used.
 *
 * @param height output H
 * @param width output W
 * @param scaleMin smallest area fraction, in (0, 1]
 * @param scaleMax largest area fraction, in [scaleMin, 1]
 * @param ratioMin smallest aspect ratio w/h, > 0
 * @param ratioMax largest aspect ratio, >= ratioMin
 */
public record RandomResizedCrop(int height, int width, double scaleMin, double scaleMax, double ratioMin, double ratioMax)
    implements Augmentation {
  public RandomResizedCrop {
    if (height <= 0 || width <= 0) throw new IllegalArgumentException("RandomResizedCrop: expected a positive output size, got " + height + "x" + width);
    Augmentation.checkRange("RandomResizedCrop scale", scaleMin, scaleMax, Double.MIN_VALUE, 1);
    Augmentation.checkRange("RandomResizedCrop ratio", ratioMin, ratioMax, Double.MIN_VALUE, Double.MAX_VALUE);
  }

  /** torchvision's defaults: scale (0.08, 1), ratio (3/4, 4/3). */
  public static RandomResizedCrop of(int height, int width) {
    return new RandomResizedCrop(height, width, 0.08, 1, 3.0 / 4, 4.0 / 3);
  }

  @Override
  public Image apply(Image image, Rng rng) {
    int ih = image.height(), iw = image.width();
    double area = (double) ih * iw;
    double logLo = Math.log(ratioMin), logHi = Math.log(ratioMax);
    for (int attempt = 0; attempt < 10; attempt++) {
      double target = area * Augmentation.uniform(rng, scaleMin, scaleMax);
      double ratio = Math.exp(Augmentation.uniform(rng, logLo, logHi));
      int w = (int) Math.round(Math.sqrt(target * ratio));
      int h = (int) Math.round(Math.sqrt(target / ratio));
      if (w > 0 && h > 0 && w <= iw && h <= ih) {
        int top = rng.nextInt(ih - h + 1), left = rng.nextInt(iw - w + 1);
        return crop(image, top, left, h, w);
      }
    }
    double r = (double) iw / ih;
    int w = iw, h = ih;
    if (r < ratioMin) h = Math.max(1, (int) Math.round(w / ratioMin));
    else if (r > ratioMax) w = Math.max(1, (int) Math.round(h * ratioMax));
    return crop(image, (ih - h) / 2, (iw - w) / 2, h, w);
  }

  /**
   * Resizes the region (top, left, h, w) of {@code image} to this crop's output size. Output
   * pixel (i, j) samples the region at y = top + (i + ½)·h/H − ½, x = left + (j + ½)·w/W − ½
   * (half-pixel centres, PyTorch's {@code align_corners=False}).
   */
  public Image crop(Image image, int top, int left, int h, int w) {
    if (top < 0 || left < 0 || h <= 0 || w <= 0 || top + h > image.height() || left + w > image.width()) {
      throw new IllegalArgumentException("RandomResizedCrop: region (top " + top + ", left " + left + ", " + h + "x" + w
          + ") is not inside the " + image.height() + "x" + image.width() + " image");
    }
    int c = image.channels(), ih = image.height(), iw = image.width();
    float[] src = image.data(), out = new float[c * height * width];
    double sy = (double) h / height, sx = (double) w / width;
    for (int ch = 0; ch < c; ch++) {
      int base = ch * ih * iw, o = ch * height * width;
      for (int i = 0; i < height; i++) {
        double y = top + (i + 0.5) * sy - 0.5;
        for (int j = 0; j < width; j++) {
          out[o + i * width + j] = Bilinear.clamped(src, base, ih, iw, y, left + (j + 0.5) * sx - 0.5);
        }
      }
    }
    return new Image(out, c, height, width);
  }
}
