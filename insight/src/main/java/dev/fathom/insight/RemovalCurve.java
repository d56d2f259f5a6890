package dev.fathom.insight;

import dev.fathom.tensor.Rng;
import java.util.Arrays;
import java.util.function.ToDoubleFunction;

/**
 * The data-removal experiment of Ghorbani and Zou (2019): remove a growing fraction of the
 * training set in order of value, retrain, and score. Good values make performance fall fastest
 * when the most valuable points go first, and rise when the least valuable (mislabelled,
 * outlying) points go first; a random order is the reference.
 */
public final class RemovalCurve {
  private RemovalCurve() {}

  /**
   * @param fractions removed fractions, ascending, each in [0, 1)
   * @param highFirst score after removing the highest-valued fraction
   * @param lowFirst score after removing the lowest-valued fraction
   * @param random score after removing a random fraction (one seeded order)
   */
  public record Result(double[] fractions, double[] highFirst, double[] lowFirst, double[] random) {}

  /**
   * @param values one per training example
   * @param retrainScore trains on the examples whose flag is false and returns the score
   *     (e.g. validation accuracy)
   */
  public static Result of(double[] values, double[] fractions, ToDoubleFunction<boolean[]> retrainScore, long seed) {
    int n = values.length;
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
    int[] random = new Rng(seed).permutation(n);
    double[] h = new double[fractions.length], l = new double[fractions.length], r = new double[fractions.length];
    for (int k = 0; k < fractions.length; k++) {
      int m = (int) Math.round(fractions[k] * n);
      h[k] = retrainScore.applyAsDouble(firstOf(high, m));
      l[k] = retrainScore.applyAsDouble(firstOf(low, m));
      r[k] = retrainScore.applyAsDouble(firstOf(random, m));
    }
    return new Result(fractions.clone(), h, l, r);
  }

  private static boolean[] firstOf(int[] order, int m) {
    boolean[] drop = new boolean[order.length];
    for (int i = 0; i < m; i++) drop[order[i]] = true;
    return drop;
  }
}
