package dev.fathom.insight;

/**
 * Settings of truncated Monte Carlo Shapley.
 *
 * @param maxPermutations upper bound on sampled permutations
 * @param minPermutations permutations always taken before the convergence test may stop the run
 * @param truncation a permutation stops evaluating U once |U(N) − U(prefix)| < truncation·|U(N)|
 *     (0 disables truncation); the remaining marginals count as 0
 * @param convergence stop when the relative change of the values over the last {@code window}
 *     permutations, Σ_i |φ_i(t) − φ_i(t − window)| / Σ_i |φ_i(t)|, falls below this (Ghorbani and
 *     Zou use 0.05 over 100 permutations, with per-point ratios)
 * @param window permutations between the two estimates the convergence test compares
 * @param seed seed of the permutations
 */
public record TmcConfig(int maxPermutations, int minPermutations, double truncation, double convergence, int window, long seed) {
  public TmcConfig {
    if (maxPermutations < 1) throw new IllegalArgumentException("tmc: maxPermutations must be >= 1, got " + maxPermutations);
    if (minPermutations < 1 || minPermutations > maxPermutations) {
      throw new IllegalArgumentException("tmc: minPermutations must be in [1, maxPermutations=" + maxPermutations + "], got " + minPermutations);
    }
    if (!(truncation >= 0 && truncation < 1)) throw new IllegalArgumentException("tmc: truncation must be in [0, 1), got " + truncation);
    if (!(convergence > 0)) throw new IllegalArgumentException("tmc: convergence must be > 0, got " + convergence);
    if (window < 1) throw new IllegalArgumentException("tmc: window must be >= 1, got " + window);
  }

  /** Ghorbani and Zou's criterion (5% mean relative change over 100 permutations), 1% truncation, at most 2000 permutations. */
  public static TmcConfig defaults(long seed) {
    return new TmcConfig(2000, 100, 0.01, 0.05, 100, seed);
  }

  public TmcConfig withMaxPermutations(int max) {
    return new TmcConfig(max, Math.min(minPermutations, max), truncation, convergence, window, seed);
  }

  public TmcConfig withTruncation(double t) {
    return new TmcConfig(maxPermutations, minPermutations, t, convergence, window, seed);
  }
}
