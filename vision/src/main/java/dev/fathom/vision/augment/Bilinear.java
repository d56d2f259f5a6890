package dev.fathom.vision.augment;

/**
 * Bilinear sampling of one channel plane at a real-valued position (y, x) in pixel coordinates
 * (pixel centres at integers). Neighbours outside the plane either clamp to the border (resizing)
 * or count as {@code fill} (geometric warps, where uncovered area is filled).
 */
final class Bilinear {
  private Bilinear() {}

  /** Interpolates plane {@code src[base .. base + h·w)} at (y, x), clamping coordinates to the plane. */
  static float clamped(float[] src, int base, int h, int w, double y, double x) {
    y = Math.min(Math.max(y, 0), h - 1);
    x = Math.min(Math.max(x, 0), w - 1);
    int y0 = (int) y, x0 = (int) x;
    int y1 = Math.min(y0 + 1, h - 1), x1 = Math.min(x0 + 1, w - 1);
    double fy = y - y0, fx = x - x0;
    double top = src[base + y0 * w + x0] * (1 - fx) + src[base + y0 * w + x1] * fx;
    double bottom = src[base + y1 * w + x0] * (1 - fx) + src[base + y1 * w + x1] * fx;
    return (float) (top * (1 - fy) + bottom * fy);
  }

  /** Interpolates at (y, x), where neighbours outside the plane have the value {@code fill}. */
  static float filled(float[] src, int base, int h, int w, double y, double x, float fill) {
    int y0 = (int) Math.floor(y), x0 = (int) Math.floor(x);
    double fy = y - y0, fx = x - x0;
    double top = at(src, base, h, w, y0, x0, fill) * (1 - fx) + at(src, base, h, w, y0, x0 + 1, fill) * fx;
    double bottom = at(src, base, h, w, y0 + 1, x0, fill) * (1 - fx) + at(src, base, h, w, y0 + 1, x0 + 1, fill) * fx;
    return (float) (top * (1 - fy) + bottom * fy);
  }

  private static float at(float[] src, int base, int h, int w, int y, int x, float fill) {
    return y < 0 || y >= h || x < 0 || x >= w ? fill : src[base + y * w + x];
  }
}
