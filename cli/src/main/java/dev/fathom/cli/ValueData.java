package dev.fathom.cli;

import dev.fathom.data.FashionMnist;
import dev.fathom.data.Standardizer;
import dev.fathom.data.Table;
import dev.fathom.insight.Examples;
import dev.fathom.tensor.Rng;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * The data {@code fathom value} works on: the valued training examples (with optional label
 * flips), a validation set the values are measured against and a disjoint evaluation set for
 * removal curves.
 *
 * <ul>
 *   <li>Fashion-MNIST: a seeded subset of the training set; validation = the first rows of the
 *       test set, evaluation = the rows after them. Pixels in [0, 1].
 *   <li>A table (CSV or ARFF, as {@code fathom train --data} reads them): its rows shuffled
 *       (seeded) and cut into training, validation and evaluation rows (default 60/20/20);
 *       missing values imputed and every feature standardized with statistics of the training
 *       rows only.
 * </ul>
 *
 * @param train the valued examples (pixels in [0, 1], or standardized features)
 * @param source row of each valued example in its source (Fashion-MNIST training set, or the table's data rows, 0-based)
 * @param flipped which training labels were corrupted
 * @param original the labels before corruption
 * @param height image height, 0 for a table
 * @param width image width, 0 for a table
 * @param classNames name of each class
 * @param featureNames feature names of a table (empty for images)
 * @param rawTrain the training features before standardization (tables; the images themselves)
 */
record ValueData(Examples train, int[] source, boolean[] flipped, int[] original, Examples valid, Examples eval, int height, int width,
    List<String> classNames, List<String> featureNames, float[] rawTrain) {

  boolean image() {
    return height > 0;
  }

  /** What the valued index means, for the console. */
  String indexMeaning() {
    return image() ? "row of the Fashion-MNIST training set" : "data row of the table, 0-based";
  }

  static ValueData load(String data, String target, Integer trainSize, Integer validSize, Integer evalSize, int defaultTrainSize, double flip, long seed)
      throws IOException {
    return DataSources.FASHION.equalsIgnoreCase(data)
        ? fashion(trainSize != null ? trainSize : defaultTrainSize, validSize != null ? validSize : 1000, evalSize != null ? evalSize : 2000, flip, seed)
        : table(data, target, trainSize, validSize, evalSize, flip, seed);
  }

  static ValueData fashion(int trainSize, int validSize, int evalSize, double flip, long seed) throws IOException {
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
    boolean[] flipped = flip(y, 10, flip, rng);
    Examples valid = new Examples(Arrays.copyOf(te.images(), validSize * d), Arrays.copyOf(te.labels(), validSize), d, 10);
    Examples eval = new Examples(Arrays.copyOfRange(te.images(), validSize * d, (validSize + evalSize) * d),
        Arrays.copyOfRange(te.labels(), validSize, validSize + evalSize), d, 10);
    return new ValueData(new Examples(x, y, d, 10), pick, flipped, original, valid, eval, tr.height(), tr.width(), FashionMnist.CLASS_NAMES,
        List.of(), x);
  }

  static ValueData table(String data, String target, Integer trainSize, Integer validSize, Integer evalSize, double flip, long seed) throws IOException {
    Table t = DataSources.readTable(data, target);
    int n = t.rows(), c = t.classNames().size();
    int nv = validSize != null ? validSize : (int) Math.round(0.2 * n), ne = evalSize != null ? evalSize : (int) Math.round(0.2 * n);
    if (nv < 1 || ne < 1 || nv + ne > n - 2) {
      throw new CliException("--valid-size and --eval-size must be >= 1 and leave at least 2 of the " + n + " rows of " + data + " to value, got " + nv + " and " + ne, 2);
    }
    int nt = trainSize != null ? trainSize : n - nv - ne;
    if (nt < 2 || nt > n - nv - ne) throw new CliException("--train-size must be in [2, " + (n - nv - ne) + "] for " + data + " with these validation and evaluation sizes, got " + nt, 2);
    Rng rng = new Rng(seed);
    int[] perm = rng.permutation(n);
    int[] tr = Arrays.copyOf(perm, nt), va = Arrays.copyOfRange(perm, n - ne - nv, n - ne), ev = Arrays.copyOfRange(perm, n - ne, n);
    Table filled = t.imputed(tr);
    int f = filled.numFeatures();
    float[] raw = filled.features(), x = raw.clone();
    Standardizer.fit(filled, tr).transform(x);
    int[] y = rows(filled.labels(), tr), original = y.clone();
    boolean[] flipped = flip(y, c, flip, rng);
    return new ValueData(new Examples(gather(x, f, tr), y, f, c), tr, flipped, original, new Examples(gather(x, f, va), rows(filled.labels(), va), f, c),
        new Examples(gather(x, f, ev), rows(filled.labels(), ev), f, c), 0, 0, filled.classNames(), filled.featureNames(), gather(raw, f, tr));
  }

  /** Gives a fraction of the labels a different random class, in place; returns which. */
  private static boolean[] flip(int[] y, int classes, double flip, Rng rng) {
    boolean[] flipped = new boolean[y.length];
    int flips = (int) Math.round(flip * y.length);
    if (flips > 0 && classes < 2) throw new CliException("--flip needs at least 2 classes, the data have " + classes, 2);
    int[] which = rng.permutation(y.length);
    for (int k = 0; k < flips; k++) {
      int i = which[k];
      y[i] = (y[i] + 1 + rng.nextInt(classes - 1)) % classes;
      flipped[i] = true;
    }
    return flipped;
  }

  private static int[] rows(int[] v, int[] idx) {
    int[] o = new int[idx.length];
    for (int k = 0; k < idx.length; k++) o[k] = v[idx[k]];
    return o;
  }

  private static float[] gather(float[] x, int f, int[] idx) {
    float[] o = new float[idx.length * f];
    for (int k = 0; k < idx.length; k++) System.arraycopy(x, idx[k] * f, o, k * f, f);
    return o;
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
