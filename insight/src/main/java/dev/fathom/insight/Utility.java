package dev.fathom.insight;

/**
 * The performance U(S) of a model trained on a subset S of the n training examples, the game
 * whose Shapley values are the data values (Ghorbani and Zou, "Data Shapley", ICML 2019).
 *
 * <p>Implementations must be deterministic: the same subset always gives the same number, so
 * exact enumeration, leave-one-out and Monte Carlo estimates all value the same game.
 */
public interface Utility {
  /** Number of players (training examples). */
  int size();

  /**
   * @param members indices into the training set, the first {@code count} of which form S (order
   *     does not matter; no repeats)
   * @param count |S|, 0 ≤ count ≤ members.length
   * @return U(S)
   */
  double of(int[] members, int count);

  /**
   * Utilities of the growing prefixes of {@code order}: the returned path's k-th {@link
   * Path#next()} is U({order_0..order_{k−1}}). Permutation samplers walk such paths; a utility
   * that can add one member cheaply (a rank-one update) overrides this.
   */
  default Path path(int[] order) {
    return new Path() {
      int k;

      @Override
      public double next() {
        return of(order, ++k);
      }
    };
  }

  /** Utilities of growing prefixes of one ordering, see {@link Utility#path}. */
  interface Path {
    /** Adds the next member and returns U of the prefix so far. */
    double next();
  }
}
