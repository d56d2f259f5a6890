package dev.fathom.xai.report;

import java.awt.image.BufferedImage;

/**
 * Renders an attribution map over its image: the image in gray on the left, and on the right the
 * dimmed image under a diverging overlay (red: the feature raised the explained output, blue:
 * lowered it), scaled so the 99th percentile of |attribution| is full colour. Channels are
 * summed for the map and averaged for the image.
 */
public final class Heatmap {
  private Heatmap() {}

  /**
   * @param image (C, H, W) values in [0, 1]
   * @param attribution (C, H, W)
   * @param scale pixels per input pixel
   */
  public static BufferedImage render(float[] image, float[] attribution, int channels, int height, int width, int scale) {
    if (image.length != channels * height * width || attribution.length != image.length) {
      throw new IllegalArgumentException("heatmap: expected " + channels * height * width + " values for image and map, got " + image.length
          + " and " + attribution.length);
    }
    if (scale < 1) throw new IllegalArgumentException("heatmap: scale must be >= 1, got " + scale);
    int hw = height * width;
    float[] gray = new float[hw], map = new float[hw];
    for (int c = 0; c < channels; c++) {
      for (int p = 0; p < hw; p++) {
        gray[p] += image[c * hw + p] / channels;
        map[p] += attribution[c * hw + p];
      }
    }
    float top = percentileAbs(map, 0.99);
    int gap = scale * 2;
    BufferedImage out = new BufferedImage(2 * width * scale + gap, height * scale, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height * scale; y++) for (int x = 0; x < out.getWidth(); x++) out.setRGB(x, y, 0xFFFFFF);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int p = y * width + x;
        int g = clamp255(gray[p]);
        int left = (g << 16) | (g << 8) | g;
        float v = top == 0 ? 0 : Math.max(-1f, Math.min(1f, map[p] / top));
        float base = 0.35f * gray[p] + 0.65f;
        float r = base, gg = base, b = base;
        if (v > 0) {
          gg *= 1 - v;
          b *= 1 - v;
        } else {
          r *= 1 + v;
          gg *= 1 + v;
        }
        int right = (clamp255(r) << 16) | (clamp255(gg) << 8) | clamp255(b);
        for (int dy = 0; dy < scale; dy++) {
          for (int dx = 0; dx < scale; dx++) {
            out.setRGB(x * scale + dx, y * scale + dy, left);
            out.setRGB(width * scale + gap + x * scale + dx, y * scale + dy, right);
          }
        }
      }
    }
    return out;
  }

  /** The q-quantile of |v| (nearest rank). */
  static float percentileAbs(float[] v, double q) {
    float[] a = new float[v.length];
    for (int i = 0; i < v.length; i++) a[i] = Math.abs(v[i]);
    java.util.Arrays.sort(a);
    return a.length == 0 ? 0 : a[(int) Math.min(a.length - 1, Math.ceil(q * a.length) - 1)];
  }

  private static int clamp255(float v) {
    return Math.max(0, Math.min(255, Math.round(v * 255)));
  }
}
