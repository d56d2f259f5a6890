package dev.fathom.xai.fairness;

import dev.fathom.tensor.Rng;

/**
 * Whether an observed demographic parity difference is larger than chance: a permutation test
 * that shuffles the group labels among the examples (keeping each group's size) and recomputes
 * DPD = max_a SR_a − min_a SR_a each time. Under the null hypothesis that decisions do not depend
 * on the group, every shuffle is as likely as the observed assignment, so
 *
 * <pre>
 *   p = (1 + #{shuffles with DPD ≥ observed}) / (1 + P)           (Phipson and Smyth 2010)
 *   floor = mean DPD over the shuffles
 * </pre>
 *
 * The floor is the gap a group-blind classifier with the same decisions shows on groups of these
 * sizes: with 30 examples in a group it is several points, so a measured DPD near the floor is
 * parity as far as the data can tell, and a mitigation cannot be shown to cut a gap below it.
 *
 * @param observed the DPD of the decisions with the true groups
 * @param floor the mean DPD over the shuffles
 * @param pValue the permutation p-value, in (0, 1]
 * @param permutations P, the number of shuffles
 */
public record ParityPermutationTest(double observed, double floor, double pValue, int permutations) {
  /**
   * Runs the test.
   *
   * @param yPred (N) decisions ŷ ∈ [0, 1]
   * @param groups the group of each example
   * @param permutations P ≥ 1
   * @param seed seeds the shuffles
   * @return the result
   * @throws IllegalArgumentException if P &lt; 1, or as {@link GroupMetrics#rates}
   */
  public static ParityPermutationTest of(double[] yPred, Groups groups, int permutations, long seed) {
    if (permutations < 1) {
      throw new IllegalArgumentException("permutation test: expected at least 1 permutation, got " + permutations);
    }
    double observed = GroupMetrics.demographicParityDifference(yPred, groups);
    int n = yPred.length, k = groups.count();
    int[] sizes = groups.sizes();
    int[] labels = groups.index().clone();
    Rng rng = new Rng(seed);
    double sum = 0;
    int atLeast = 0;
    double[] sel = new double[k];
    for (int p = 0; p < permutations; p++) {
      for (int i = n - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1), t = labels[i];
        labels[i] = labels[j];
        labels[j] = t;
      }
      java.util.Arrays.fill(sel, 0);
      for (int i = 0; i < n; i++) {
        sel[labels[i]] += yPred[i];
      }
      double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
      for (int a = 0; a < k; a++) {
        if (sizes[a] > 0) {
          lo = Math.min(lo, sel[a] / sizes[a]);
          hi = Math.max(hi, sel[a] / sizes[a]);
        }
      }
      double gap = hi - lo;
      sum += gap;
      if (gap >= observed - 1e-12) {
        atLeast++;
      }
    }
    return new ParityPermutationTest(observed, sum / permutations, (1.0 + atLeast) / (1.0 + permutations), permutations);
  }
}
