package dev.fathom.compress;

import java.util.Arrays;

/**
 * Choosing which weights go, from a score per weight (lower goes first). Counts are exact: ties
 * at the threshold are broken by position, and a share p of n weights split over parts (rows,
 * blocks) is rounded cumulatively, part k removing round(p·end_k) − round(p·start_k), so the
 * parts together remove exactly round(p·n).
 */
final class PruningMasks {
  private PruningMasks() {}

  /** The number of weights part [start, end) of a cumulative split removes at sparsity p. */
  static int share(double p, long start, long end) {
    return (int) (Math.round(p * end) - Math.round(p * start));
  }

  /** Marks in {@code mask} the {@code count} lowest of {@code score[off..off + n)}, ties by position. */
  static void lowest(float[] score, int off, int n, int count, boolean[] mask, int maskOff) {
    if (count <= 0) return;
    if (count >= n) {
      Arrays.fill(mask, maskOff, maskOff + n, true);
      return;
    }
    float[] sorted = Arrays.copyOfRange(score, off, off + n);
    Arrays.sort(sorted);
    float tau = sorted[count - 1];
    int below = 0;
    for (int i = 0; i < n; i++) if (Float.compare(score[off + i], tau) < 0) below++;
    int ties = count - below;
    for (int i = 0; i < n; i++) {
      int c = Float.compare(score[off + i], tau);
      if (c < 0 || (c == 0 && ties-- > 0)) mask[maskOff + i] = true;
    }
  }

  /** Per row of (rows, cols): the lowest share p of each row, with cumulative rounding over the rows. */
  static boolean[] perRow(float[] score, int rows, int cols, double p) {
    boolean[] mask = new boolean[score.length];
    for (int r = 0; r < rows; r++) lowest(score, r * cols, cols, share(p, (long) r * cols, (long) (r + 1) * cols), mask, r * cols);
    return mask;
  }

  /** n:m — in every m consecutive weights of a row the m − n lowest go. */
  static boolean[] nOfM(float[] score, int rows, int cols, int n, int m) {
    checkGroups(cols, m);
    boolean[] mask = new boolean[score.length];
    for (int at = 0; at < score.length; at += m) lowest(score, at, m, m - n, mask, at);
    return mask;
  }

  static void checkGroups(int cols, int m) {
    if (cols % m != 0) throw new IllegalArgumentException("pattern: in-features " + cols + " are not a multiple of the group size " + m);
  }
}
