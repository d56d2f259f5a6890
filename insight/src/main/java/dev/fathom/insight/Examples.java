package dev.fathom.insight;

import java.util.Arrays;

/**
 * Labelled examples as flat rows: what the valuation methods read.
 *
 * @param x (n, features) row-major
 * @param y n labels in [0, classes)
 * @param features columns per row
 * @param classes number of classes
 */
public record Examples(float[] x, int[] y, int features, int classes) {
  public Examples {
    if (features < 1) throw new IllegalArgumentException("examples: features must be >= 1, got " + features);
    if (classes < 2) throw new IllegalArgumentException("examples: need at least 2 classes, got " + classes);
    if (x.length != (long) y.length * features) {
      throw new IllegalArgumentException("examples: expected " + y.length + " x " + features + " = " + (long) y.length * features + " values, got " + x.length);
    }
    for (int i = 0; i < y.length; i++) {
      if (y[i] < 0 || y[i] >= classes) throw new IllegalArgumentException("examples: label " + i + " must be in [0, " + classes + "), got " + y[i]);
    }
  }

  public int size() {
    return y.length;
  }

  /** The rows {@code idx[from..to)}: features (to − from, features) and labels. */
  public Examples rows(int[] idx, int from, int to) {
    float[] rx = new float[(to - from) * features];
    int[] ry = new int[to - from];
    copyRows(idx, from, to, rx, ry, 0);
    return new Examples(rx, ry, features, classes);
  }

  /** Copies the rows {@code idx[from..to)} into {@code dx} and {@code dy} from row {@code at} on. */
  void copyRows(int[] idx, int from, int to, float[] dx, int[] dy, int at) {
    for (int k = from; k < to; k++) {
      System.arraycopy(x, idx[k] * features, dx, (at + k - from) * features, features);
      dy[at + k - from] = y[idx[k]];
    }
  }

  /** All rows except those with {@code drop[i]}. */
  public Examples without(boolean[] drop) {
    int[] keep = new int[y.length];
    int c = 0;
    for (int i = 0; i < y.length; i++) if (!drop[i]) keep[c++] = i;
    return rows(Arrays.copyOf(keep, c), 0, c);
  }
}
