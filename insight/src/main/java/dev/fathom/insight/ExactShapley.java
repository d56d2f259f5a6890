package dev.fathom.insight;

/**
 * Shapley values by enumerating all 2^n subsets: the reference the estimators are checked
 * against.
 *
 * <pre>
 *   φ_i = Σ_{S ⊆ N∖{i}} |S|! (n − |S| − 1)! / n! · (U(S ∪ {i}) − U(S))
 * </pre>
 *
 * U is evaluated once per subset (2^n calls), then each of the n·2^(n−1) marginal terms is a
 * table lookup.
 */
public final class ExactShapley {
  private ExactShapley() {}

  /** Largest n accepted: 2^20 utility calls is already minutes for a trained learner. */
  public static final int MAX_PLAYERS = 20;

  /**
   * @return n values, φ_i in player order
   * @throws IllegalArgumentException when n is 0 or above {@link #MAX_PLAYERS}
   */
  public static double[] values(Utility u) {
    int n = u.size();
    if (n < 1 || n > MAX_PLAYERS) {
      throw new IllegalArgumentException("exact Shapley: needs 1.." + MAX_PLAYERS + " players (2^n utility calls), got " + n);
    }
    double[] table = new double[1 << n];
    int[] members = new int[n];
    for (int mask = 0; mask < table.length; mask++) {
      int c = 0;
      for (int i = 0; i < n; i++) if ((mask & (1 << i)) != 0) members[c++] = i;
      table[mask] = u.of(members, c);
    }
    // weight[s] = s! (n − s − 1)! / n!, built as a product to stay in range for n ≤ 20
    double[] weight = new double[n];
    for (int s = 0; s < n; s++) {
      double w = 1.0 / n;
      // 1 / C(n−1, s) = s! (n−1−s)! / (n−1)!
      for (int k = 1; k <= s; k++) w *= (double) k / (n - s - 1 + k);
      weight[s] = w;
    }
    double[] phi = new double[n];
    for (int mask = 0; mask < table.length; mask++) {
      int s = Integer.bitCount(mask);
      for (int i = 0; i < n; i++) {
        if ((mask & (1 << i)) == 0) phi[i] += weight[s] * (table[mask | (1 << i)] - table[mask]);
      }
    }
    return phi;
  }
}
