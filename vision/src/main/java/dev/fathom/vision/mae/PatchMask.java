package dev.fathom.vision.mae;

import dev.fathom.tensor.Rng;

/**
 * Which patches of each image the encoder sees. Every image keeps exactly {@link #visible()} of its
 * {@link #patches()} patches, drawn uniformly without replacement and independently per image.
 *
 * @param keep (N, visible) indices of the visible patches, ascending within each image
 * @param hidden (N, patches − visible) indices of the masked patches, ascending
 */
public record PatchMask(int[][] keep, int[][] hidden, int patches) {
  public PatchMask {
    if (keep.length != hidden.length) throw new IllegalArgumentException("keep has " + keep.length + " rows, hidden " + hidden.length);
  }

  /** Patches each image shows the encoder. */
  public int visible() {
    return keep.length == 0 ? 0 : keep[0].length;
  }

  /** Images in the batch. */
  public int batch() {
    return keep.length;
  }

  /**
   * A random mask hiding {@code round(patches · ratio)} patches of each of {@code n} images. The
   * visible count is the same for every image so the encoder's input stays a dense (N, K, D) batch.
   */
  public static PatchMask random(int n, int patches, double ratio, Rng rng) {
    if (!(ratio >= 0 && ratio < 1)) throw new IllegalArgumentException("mask ratio must be in [0, 1), got " + ratio);
    if (n <= 0 || patches <= 0) throw new IllegalArgumentException("need n > 0 and patches > 0, got n " + n + ", patches " + patches);
    int hiddenCount = (int) Math.round(patches * ratio);
    int visibleCount = patches - hiddenCount;
    if (visibleCount < 1) throw new IllegalArgumentException("mask ratio " + ratio + " hides all " + patches + " patches");
    int[][] keep = new int[n][], hidden = new int[n][];
    for (int i = 0; i < n; i++) {
      boolean[] shown = new boolean[patches];
      int[] perm = rng.permutation(patches);
      for (int j = 0; j < visibleCount; j++) shown[perm[j]] = true;
      keep[i] = new int[visibleCount];
      hidden[i] = new int[hiddenCount];
      for (int p = 0, a = 0, b = 0; p < patches; p++) {
        if (shown[p]) keep[i][a++] = p;
        else hidden[i][b++] = p;
      }
    }
    return new PatchMask(keep, hidden, patches);
  }
}
