package dev.fathom.xai.shap;

import dev.fathom.tensor.Rng;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The coalitions KernelSHAP evaluates and their regression weights, chosen as the shap
 * package's {@code KernelExplainer} chooses them.
 *
 * <p>The Shapley kernel gives a coalition of size s out of M the weight
 * π(s) = (M − 1) / (C(M, s) · s · (M − s)), so the total mass of size s is proportional to
 * (M − 1) / (s (M − s)): most of it sits on the small and the large coalitions. Sizes s and
 * M − s have equal mass and are handled as one class (a subset and its complement). Walking the
 * classes from s = 1 inward, a class is enumerated completely, every subset at its exact share
 * of the class's mass, while the remaining budget covers it (budget × remaining share / subsets
 * &ge; 1); then the budget left is spent on random draws from the remaining classes: a class
 * with probability proportional to its mass, a uniform subset of that size, and, when paired,
 * its complement too (antithetic sampling: the pair's errors cancel in the linear terms; unlike
 * shap, a pair that does not fit the budget is not started, so no sampled coalition lacks its
 * complement).
 * A repeated draw adds 1 to the existing coalition's count instead of a new row, and the counts
 * are scaled at the end so that the sampled part carries exactly the mass of the classes it
 * stands for. When the budget reaches 2^M − 2 every class is enumerated and the regression
 * reproduces the exact Shapley values.
 *
 * @param masks (n, M): true where the coalition takes the explained row's feature
 * @param weights (n) kernel weights, summing to 1
 * @param exhaustive whether all 2^M − 2 non-trivial coalitions were enumerated
 */
record Coalitions(boolean[][] masks, double[] weights, boolean exhaustive) {

  /**
   * Chooses the coalitions over {@code m} features.
   *
   * @param m the number of players M, at least 2
   * @param nsamples the budget of coalitions
   * @param paired whether a sampled subset brings its complement
   * @param rng the source of the random draws
   */
  static Coalitions draw(int m, int nsamples, boolean paired, Rng rng) {
    long all = m <= 30 ? (1L << m) - 2 : Long.MAX_VALUE;
    boolean exhaustive = nsamples >= all;
    int budget = (int) Math.min(nsamples, all);
    int classes = m / 2;           // ceil((M − 1) / 2): sizes 1..classes and their complements
    int pairedClasses = (m - 1) / 2; // classes whose complement has another size (s < M − s)
    double[] mass = new double[classes];
    double total = 0;
    for (int s = 1; s <= classes; s++) {
      mass[s - 1] = (m - 1.0) / (s * (double) (m - s)) * (s <= pairedClasses ? 2 : 1);
      total += mass[s - 1];
    }
    for (int i = 0; i < classes; i++) mass[i] /= total;

    List<boolean[]> masks = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    double[] remaining = mass.clone();
    double left = budget;
    int full = 0;
    for (int s = 1; s <= classes; s++) {
      double subsets = binomial(m, s) * (s <= pairedClasses ? 2 : 1);
      if (!exhaustive && left * remaining[s - 1] / subsets < 1 - 1e-8) break;
      full++;
      left -= subsets;
      if (remaining[s - 1] < 1) {
        double r = remaining[s - 1];
        for (int i = 0; i < classes; i++) remaining[i] /= 1 - r;
      }
      double w = mass[s - 1] / subsets;
      int[] idx = new int[s];
      for (int i = 0; i < s; i++) idx[i] = i;
      do {
        boolean[] z = new boolean[m];
        for (int i : idx) z[i] = true;
        masks.add(z);
        weights.add(w);
        if (s <= pairedClasses) {
          masks.add(complement(z));
          weights.add(w);
        }
      } while (nextCombination(idx, m));
    }

    if (full < classes && left >= 1) sample(m, (int) left, paired, rng, mass, full, pairedClasses, masks, weights);
    boolean[][] z = masks.toArray(new boolean[0][]);
    double[] wt = new double[z.length];
    for (int i = 0; i < wt.length; i++) wt[i] = weights.get(i);
    return new Coalitions(z, wt, exhaustive);
  }

  /** Random draws from classes {@code full + 1 ..}, appended with their counts rescaled to the classes' mass. */
  private static void sample(int m, int left, boolean paired, Rng rng, double[] mass, int full, int pairedClasses,
      List<boolean[]> masks, List<Double> weights) {
    int classes = mass.length;
    double[] p = new double[classes - full];
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      int s = full + 1 + i;
      p[i] = mass[s - 1] / (paired && s <= pairedClasses ? 2 : 1);  // a paired draw brings two coalitions
      sum += p[i];
    }
    int start = masks.size();
    Map<BitSet, Integer> seen = new HashMap<>();
    int[] perm = new int[m];
    for (int draws = 4 * left; left > 0 && draws > 0; draws--) {
      int s = full + 1 + pick(p, sum, rng);
      int size = !paired && s <= pairedClasses && rng.nextDouble() < 0.5 ? m - s : s;
      boolean[] z = randomSubset(m, size, perm, rng);
      BitSet key = bits(z);
      Integer at = seen.get(key);
      boolean pair = paired && s <= pairedClasses;
      if (at == null) {
        if (pair && left < 2) continue;  // a pair that does not fit is not started: every sampled coalition has its complement
        seen.put(key, masks.size());
        masks.add(z);
        weights.add(1.0);
        left--;
        if (pair) {
          masks.add(complement(z));
          weights.add(1.0);
          left--;
        }
      } else {
        weights.set(at, weights.get(at) + 1);
        // a repeated paired draw found its complement right after it (sampled sizes never reach M − s)
        if (pair) weights.set(at + 1, weights.get(at + 1) + 1);
      }
    }
    double counted = 0, target = 0;
    for (int i = start; i < weights.size(); i++) counted += weights.get(i);
    for (int i = full; i < classes; i++) target += mass[i];
    for (int i = start; i < weights.size(); i++) weights.set(i, weights.get(i) * target / counted);
  }

  private static int pick(double[] p, double sum, Rng rng) {
    double u = rng.nextDouble() * sum;
    for (int i = 0; i < p.length - 1; i++) {
      u -= p[i];
      if (u < 0) return i;
    }
    return p.length - 1;
  }

  /** A uniform subset of the given size: the first {@code size} entries of a partial Fisher-Yates shuffle. */
  private static boolean[] randomSubset(int m, int size, int[] perm, Rng rng) {
    for (int i = 0; i < m; i++) perm[i] = i;
    boolean[] z = new boolean[m];
    for (int i = 0; i < size; i++) {
      int j = i + rng.nextInt(m - i);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
      z[perm[i]] = true;
    }
    return z;
  }

  private static boolean[] complement(boolean[] z) {
    boolean[] c = new boolean[z.length];
    for (int i = 0; i < z.length; i++) c[i] = !z[i];
    return c;
  }

  private static BitSet bits(boolean[] z) {
    BitSet b = new BitSet(z.length);
    for (int i = 0; i < z.length; i++) if (z[i]) b.set(i);
    return b;
  }

  /** Advances {@code idx} (ascending, values in [0, m)) to the next combination in lexicographic order. */
  private static boolean nextCombination(int[] idx, int m) {
    int k = idx.length;
    int i = k - 1;
    while (i >= 0 && idx[i] == m - k + i) i--;
    if (i < 0) return false;
    idx[i]++;
    for (int j = i + 1; j < k; j++) idx[j] = idx[j - 1] + 1;
    return true;
  }

  static double binomial(int n, int k) {
    double c = 1;
    for (int i = 1; i <= k; i++) c = c * (n - k + i) / i;
    return c;
  }
}
