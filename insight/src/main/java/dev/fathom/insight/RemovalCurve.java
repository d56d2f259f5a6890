package dev.fathom.insight;

import dev.fathom.tensor.Rng;
import java.util.Arrays;

/**
 * The data-removal experiment of Ghorbani and Zou (2019): remove a growing fraction of the
 * training set in order of value, retrain, and score. Good values make performance fall fastest
 * when the most valuable points go first, and rise when the least valuable (mislabelled,
 * outlying) points go first; a random order is the reference.
 *
 * <p>One retraining is noisy (its initialization and batch order move accuracy by about as much
 * as the effect being measured), so every point is the mean over several retrainings with
 * different seeds, and the random order is a different permutation in each.
 */
public final class RemovalCurve {
  private RemovalCurve() {}

  /** Trains on the examples whose flag is false and returns the score (e.g. held-out accuracy). */
  @FunctionalInterface
  public interface Retrain {
    /**
     * @param drop one flag per training example: true = removed
     * @param repeat 0-based repeat: the seed of this retraining should depend on it
     */
    double score(boolean[] drop, int repeat);
  }

  /**
   * @param fractions removed fractions, ascending, each in [0, 1)
   * @param highFirst mean score after removing the highest-valued fraction
   * @param lowFirst mean score after removing the lowest-valued fraction
   * @param random mean score after removing a random fraction (a fresh order per repeat)
   * @param highSd standard deviation of the repeats (0 for a single repeat), and so on
   * @param repeats retrainings per point
   */
  public record Result(double[] fractions, double[] highFirst, double[] lowFirst, double[] random, double[] highSd, double[] lowSd,
      double[] randomSd, int repeats) {}

  /** One retraining per point (repeat 0). */
  public static Result of(double[] values, double[] fractions, java.util.function.ToDoubleFunction<boolean[]> retrainScore, long seed) {
    return of(values, fractions, (drop, rep) -> retrainScore.applyAsDouble(drop), 1, seed);
  }

  /**
   * @param values one per training example
   * @param retrain trains without the flagged examples and scores; called once per (fraction,
   *     order, repeat), and once per repeat for fraction 0, which all orders share
   * @param repeats retrainings averaged per point, ≥ 1
   */
  public static Result of(double[] values, double[] fractions, Retrain retrain, int repeats, long seed) {
    int n = values.length;
    if (repeats < 1) throw new IllegalArgumentException("removal curve: repeats must be >= 1, got " + repeats);
    for (int k = 0; k < fractions.length; k++) {
      if (!(fractions[k] >= 0 && fractions[k] < 1)) throw new IllegalArgumentException("removal curve: fractions must be in [0, 1), got " + fractions[k]);
      if (k > 0 && fractions[k] <= fractions[k - 1]) throw new IllegalArgumentException("removal curve: fractions must ascend, got " + Arrays.toString(fractions));
    }
    Integer[] byValue = new Integer[n];
    for (int i = 0; i < n; i++) byValue[i] = i;
    Arrays.sort(byValue, (a, b) -> {
      int c = Double.compare(values[b], values[a]);
      return c != 0 ? c : Integer.compare(a, b);
    });
    int[] high = new int[n], low = new int[n];
    for (int i = 0; i < n; i++) {
      high[i] = byValue[i];
      low[i] = byValue[n - 1 - i];
    }
    int f = fractions.length;
    double[][] h = new double[f][repeats], l = new double[f][repeats], r = new double[f][repeats];
    Rng rng = new Rng(seed);
    for (int rep = 0; rep < repeats; rep++) {
      int[] random = rng.permutation(n);
      for (int k = 0; k < f; k++) {
        int m = (int) Math.round(fractions[k] * n);
        if (m == 0) {
          h[k][rep] = l[k][rep] = r[k][rep] = retrain.score(new boolean[n], rep);
          continue;
        }
        h[k][rep] = retrain.score(firstOf(high, m), rep);
        l[k][rep] = retrain.score(firstOf(low, m), rep);
        r[k][rep] = retrain.score(firstOf(random, m), rep);
      }
    }
    return new Result(fractions.clone(), mean(h), mean(l), mean(r), sd(h), sd(l), sd(r), repeats);
  }

  private static double[] mean(double[][] x) {
    double[] m = new double[x.length];
    for (int k = 0; k < x.length; k++) m[k] = Arrays.stream(x[k]).average().orElse(0);
    return m;
  }

  private static double[] sd(double[][] x) {
    double[] s = new double[x.length], m = mean(x);
    for (int k = 0; k < x.length; k++) {
      int c = x[k].length;
      double ss = 0;
      for (double v : x[k]) ss += (v - m[k]) * (v - m[k]);
      s[k] = c > 1 ? Math.sqrt(ss / (c - 1)) : 0;
    }
    return s;
  }

  private static boolean[] firstOf(int[] order, int m) {
    boolean[] drop = new boolean[order.length];
    for (int i = 0; i < m; i++) drop[order[i]] = true;
    return drop;
  }
}
