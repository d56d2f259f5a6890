package dev.fathom.xai.fairness;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The equalized-odds fit of {@link ThresholdOptimizer} (Hardt, Price and Srebro 2016, Section 4):
 * every group must reach the same operating point (FPR, TPR) = (x, y), and the point that
 * maximizes accuracy is chosen.
 *
 * <p>A group's randomized threshold rules reach every point of the convex hull of its ROC points
 * (mixing two thresholds walks the segment between them, and selecting at random with
 * probability x gives (x, x) on the diagonal). Its upper boundary U_a(x) is the ROC curve's upper
 * concave hull, so at false-positive rate x every group can reach any TPR in [x, min_a U_a(x)].
 * Accuracy, Σ_a P_a·y + N_a·(1 − x), grows with y, so y = min_a U_a(x) and the problem is the
 * one-dimensional
 *
 * <pre>
 *   max_x  P · min_a U_a(x) − N · x          (P, N: positives and negatives over all groups)
 * </pre>
 *
 * which is concave and piecewise linear; its maximum sits at a hull vertex of some group or where
 * two groups' hulls cross, and trying all of them finds it exactly (Fairlearn searches a grid).
 * Group a then mixes its two hull vertices around x (reaching U_a(x)) and, where U_a(x) &gt; y,
 * hands a share of its decisions to a coin with bias x to come down to y.
 */
final class EqualizedOddsThresholds {
  private EqualizedOddsThresholds() {}

  /** A fitted operating point and the group rules that reach it. */
  record Fit(double fpr, double tpr, List<ThresholdRule> rules) {}

  /**
   * @param members per group with training examples, the example indices
   * @param names the groups' names, in the same order
   */
  static Fit fit(List<List<Integer>> members, List<String> names, double[] scores, int[] y) {
    List<double[][]> hulls = new ArrayList<>();
    long positives = 0, negatives = 0;
    int[] pos = new int[members.size()], neg = new int[members.size()];
    for (int a = 0; a < members.size(); a++) {
      for (int i : members.get(a)) {
        if (y[i] == 1) pos[a]++;
        else neg[a]++;
      }
      if (pos[a] == 0 || neg[a] == 0) {
        throw new IllegalArgumentException("equalized odds: group '" + names.get(a) + "' needs training examples of both outcomes to have a"
            + " TPR and an FPR, got " + pos[a] + " favorable and " + neg[a] + " unfavorable");
      }
      positives += pos[a];
      negatives += neg[a];
      hulls.add(OperatingPoints.upperHull(members.get(a), scores, y, OperatingPoints.Axes.ROC));
    }
    double bestX = 0, best = Double.NEGATIVE_INFINITY;
    for (double x : candidates(hulls)) {
      double v = positives * envelope(hulls, x) - negatives * x;
      if (v > best) {
        best = v;
        bestX = x;
      }
    }
    double tpr = envelope(hulls, bestX);
    List<ThresholdRule> rules = new ArrayList<>();
    for (int a = 0; a < hulls.size(); a++) {
      double[] at = OperatingPoints.interpolate(hulls.get(a), bestX);
      double share = at[1] > bestX ? Math.min(1, Math.max(0, (tpr - bestX) / (at[1] - bestX))) : 1;
      int n = pos[a] + neg[a];
      double selection = (tpr * pos[a] + bestX * neg[a]) / n, accuracy = (tpr * pos[a] + (1 - bestX) * neg[a]) / n;
      rules.add(new ThresholdRule(names.get(a), at[2], at[3], at[4], selection, accuracy, share, bestX));
    }
    return new Fit(bestX, tpr, rules);
  }

  /** Every FPR where min_a U_a can bend: the hulls' vertices and the crossings of two hulls. */
  private static TreeSet<Double> candidates(List<double[][]> hulls) {
    TreeSet<Double> xs = new TreeSet<>();
    for (double[][] h : hulls) {
      for (double x : h[0]) xs.add(x);
    }
    xs.add(0.0);
    xs.add(1.0);
    Double[] grid = xs.toArray(new Double[0]);
    for (int a = 0; a < hulls.size(); a++) {
      for (int b = a + 1; b < hulls.size(); b++) {
        for (int j = 0; j + 1 < grid.length; j++) {
          double x0 = grid[j], x1 = grid[j + 1];
          double d0 = OperatingPoints.interpolate(hulls.get(a), x0)[1] - OperatingPoints.interpolate(hulls.get(b), x0)[1];
          double d1 = OperatingPoints.interpolate(hulls.get(a), x1)[1] - OperatingPoints.interpolate(hulls.get(b), x1)[1];
          if (d0 * d1 < 0) xs.add(x0 + (x1 - x0) * d0 / (d0 - d1));
        }
      }
    }
    return xs;
  }

  /** min_a U_a(x). */
  private static double envelope(List<double[][]> hulls, double x) {
    double m = Double.POSITIVE_INFINITY;
    for (double[][] h : hulls) m = Math.min(m, OperatingPoints.interpolate(h, x)[1]);
    return m;
  }
}
