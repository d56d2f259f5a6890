package dev.fathom.xai.fairness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
      hulls.add(rocHull(members.get(a), scores, y, pos[a], neg[a]));
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
      double[] at = interpolate(hulls.get(a), bestX);
      double share = at[1] > bestX ? Math.min(1, Math.max(0, (tpr - bestX) / (at[1] - bestX))) : 1;
      int n = pos[a] + neg[a];
      double selection = (tpr * pos[a] + bestX * neg[a]) / n, accuracy = (tpr * pos[a] + (1 - bestX) * neg[a]) / n;
      rules.add(new ThresholdRule(names.get(a), at[2], at[3], at[4], selection, accuracy, share, bestX));
    }
    return new Fit(bestX, tpr, rules);
  }

  /**
   * One group's ROC upper concave hull, {x = FPR[], y = TPR[], threshold[]}, x strictly
   * increasing from 0 to 1 (at FPR 0 only the highest TPR is kept).
   */
  private static double[][] rocHull(List<Integer> rows, double[] scores, int[] y, int positives, int negatives) {
    Integer[] order = rows.toArray(new Integer[0]);
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
    List<double[]> points = new ArrayList<>(); // {fp, tp, threshold}: counts, so the turn test is exact
    points.add(new double[] {0, 0, Double.POSITIVE_INFINITY});
    int fp = 0, tp = 0, n = order.length;
    for (int k = 0; k < n; ) {
      double v = scores[order[k]];
      while (k < n && scores[order[k]] == v) {
        tp += y[order[k]];
        fp += 1 - y[order[k]];
        k++;
      }
      double[] p = {fp, tp, k == n ? Double.NEGATIVE_INFINITY : (v + scores[order[k]]) / 2};
      while (points.size() >= 2 && liesOnOrBelow(points.get(points.size() - 2), points.getLast(), p)) {
        points.removeLast();
      }
      points.add(p);
    }
    List<double[]> kept = new ArrayList<>();
    for (double[] p : points) {
      if (!kept.isEmpty() && kept.getLast()[0] == p[0]) kept.removeLast(); // same FPR: the later point has the higher TPR
      kept.add(p);
    }
    double[][] out = new double[3][kept.size()];
    for (int j = 0; j < kept.size(); j++) {
      out[0][j] = kept.get(j)[0] / negatives;
      out[1][j] = kept.get(j)[1] / positives;
      out[2][j] = kept.get(j)[2];
    }
    return out;
  }

  /**
   * Whether b lies on or below the segment a–c (a left turn or none), so it is not a vertex of the
   * upper hull. Collinear points go too, so a run at one FPR keeps only its top.
   */
  private static boolean liesOnOrBelow(double[] a, double[] b, double[] c) {
    long cross = (long) (b[0] - a[0]) * (long) (c[1] - a[1]) - (long) (b[1] - a[1]) * (long) (c[0] - a[0]);
    return cross >= 0;
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
          double d0 = interpolate(hulls.get(a), x0)[1] - interpolate(hulls.get(b), x0)[1];
          double d1 = interpolate(hulls.get(a), x1)[1] - interpolate(hulls.get(b), x1)[1];
          if (d0 * d1 < 0) xs.add(x0 + (x1 - x0) * d0 / (d0 - d1));
        }
      }
    }
    return xs;
  }

  /** min_a U_a(x). */
  private static double envelope(List<double[][]> hulls, double x) {
    double m = Double.POSITIVE_INFINITY;
    for (double[][] h : hulls) m = Math.min(m, interpolate(h, x)[1]);
    return m;
  }

  /** The hull at FPR x in [0, 1] (its first vertex is at FPR 0): {x, TPR, high threshold, low threshold, pLow}. */
  private static double[] interpolate(double[][] h, double x) {
    double[] xs = h[0];
    int j = Arrays.binarySearch(xs, x);
    if (j >= 0) return new double[] {x, h[1][j], h[2][j], h[2][j], 0};
    int hi = -j - 1, lo = hi - 1;
    double q = (x - xs[lo]) / (xs[hi] - xs[lo]);
    return new double[] {x, (1 - q) * h[1][lo] + q * h[1][hi], h[2][lo], h[2][hi], q};
  }
}
