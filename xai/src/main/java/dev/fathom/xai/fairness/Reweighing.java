package dev.fathom.xai.fairness;

/**
 * Reweighing (Kamiran and Calders, "Data preprocessing techniques for classification without
 * discrimination", KAIS 2012): a pre-processing mitigation that weights each training example by
 * its (group, label) cell so that, in the weighted data, the label is statistically independent
 * of the group:
 *
 * <pre>
 *   w(a, y) = P(A=a) · P(Y=y) / P(A=a, Y=y) = n_a · n_y / (N · n_{a,y})
 * </pre>
 *
 * Cells that are rarer than independence predicts (e.g. young applicants with good credit) get
 * weights above 1, over-represented cells weights below 1; every weighted group then has the
 * overall base rate, and Σ w = N. A learner trained on these weights ({@link WeightedLearner})
 * sees no correlation between group and label to pick up, though it may still see it through
 * proxy features. AIF360's {@code Reweighing} computes the same weights.
 */
public final class Reweighing {
  private Reweighing() {}

  /**
   * The weight of each example.
   *
   * @param yTrue (N) labels, 0 or 1 (1 = favorable)
   * @param groups the group of each example
   * @return (N) weights w(a_i, y_i) &gt; 0
   * @throws IllegalArgumentException if the lengths differ or a label is not 0/1
   */
  public static double[] weights(int[] yTrue, Groups groups) {
    groups.checkLength("y_true", yTrue.length);
    int k = groups.count();
    long[][] cell = new long[k][2];
    long[] byLabel = new long[2];
    long[] byGroup = new long[k];
    for (int i = 0; i < yTrue.length; i++) {
      int y = yTrue[i];
      if (y != 0 && y != 1) {
        throw new IllegalArgumentException("y_true of example " + i + " is " + y + ", expected 0 or 1 (1 = favorable)");
      }
      int g = groups.of(i);
      cell[g][y]++;
      byLabel[y]++;
      byGroup[g]++;
    }
    double n = yTrue.length;
    double[] w = new double[yTrue.length];
    for (int i = 0; i < w.length; i++) {
      int g = groups.of(i), y = yTrue[i];
      w[i] = byGroup[g] * (double) byLabel[y] / (n * cell[g][y]);
    }
    return w;
  }
}
