package dev.fathom.vision.augment;

import dev.fathom.tensor.Rng;

/**
 * Random rotation, translation and scaling about the image centre (torchvision's
 * {@code RandomAffine} without shear): angle θ ~ U(−degrees, degrees), shifts tx ~ U(−translate·W,
 * translate·W) and ty ~ U(−translate·H, translate·H), scale s ~ U(scaleMin, scaleMax). Each output
 * pixel p is read from the input at c + R(−θ)(p − c − t)/s by bilinear interpolation; area the
 * input does not cover is {@code fill}.
 *
 * @param degrees largest rotation, in [0, 180]
 * @param translate largest shift as a fraction of the size, in [0, 1]
 * @param scaleMin smallest zoom, > 0
 * @param scaleMax largest zoom, >= scaleMin
 * @param fill value of uncovered pixels
 */
public record RandomAffine(double degrees, double translate, double scaleMin, double scaleMax, float fill) implements Augmentation {
  public RandomAffine {
    Augmentation.checkRange("RandomAffine degrees", 0, degrees, 0, 180);
    Augmentation.checkRange("RandomAffine translate", 0, translate, 0, 1);
    Augmentation.checkRange("RandomAffine scale", scaleMin, scaleMax, Double.MIN_VALUE, Double.MAX_VALUE);
    if (!Float.isFinite(fill)) throw new IllegalArgumentException("RandomAffine: expected a finite fill, got " + fill);
  }

  @Override
  public Image apply(Image image, Rng rng) {
    double theta = Math.toRadians(Augmentation.uniform(rng, -degrees, degrees));
    double tx = Augmentation.uniform(rng, -translate, translate) * image.width();
    double ty = Augmentation.uniform(rng, -translate, translate) * image.height();
    double s = Augmentation.uniform(rng, scaleMin, scaleMax);
    return warp(image, theta, tx, ty, s);
  }

  /** The deterministic warp: rotation {@code theta} radians, shift (tx, ty) pixels, zoom {@code s}. */
  public Image warp(Image image, double theta, double tx, double ty, double s) {
    int c = image.channels(), h = image.height(), w = image.width();
    double cy = (h - 1) / 2.0, cx = (w - 1) / 2.0;
    double cos = Math.cos(theta), sin = Math.sin(theta);
    float[] src = image.data(), out = new float[src.length];
    for (int i = 0; i < h; i++) {
      for (int j = 0; j < w; j++) {
        double dx = (j - cx - tx) / s, dy = (i - cy - ty) / s;
        double x = cx + cos * dx + sin * dy, y = cy - sin * dx + cos * dy;
        for (int ch = 0; ch < c; ch++) out[(ch * h + i) * w + j] = Bilinear.filled(src, ch * h * w, h, w, y, x, fill);
      }
    }
    return new Image(out, c, h, w);
  }
}
