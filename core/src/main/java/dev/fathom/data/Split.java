package dev.fathom.data;

import dev.fathom.tensor.Rng;
import java.util.Arrays;

/**
 * A seeded train/test split of row indices. The rows are shuffled with a Fisher-Yates
 * permutation drawn from {@link Rng#permutation} of {@code new Rng(seed)}, so the same seed and size give
 * the same split on every machine; the test part takes {@code round(n * testFraction)} rows,
 * at least one and at most n - 1. Both index arrays are sorted ascending (a data loader shuffles
 * per epoch).
 *
 * @param train the training row indices, ascending
 * @param test the test row indices, ascending, disjoint from {@code train}
 */
public record Split(int[] train, int[] test) {
  /**
   * Splits {@code n} rows at random.
   *
   * @param n the number of rows, at least 2
   * @param testFraction the share of rows for the test part, in (0, 1)
   * @param seed the shuffle seed
   * @return the split
   * @throws IllegalArgumentException if n &lt; 2 or the fraction is not in (0, 1)
   */
  public static Split shuffled(int n, double testFraction, long seed) {
    check(n, testFraction);
    int[] perm = new Rng(seed).permutation(n);
    int nTest = testCount(n, testFraction);
    int[] test = Arrays.copyOf(perm, nTest);
    int[] train = Arrays.copyOfRange(perm, nTest, n);
    Arrays.sort(test);
    Arrays.sort(train);
    return new Split(train, test);
  }

  /**
   * Splits rows at random within each class, so both parts keep the class proportions: a class
   * with m rows gives {@code round(m * testFraction)} of them to the test part, at least one and
   * at most m - 1 when m &ge; 2; a class with one row goes to training.
   *
   * @param labels the class index of each row
   * @param testFraction the share of rows for the test part, in (0, 1)
   * @param seed the shuffle seed
   * @return the split
   * @throws IllegalArgumentException if there are fewer than 2 rows, a label is negative, or the
   *     fraction is not in (0, 1)
   */
  public static Split stratified(int[] labels, double testFraction, long seed) {
    int n = labels.length;
    check(n, testFraction);
    int classes = classCount(labels, "Split.stratified");
    int[] perm = new Rng(seed).permutation(n);
    int[] count = new int[classes];
    for (int y : labels) {
      count[y]++;
    }
    int[] quota = new int[classes];
    for (int c = 0; c < classes; c++) {
      quota[c] = count[c] < 2 ? 0 : testCount(count[c], testFraction);
    }
    int[] test = new int[n];
    int[] train = new int[n];
    int nTest = 0;
    int nTrain = 0;
    for (int i : perm) {
      if (quota[labels[i]] > 0) {
        quota[labels[i]]--;
        test[nTest++] = i;
      } else {
        train[nTrain++] = i;
      }
    }
    return sorted(train, nTrain, test, nTest);
  }

  /**
   * One fold of a stratified K-fold partition (scikit-learn's {@code StratifiedKFold} with
   * shuffling): the rows of each class, taken in the order of the seed's permutation, are dealt to
   * the folds in turn, continuing from class to class, so every fold holds n/K rows (±1) and each
   * class's rows spread over the folds within one. Fold {@code fold} is the test part; the other
   * K − 1 folds train. For one seed the K test parts are disjoint and cover every row, so the K
   * models' test predictions together are one out-of-fold prediction per row.
   *
   * @param labels the class index of each row
   * @param folds K, at least 2 and at most the number of rows
   * @param fold the test fold, in [0, K)
   * @param seed the shuffle seed
   * @return the split
   * @throws IllegalArgumentException if K or the fold is out of range, or a label is negative
   */
  public static Split stratifiedFold(int[] labels, int folds, int fold, long seed) {
    int n = labels.length;
    if (folds < 2 || folds > n) {
      throw new IllegalArgumentException("Split.stratifiedFold: folds must be in [2, " + n + "] (the number of rows), got " + folds);
    }
    if (fold < 0 || fold >= folds) {
      throw new IllegalArgumentException("Split.stratifiedFold: fold must be in [0, " + folds + "), got " + fold);
    }
    int classes = classCount(labels, "Split.stratifiedFold");
    int[] perm = new Rng(seed).permutation(n);
    int[] test = new int[n];
    int[] train = new int[n];
    int nTest = 0;
    int nTrain = 0;
    int dealt = 0;
    for (int c = 0; c < classes; c++) {
      for (int i : perm) {
        if (labels[i] != c) {
          continue;
        }
        if (dealt++ % folds == fold) {
          test[nTest++] = i;
        } else {
          train[nTrain++] = i;
        }
      }
    }
    return sorted(train, nTrain, test, nTest);
  }

  /** 1 + the largest label; a negative label is an error naming {@code who} and the row. */
  private static int classCount(int[] labels, String who) {
    int classes = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        throw new IllegalArgumentException(who + ": label of row " + i + " is " + labels[i] + ", expected >= 0");
      }
      classes = Math.max(classes, labels[i] + 1);
    }
    return classes;
  }

  /** The split of the first {@code nTrain} and {@code nTest} entries, each part sorted ascending. */
  private static Split sorted(int[] train, int nTrain, int[] test, int nTest) {
    int[] tr = Arrays.copyOf(train, nTrain);
    int[] te = Arrays.copyOf(test, nTest);
    Arrays.sort(tr);
    Arrays.sort(te);
    return new Split(tr, te);
  }

  private static void check(int n, double testFraction) {
    if (n < 2) {
      throw new IllegalArgumentException("Split: need at least 2 rows to split, got " + n);
    }
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new IllegalArgumentException(
          "Split: test fraction must be in (0, 1), got " + testFraction);
    }
  }

  private static int testCount(int n, double testFraction) {
    long t = Math.round(n * testFraction);
    return (int) Math.min(n - 1, Math.max(1, t));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Split s && Arrays.equals(train, s.train) && Arrays.equals(test, s.test);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(train) + Arrays.hashCode(test);
  }

  @Override
  public String toString() {
    return "Split[train=" + train.length + " rows, test=" + test.length + " rows]";
  }
}
