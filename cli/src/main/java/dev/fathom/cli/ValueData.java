package dev.fathom.cli;

import dev.fathom.data.FashionMnist;
import dev.fathom.insight.Examples;
import dev.fathom.tensor.Rng;
import java.io.IOException;
import java.util.Arrays;

/**
 * The data {@code fathom value} works on: a seeded subset of the Fashion-MNIST training set (with
 * optional label flips), a validation set the values are measured against (the first rows of
 * the test set) and a disjoint evaluation set for removal curves (the rows after them).
 *
 * @param train the valued examples, pixels in [0, 1]
 * @param source row of each valued example in the Fashion-MNIST training set
 * @param flipped which training labels were corrupted
 * @param original the labels before corruption
 */
record ValueData(Examples train, int[] source, boolean[] flipped, int[] original, Examples valid, Examples eval, int height, int width) {
  static ValueData load(int trainSize, int validSize, int evalSize, double flip, long seed) throws IOException {
    FashionMnist.LabeledImages tr = FashionMnist.load(true), te = FashionMnist.load(false);
    int d = tr.height() * tr.width();
    if (trainSize < 2 || trainSize > tr.labels().length) throw new CliException("--train-size must be in [2, " + tr.labels().length + "], got " + trainSize, 2);
    if (validSize < 1 || evalSize < 1 || validSize + evalSize > te.labels().length) {
      throw new CliException("--valid-size and --eval-size must be >= 1 and together at most " + te.labels().length + ", got " + validSize + " and " + evalSize, 2);
    }
    Rng rng = new Rng(seed);
    int[] pick = Arrays.copyOf(rng.permutation(tr.labels().length), trainSize);
    float[] x = new float[trainSize * d];
    int[] y = new int[trainSize];
    for (int i = 0; i < trainSize; i++) {
      System.arraycopy(tr.images(), pick[i] * d, x, i * d, d);
      y[i] = tr.labels()[pick[i]];
    }
    int[] original = y.clone();
    boolean[] flipped = new boolean[trainSize];
    int flips = (int) Math.round(flip * trainSize);
    int[] which = rng.permutation(trainSize);
    for (int f = 0; f < flips; f++) {
      int i = which[f];
      y[i] = (y[i] + 1 + rng.nextInt(9)) % 10;
      flipped[i] = true;
    }
    Examples valid = new Examples(Arrays.copyOf(te.images(), validSize * d), Arrays.copyOf(te.labels(), validSize), d, 10);
    Examples eval = new Examples(Arrays.copyOfRange(te.images(), validSize * d, (validSize + evalSize) * d),
        Arrays.copyOfRange(te.labels(), validSize, validSize + evalSize), d, 10);
    return new ValueData(new Examples(x, y, d, 10), pick, flipped, original, valid, eval, tr.height(), tr.width());
  }

  int flips() {
    int c = 0;
    for (boolean f : flipped) if (f) c++;
    return c;
  }

  /** Average-pools each image over {@code p}×{@code p} cells (the last partial cells too). */
  static Examples pooled(Examples e, int height, int width, int p) {
    if (p == 1) return e;
    int ph = (height + p - 1) / p, pw = (width + p - 1) / p, d = e.features();
    float[] out = new float[e.size() * ph * pw];
    for (int i = 0; i < e.size(); i++) {
      for (int r = 0; r < ph; r++) {
        for (int c = 0; c < pw; c++) {
          double s = 0;
          int cnt = 0;
          for (int dr = 0; dr < p && r * p + dr < height; dr++) {
            for (int dc = 0; dc < p && c * p + dc < width; dc++) {
              s += e.x()[i * d + (r * p + dr) * width + c * p + dc];
              cnt++;
            }
          }
          out[(i * ph + r) * pw + c] = (float) (s / cnt);
        }
      }
    }
    return new Examples(out, e.y(), ph * pw, e.classes());
  }
}
