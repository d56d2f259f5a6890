package dev.fathom.vision.augment;

/**
 * One image as a (C, H, W) row-major float array, pixel values nominally in [0, 1]. The
 * constructor checks the sizes and the values, so bad input fails here with what was expected
 * and what came, before any transform sees it.
 *
 * @param data C·H·W values, channel-major
 * @param channels C (1 for grayscale, 3 for colour)
 * @param height H
 * @param width W
 */
public record Image(float[] data, int channels, int height, int width) {
  public Image {
    if (data == null) throw new IllegalArgumentException("image: expected a pixel array, got null");
    if (channels <= 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException("image: expected positive sizes (C, H, W), got (" + channels + ", " + height + ", " + width + ")");
    }
    long want = (long) channels * height * width;
    if (data.length != want) {
      throw new IllegalArgumentException("image: expected " + channels + "x" + height + "x" + width + " = " + want
          + " values, got " + data.length);
    }
    for (int i = 0; i < data.length; i++) {
      if (!Float.isFinite(data[i])) {
        int c = i / (height * width), y = i / width % height, x = i % width;
        throw new IllegalArgumentException("image: expected finite pixels, got " + data[i] + " at (c=" + c + ", y=" + y + ", x=" + x + ")");
      }
    }
  }

  /** A blank (zero) image of the given size. */
  public static Image zeros(int channels, int height, int width) {
    if (channels <= 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException("image: expected positive sizes (C, H, W), got (" + channels + ", " + height + ", " + width + ")");
    }
    return new Image(new float[channels * height * width], channels, height, width);
  }

  /** The value at channel c, row y, column x. */
  public float get(int c, int y, int x) {
    return data[(c * height + y) * width + x];
  }

  /** Pixels per channel, H·W. */
  public int plane() {
    return height * width;
  }
}
