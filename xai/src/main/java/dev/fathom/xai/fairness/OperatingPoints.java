package dev.fathom.xai.fairness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The upper concave hull of one group's threshold operating points, shared by both fits of
 * {@link ThresholdOptimizer}. Thresholds are swept from "select no one" down through the distinct
 * scores (halfway between neighbours, −∞ at the end); each gives counts (selected, true
 * positives), mapped to a point by the caller's axes: (selection rate, accuracy) for demographic
 * parity, (FPR, TPR) for equalized odds. Randomizing between two thresholds reaches the segment
 * between their points, so the hull is what a group can reach.
 */
final class OperatingPoints {
  private OperatingPoints() {}

  /** Which plane the points live in. */
  enum Axes {
    /** x = selected / n, y = correct / n. */
    RATE_ACCURACY,
    /** x = false positives / negatives, y = true positives / positives. */
    ROC
  }

  /**
   * @return {x[], y[], threshold[]}, x strictly increasing (of points with equal x only the
   *     highest, the last swept, is kept)
   */
  static double[][] upperHull(List<Integer> rows, double[] scores, int[] y, Axes axes) {
    Integer[] order = rows.toArray(new Integer[0]);
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
    int n = order.length, positives = 0;
    for (int i : order) positives += y[i];
    int negatives = n - positives;
    List<long[]> points = new ArrayList<>(); // integer counts, so the turn test is exact
    List<Double> thresholds = new ArrayList<>();
    points.add(point(axes, 0, 0, negatives));
    thresholds.add(Double.POSITIVE_INFINITY);
    int selected = 0, tp = 0;
    for (int k = 0; k < n; ) {
      double v = scores[order[k]];
      while (k < n && scores[order[k]] == v) {
        selected++;
        tp += y[order[k]];
        k++;
      }
      long[] p = point(axes, selected, tp, negatives);
      while (points.size() >= 2 && isBelow(points.get(points.size() - 2), points.getLast(), p)) {
        points.removeLast();
        thresholds.removeLast();
      }
      if (points.getLast()[0] == p[0]) { // a run at one x keeps its top
        points.removeLast();
        thresholds.removeLast();
      }
      points.add(p);
      thresholds.add(k == n ? Double.NEGATIVE_INFINITY : (v + scores[order[k]]) / 2);
    }
    double xScale = axes == Axes.ROC ? negatives : n, yScale = axes == Axes.ROC ? positives : n;
    double[][] out = new double[3][points.size()];
    for (int j = 0; j < points.size(); j++) {
      out[0][j] = points.get(j)[0] / xScale;
      out[1][j] = points.get(j)[1] / yScale;
      out[2][j] = thresholds.get(j);
    }
    return out;
  }

  private static long[] point(Axes axes, int selected, int tp, int negatives) {
    int fp = selected - tp;
    return axes == Axes.ROC ? new long[] {fp, tp} : new long[] {selected, tp + negatives - fp};
  }

  /**
   * Whether b lies strictly below the segment a–c (a left turn a → b → c), so it is not on the
   * upper hull. Points on the segment stay: there a plain threshold does what a mix would.
   */
  private static boolean isBelow(long[] a, long[] b, long[] c) {
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]) > 0;
  }

  /**
   * The hull at x in [0, 1]: {x, y, high threshold, low threshold, pLow}, where the rule uses the
   * looser threshold {@code low} with probability pLow and the stricter {@code high} otherwise.
   */
  static double[] interpolate(double[][] h, double x) {
    double[] xs = h[0];
    int j = Arrays.binarySearch(xs, x);
    if (j >= 0) return new double[] {x, h[1][j], h[2][j], h[2][j], 0};
    int hi = -j - 1, lo = hi - 1; // xs[lo] < x < xs[hi]
    double q = (x - xs[lo]) / (xs[hi] - xs[lo]);
    return new double[] {x, (1 - q) * h[1][lo] + q * h[1][hi], h[2][lo], h[2][hi], q};
  }
}
