package dev.fathom.insight;

import dev.fathom.tensor.Rng;

/**
 * Truncated Monte Carlo Shapley (Ghorbani and Zou, "Data Shapley: Equitable Valuation of Data
 * for Machine Learning", ICML 2019, Algorithm 1).
 *
 * <pre>
 *   for t = 1, 2, ...:
 *     π = random permutation;  v_0 = U(∅)
 *     for j = 1..n:
 *       v_j = |U(N) − v_{j−1}| < tol·|U(N)| ? v_{j−1} : U({π_1..π_j})     (truncation)
 *       φ_{π_j} += (v_j − v_{j−1} − φ_{π_j}) / t                           (running mean)
 *   until mean_i |φ_i(t) − φ_i(t − w)| / |φ_i(t)| < ε
 * </pre>
 *
 * Each permutation's marginals sum to U(N) − U(∅) before truncation, so the estimate keeps the
 * efficiency axiom up to the truncated tail.
 */
public final class TmcShapley {
  private TmcShapley() {}

  /**
   * @param values φ estimates in player order
   * @param permutations permutations sampled
   * @param utilityCalls U evaluations made (truncation saves the rest)
   * @param converged whether the convergence test stopped the run (false: maxPermutations reached)
   * @param finalChange the last convergence statistic (NaN before the first test)
   */
  public record Result(double[] values, int permutations, long utilityCalls, boolean converged, double finalChange) {}

  public static Result values(Utility u, TmcConfig cfg) {
    int n = u.size();
    if (n < 1) throw new IllegalArgumentException("tmc: needs at least 1 player, got " + n);
    int[] all = new int[n];
    for (int i = 0; i < n; i++) all[i] = i;
    double full = u.of(all, n), empty = u.of(all, 0);
    long calls = 2;
    double[] phi = new double[n];
    double[][] history = new double[cfg.window() + 1][]; // ring of past estimates for the convergence test
    Rng rng = new Rng(cfg.seed());
    double change = Double.NaN;
    int t = 0;
    boolean converged = false;
    while (t < cfg.maxPermutations()) {
      t++;
      int[] perm = rng.permutation(n);
      double prev = empty;
      Utility.Path path = u.path(perm);
      for (int j = 0; j < n; j++) {
        double v;
        if (cfg.truncation() > 0 && Math.abs(full - prev) < cfg.truncation() * Math.abs(full)) {
          v = prev;
        } else {
          v = path.next();
          calls++;
        }
        int p = perm[j];
        phi[p] += (v - prev - phi[p]) / t;
        prev = v;
      }
      history[t % history.length] = phi.clone();
      if (t > cfg.window()) {
        change = meanRelativeChange(phi, history[(t - cfg.window()) % history.length]);
        if (t >= cfg.minPermutations() && change < cfg.convergence()) {
          converged = true;
          break;
        }
      }
    }
    return new Result(phi, t, calls, converged, change);
  }

  /**
   * Σ_i |φ_i(t) − φ_i(t − w)| / Σ_i |φ_i(t)|. Ghorbani and Zou average the per-point ratios; with
   * many values near zero those ratios explode and the test never passes, so the change is
   * measured against the values' total magnitude instead.
   */
  static double meanRelativeChange(double[] now, double[] before) {
    double d = 0, m = 0;
    for (int i = 0; i < now.length; i++) {
      d += Math.abs(now[i] - before[i]);
      m += Math.abs(now[i]);
    }
    return m == 0 ? (d == 0 ? 0 : Double.POSITIVE_INFINITY) : d / m;
  }
}
