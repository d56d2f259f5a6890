package dev.fathom.xai.fairness;

import dev.fathom.tensor.Rng;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Post-processing for demographic parity or equalized odds (Hardt, Price and Srebro, "Equality of
 * Opportunity in Supervised Learning", NeurIPS 2016; Fairlearn's {@code ThresholdOptimizer} with
 * {@code constraints="demographic_parity"} or {@code "equalized_odds"},
 * {@code objective="accuracy_score"}). For demographic parity, a trained model's scores
 * stay as they are, and each group a gets its own randomized {@link ThresholdRule}, chosen on
 * training data to maximize accuracy subject to equal selection rates:
 *
 * <pre>
 *   max_r  Σ_a (n_a / N) · acc_a(r)     where acc_a(r) = max { accuracy of a rule for group a with selection rate r }
 * </pre>
 *
 * For one group, each threshold between two distinct scores is an operating point
 * (selection rate, accuracy); mixing two thresholds at random reaches every point on a segment
 * between two of them, so acc_a is the upper concave hull of the operating points, piecewise
 * linear in r. The sum of concave piecewise-linear functions is maximal at a breakpoint of one of
 * them, so trying every hull vertex of every group finds the exact optimum (Fairlearn searches a
 * grid of 1000 rates instead). Each group then mixes the two hull vertices around r.
 *
 * <p>For equalized odds every group reaches one common (FPR, TPR) point instead, the most
 * accurate one all groups' ROC hulls contain ({@link EqualizedOddsThresholds}).
 *
 * <p>Thresholds sit halfway between consecutive distinct training scores (+∞ selects no one, −∞
 * everyone). The rule needs the group at prediction time, like Fairlearn's.
 */
public final class ThresholdOptimizer {
  private final FairnessConstraint constraint;
  private final double targetRate;
  private final double targetFpr;
  private final double targetTpr;
  private final Map<String, ThresholdRule> rules;

  private ThresholdOptimizer(FairnessConstraint constraint, double targetRate, double targetFpr, double targetTpr, List<ThresholdRule> fitted) {
    this.constraint = constraint;
    this.targetRate = targetRate;
    this.targetFpr = targetFpr;
    this.targetTpr = targetTpr;
    this.rules = new LinkedHashMap<>();
    for (ThresholdRule r : fitted) rules.put(r.group(), r);
  }

  /**
   * Fits one demographic-parity rule per group with examples.
   *
   * @param scores (N) the model's scores, e.g. P(favorable | x); higher means more favorable
   * @param yTrue (N) labels, 0 or 1 (1 = favorable)
   * @param groups the group of each example
   * @return the fitted optimizer
   * @throws IllegalArgumentException if the lengths differ, a score is NaN, a label is not 0/1,
   *     or fewer than two groups have examples
   */
  public static ThresholdOptimizer fit(double[] scores, int[] yTrue, Groups groups) {
    return fit(scores, yTrue, groups, FairnessConstraint.DEMOGRAPHIC_PARITY);
  }

  /**
   * Fits one rule per group with examples, under {@code constraint}.
   *
   * @throws IllegalArgumentException as {@link #fit(double[], int[], Groups)}, and for equalized
   *     odds if a group lacks examples of either outcome
   */
  public static ThresholdOptimizer fit(double[] scores, int[] yTrue, Groups groups, FairnessConstraint constraint) {
    groups.checkLength("scores", scores.length);
    groups.checkLength("y_true", yTrue.length);
    List<List<Integer>> members = new ArrayList<>();
    for (int g = 0; g < groups.count(); g++) {
      members.add(new ArrayList<>());
    }
    for (int i = 0; i < scores.length; i++) {
      if (Double.isNaN(scores[i])) {
        throw new IllegalArgumentException("score of example " + i + " is NaN, expected a number");
      }
      if (yTrue[i] != 0 && yTrue[i] != 1) {
        throw new IllegalArgumentException("y_true of example " + i + " is " + yTrue[i] + ", expected 0 or 1 (1 = favorable)");
      }
      members.get(groups.of(i)).add(i);
    }
    List<String> names = new ArrayList<>();
    List<double[][]> hulls = new ArrayList<>(); // per group: {x[], acc[], threshold[]}
    List<Integer> sizes = new ArrayList<>();
    for (int g = 0; g < groups.count(); g++) {
      if (!members.get(g).isEmpty()) {
        names.add(groups.names().get(g));
        hulls.add(OperatingPoints.upperHull(members.get(g), scores, yTrue, OperatingPoints.Axes.RATE_ACCURACY));
        sizes.add(members.get(g).size());
      }
    }
    if (names.size() < 2) {
      throw new IllegalArgumentException("threshold optimizer: expected at least 2 groups with training examples, got " + names);
    }
    if (constraint == FairnessConstraint.EQUALIZED_ODDS) {
      members.removeIf(List::isEmpty);
      var eo = EqualizedOddsThresholds.fit(members, names, scores, yTrue);
      return new ThresholdOptimizer(constraint, Double.NaN, eo.fpr(), eo.tpr(), eo.rules());
    }
    double best = Double.NEGATIVE_INFINITY, bestRate = 0;
    for (double[][] h : hulls) {
      for (double r : h[0]) {
        double total = 0;
        for (int a = 0; a < hulls.size(); a++) {
          total += sizes.get(a) * OperatingPoints.interpolate(hulls.get(a), r)[1];
        }
        if (total > best) {
          best = total;
          bestRate = r;
        }
      }
    }
    List<ThresholdRule> rules = new ArrayList<>();
    for (int a = 0; a < hulls.size(); a++) {
      double[] at = OperatingPoints.interpolate(hulls.get(a), bestRate);
      rules.add(new ThresholdRule(names.get(a), at[2], at[3], at[4], bestRate, at[1]));
    }
    return new ThresholdOptimizer(constraint, bestRate, Double.NaN, Double.NaN, rules);
  }

  /** What the rules equalize. */
  public FairnessConstraint constraint() {
    return constraint;
  }

  /**
   * The common selection rate r the demographic-parity rules were fitted to.
   *
   * @return r in [0, 1]; NaN for equalized odds
   */
  public double targetRate() {
    return targetRate;
  }

  /** The common false-positive rate of the equalized-odds rules on the training data; NaN for demographic parity. */
  public double targetFpr() {
    return targetFpr;
  }

  /** The common true-positive rate of the equalized-odds rules on the training data; NaN for demographic parity. */
  public double targetTpr() {
    return targetTpr;
  }

  /**
   * The fitted rules, one per group that had training examples.
   *
   * @return the rules in group order
   */
  public List<ThresholdRule> rules() {
    return List.copyOf(rules.values());
  }

  /**
   * The probability of a favorable decision for each example under its group's rule.
   *
   * @param scores (N) the same model's scores on new examples
   * @param groups their groups, by name
   * @return (N) P(Ŷ=1) in [0, 1], for {@link GroupMetrics}
   * @throws IllegalArgumentException if the lengths differ, a score is NaN, or an example is in
   *     a group the optimizer had no training examples for
   */
  public double[] decide(double[] scores, Groups groups) {
    groups.checkLength("scores", scores.length);
    ThresholdRule[] byIndex = new ThresholdRule[groups.count()];
    double[] out = new double[scores.length];
    for (int i = 0; i < scores.length; i++) {
      int g = groups.of(i);
      if (byIndex[g] == null) {
        String name = groups.names().get(g);
        byIndex[g] = rules.get(name);
        if (byIndex[g] == null) {
          throw new IllegalArgumentException("example " + i + " is in group '" + name + "', which had no training examples; the fitted groups are "
              + rules.keySet());
        }
      }
      if (Double.isNaN(scores[i])) {
        throw new IllegalArgumentException("score of example " + i + " is NaN, expected a number");
      }
      out[i] = byIndex[g].decide(scores[i]);
    }
    return out;
  }

  /**
   * Draws deterministic decisions from the randomized rules.
   *
   * @param scores (N) scores
   * @param groups their groups
   * @param rng the coin flips
   * @return (N) decisions, 0 or 1
   * @throws IllegalArgumentException as {@link #decide}
   */
  public int[] predict(double[] scores, Groups groups, Rng rng) {
    double[] p = decide(scores, groups);
    int[] out = new int[p.length];
    for (int i = 0; i < p.length; i++) {
      out[i] = p[i] == 1 || (p[i] > 0 && rng.nextDouble() < p[i]) ? 1 : 0;
    }
    return out;
  }
}
