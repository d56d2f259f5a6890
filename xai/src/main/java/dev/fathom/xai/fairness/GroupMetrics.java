package dev.fathom.xai.fairness;

import java.util.ArrayList;
import java.util.List;

/**
 * Group fairness metrics of a binary classifier, as in Fairlearn's {@code MetricFrame} and AIF360's
 * {@code ClassificationMetric}, for any number of groups. Labels and decisions are binary with
 * 1 = the favorable outcome (e.g. "good" credit). All sums are in double.
 *
 * <p>A decision ŷ_i is a number in [0, 1]: the probability that the classifier decides
 * favorably for example i. A deterministic classifier gives 0 or 1; a randomized one (a
 * {@link ThresholdOptimizer} mixing two thresholds, an {@link ExponentiatedGradient} mixture)
 * gives its probability, and the metrics are then the expected values over the classifier's
 * coin flips (the test examples stay fixed). {@link #decisions(double[], double)} turns scores
 * into 0/1 decisions with a threshold.
 *
 * <p>The summary metrics are in {@link FairnessReport}; this class computes the per-group
 * {@link GroupRates} they come from.
 */
public final class GroupMetrics {
  private GroupMetrics() {}

  /**
   * Deterministic decisions from scores: ŷ_i = 1 if s_i ≥ t, else 0.
   *
   * @param scores (N) e.g. P(favorable | x)
   * @param threshold t
   * @return (N) decisions, 0 or 1
   * @throws IllegalArgumentException if a score or the threshold is NaN
   */
  public static double[] decisions(double[] scores, double threshold) {
    if (Double.isNaN(threshold)) {
      throw new IllegalArgumentException("decisions: threshold is NaN, expected a number");
    }
    double[] d = new double[scores.length];
    for (int i = 0; i < d.length; i++) {
      if (Double.isNaN(scores[i])) {
        throw new IllegalArgumentException("decisions: score of example " + i + " is NaN, expected a number");
      }
      d[i] = scores[i] >= threshold ? 1 : 0;
    }
    return d;
  }

  /**
   * Decisions as numbers: ŷ_i = yPred_i.
   *
   * @param yPred (N) 0/1 decisions
   * @return (N) the same decisions as doubles
   */
  public static double[] decisions(int[] yPred) {
    double[] d = new double[yPred.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = yPred[i];
    }
    return d;
  }

  /**
   * The rates of each group that has examples, in group order; see {@link GroupRates} for the
   * formulas.
   *
   * @param yTrue (N) true outcomes, 0 or 1 (1 = favorable)
   * @param yPred (N) decisions ŷ ∈ [0, 1]
   * @param groups the group of each example
   * @return the rates of the groups with at least one example
   * @throws IllegalArgumentException if the lengths differ, a label is not 0/1, a decision is
   *     outside [0, 1], or fewer than two groups have examples
   */
  public static List<GroupRates> rates(int[] yTrue, double[] yPred, Groups groups) {
    groups.checkLength("y_true", yTrue.length);
    groups.checkLength("y_pred", yPred.length);
    int k = groups.count();
    int[] n = new int[k], pos = new int[k];
    double[] sel = new double[k], tp = new double[k], fp = new double[k], correct = new double[k];
    for (int i = 0; i < yTrue.length; i++) {
      int y = yTrue[i];
      double p = yPred[i];
      if (y != 0 && y != 1) {
        throw new IllegalArgumentException("y_true of example " + i + " is " + y + ", expected 0 or 1 (1 = favorable)");
      }
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException("y_pred of example " + i + " is " + p + ", expected a decision in [0, 1]");
      }
      int g = groups.of(i);
      n[g]++;
      pos[g] += y;
      sel[g] += p;
      tp[g] += p * y;
      fp[g] += p * (1 - y);
      correct[g] += y == 1 ? p : 1 - p;
    }
    List<GroupRates> out = new ArrayList<>();
    for (int g = 0; g < k; g++) {
      if (n[g] == 0) {
        continue;
      }
      int neg = n[g] - pos[g];
      out.add(new GroupRates(groups.names().get(g), n[g], pos[g], sel[g] / n[g], (double) pos[g] / n[g],
          pos[g] == 0 ? Double.NaN : tp[g] / pos[g], neg == 0 ? Double.NaN : fp[g] / neg, correct[g] / n[g]));
    }
    if (out.size() < 2) {
      throw new IllegalArgumentException("fairness metrics compare groups: expected at least 2 groups with examples, got "
          + out.size() + (out.isEmpty() ? "" : " ('" + out.getFirst().name() + "' with " + out.getFirst().count() + ")"));
    }
    return out;
  }

  /**
   * The group rates and the summary metrics.
   *
   * @param yTrue (N) true outcomes, 0 or 1 (1 = favorable)
   * @param yPred (N) decisions ŷ ∈ [0, 1]
   * @param groups the group of each example
   * @param privileged the privileged group's name for disparate impact, or null for the group
   *     with the highest selection rate
   * @return the report
   * @throws IllegalArgumentException as {@link #rates}, or if the privileged group is unknown or
   *     has no examples
   */
  public static FairnessReport report(int[] yTrue, double[] yPred, Groups groups, String privileged) {
    return FairnessReport.of(rates(yTrue, yPred, groups), privileged);
  }

  /**
   * The report of deterministic 0/1 decisions.
   *
   * @param yTrue (N) true outcomes, 0 or 1
   * @param yPred (N) decisions, 0 or 1
   * @param groups the group of each example
   * @param privileged the privileged group, or null
   * @return the report
   * @throws IllegalArgumentException as {@link #report(int[], double[], Groups, String)}
   */
  public static FairnessReport report(int[] yTrue, int[] yPred, Groups groups, String privileged) {
    return report(yTrue, decisions(yPred), groups, privileged);
  }

  /**
   * Demographic parity difference, max_a SR_a − min_a SR_a (Fairlearn's
   * {@code demographic_parity_difference}).
   *
   * @param yPred (N) decisions ŷ ∈ [0, 1]
   * @param groups the group of each example
   * @return the difference in [0, 1]
   * @throws IllegalArgumentException as {@link #rates}
   */
  public static double demographicParityDifference(double[] yPred, Groups groups) {
    return report(new int[yPred.length], yPred, groups, null).demographicParityDifference();
  }
}
