package dev.fathom.vision.mae;

import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * Cuts images into non-overlapping square patches and puts them back, as MAE's
 * {@code patchify}/{@code unpatchify}: patch {@code (i, j)} of an (N, C, H, W) batch becomes row
 * {@code i·(W/p) + j} of (N, (H/p)·(W/p), p·p·C), its pixels in (row, column, channel) order.
 * Both are views and permutes, so gradients flow through them.
 */
public final class Patches {
  private Patches() {}

  /** (N, C, H, W) → (N, L, p·p·C) with L = (H/p)(W/p). */
  public static Tensor patchify(Tensor images, int p) {
    int[] s = images.shape();
    if (s.length != 4) throw new ShapeException("patchify: expected images (N, C, H, W), got rank " + s.length);
    if (p <= 0 || s[2] % p != 0 || s[3] % p != 0) {
      throw new IllegalArgumentException("patchify: patch size " + p + " must divide the image size " + s[2] + "x" + s[3]);
    }
    int n = s[0], c = s[1], h = s[2] / p, w = s[3] / p;
    return images.reshape(n, c, h, p, w, p).permute(0, 2, 4, 3, 5, 1).reshape(n, h * w, p * p * c);
  }

  /** The inverse of {@link #patchify}: (N, L, p·p·C) → (N, C, gridH·p, gridW·p). */
  public static Tensor unpatchify(Tensor patches, int p, int channels, int gridH, int gridW) {
    int[] s = patches.shape();
    if (s.length != 3 || s[1] != gridH * gridW || s[2] != p * p * channels) {
      throw new ShapeException("unpatchify: expected (N, " + gridH * gridW + ", " + p * p * channels + "), got "
          + java.util.Arrays.toString(s));
    }
    int n = s[0];
    return patches.reshape(n, gridH, gridW, p, p, channels).permute(0, 5, 1, 3, 2, 4).reshape(n, channels, gridH * p, gridW * p);
  }
}
