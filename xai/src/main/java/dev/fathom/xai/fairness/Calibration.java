package dev.fathom.xai.fairness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A reliability table of predicted probabilities against observed outcomes, for one group or for
 * all examples (calibration by group: Kleinberg, Mullainathan and Raghavan 2017; Pleiss et al.
 * 2017). The probabilities p_i = P(Y=1 | x_i) go into B equal-width bins over [0, 1] (bin b holds
 * b/B ≤ p &lt; (b+1)/B, the last bin also p = 1); per bin b with n_b examples
 *
 * <pre>
 *   mean predicted  conf_b = Σ_{i∈b} p_i / n_b
 *   observed rate   obs_b  = Σ_{i∈b} y_i / n_b
 *   ECE = Σ_b (n_b / n) · |obs_b − conf_b|          (expected calibration error, Naeini et al. 2015)
 * </pre>
 *
 * This is the binary reliability diagram of the favorable class (scikit-learn's
 * {@code calibration_curve} with uniform bins), not the top-label ECE of multi-class work. A
 * well-calibrated score has obs_b ≈ conf_b in every group; a score calibrated overall but not
 * within groups means equal scores carry unequal risks across groups. Empty bins have count 0 and
 * NaN means, and add nothing to the ECE.
 *
 * @param group the group's name, or {@code "all"}
 * @param counts (B) n_b
 * @param meanPredicted (B) conf_b, NaN for an empty bin
 * @param observedRate (B) obs_b, NaN for an empty bin
 * @param ece the expected calibration error
 */
public record Calibration(String group, int[] counts, double[] meanPredicted, double[] observedRate, double ece) {
  /**
   * Validates the bin arrays.
   *
   * @throws IllegalArgumentException if the arrays differ in length or are empty
   */
  public Calibration {
    if (counts.length == 0 || counts.length != meanPredicted.length || counts.length != observedRate.length) {
      throw new IllegalArgumentException("Calibration: expected B >= 1 bins in each array, got " + counts.length + " counts, "
          + meanPredicted.length + " means and " + observedRate.length + " observed rates");
    }
    counts = counts.clone();
    meanPredicted = meanPredicted.clone();
    observedRate = observedRate.clone();
  }

  /**
   * The reliability table of all examples.
   *
   * @param yTrue (N) outcomes, 0 or 1 (1 = favorable)
   * @param prob (N) predicted P(favorable), each in [0, 1]
   * @param bins B ≥ 1
   * @return the table, group {@code "all"}
   * @throws IllegalArgumentException if the lengths differ, a label is not 0/1, a probability is
   *     outside [0, 1], or B &lt; 1
   */
  public static Calibration of(int[] yTrue, double[] prob, int bins) {
    return byGroup(yTrue, prob, new Groups(new int[yTrue.length], List.of("all")), bins).getFirst();
  }

  /**
   * One reliability table per group with examples, in group order.
   *
   * @param yTrue (N) outcomes, 0 or 1 (1 = favorable)
   * @param prob (N) predicted P(favorable), each in [0, 1]
   * @param groups the group of each example
   * @param bins B ≥ 1
   * @return the tables
   * @throws IllegalArgumentException as {@link #of}
   */
  public static List<Calibration> byGroup(int[] yTrue, double[] prob, Groups groups, int bins) {
    if (bins < 1) {
      throw new IllegalArgumentException("calibration: expected at least 1 bin, got " + bins);
    }
    groups.checkLength("y_true", yTrue.length);
    groups.checkLength("probabilities", prob.length);
    int k = groups.count();
    int[][] n = new int[k][bins];
    double[][] sumP = new double[k][bins], sumY = new double[k][bins];
    for (int i = 0; i < yTrue.length; i++) {
      if (yTrue[i] != 0 && yTrue[i] != 1) {
        throw new IllegalArgumentException("y_true of example " + i + " is " + yTrue[i] + ", expected 0 or 1 (1 = favorable)");
      }
      double p = prob[i];
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException("probability of example " + i + " is " + p + ", expected a value in [0, 1]");
      }
      int g = groups.of(i), b = Math.min(bins - 1, (int) (p * bins));
      n[g][b]++;
      sumP[g][b] += p;
      sumY[g][b] += yTrue[i];
    }
    List<Calibration> out = new ArrayList<>();
    for (int g = 0; g < k; g++) {
      int total = Arrays.stream(n[g]).sum();
      if (total == 0) {
        continue;
      }
      double[] conf = new double[bins], obs = new double[bins];
      double ece = 0;
      for (int b = 0; b < bins; b++) {
        conf[b] = n[g][b] == 0 ? Double.NaN : sumP[g][b] / n[g][b];
        obs[b] = n[g][b] == 0 ? Double.NaN : sumY[g][b] / n[g][b];
        if (n[g][b] > 0) {
          ece += (double) n[g][b] / total * Math.abs(obs[b] - conf[b]);
        }
      }
      out.add(new Calibration(groups.names().get(g), n[g], conf, obs, ece));
    }
    return out;
  }

  /**
   * The number of examples in the table.
   *
   * @return Σ n_b
   */
  public int total() {
    return Arrays.stream(counts).sum();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Calibration c && group.equals(c.group) && Arrays.equals(counts, c.counts)
        && Arrays.equals(meanPredicted, c.meanPredicted) && Arrays.equals(observedRate, c.observedRate) && ece == c.ece;
  }

  @Override
  public int hashCode() {
    return group.hashCode() * 31 + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    return "Calibration[" + group + ", " + total() + " examples, ECE " + ece + "]";
  }
}
