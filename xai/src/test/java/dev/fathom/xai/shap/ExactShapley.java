package dev.fathom.xai.shap;

import dev.fathom.xai.Predictor;

/**
 * The reference the KernelSHAP tests compare with: Shapley values by their definition,
 * φ_i = Σ_{S ⊆ N∖{i}} |S|! (d − |S| − 1)! / d! · (v(S ∪ {i}) − v(S)), with the interventional
 * value function v(S) = mean_b f(x_S, b_S̄) evaluated on all 2^d coalitions. No regression, no
 * kernel weights: an independent route to the same numbers.
 */
final class ExactShapley {
  private ExactShapley() {}

  static double[] values(Predictor f, double[][] background, double[] x, int output) {
    int d = x.length;
    double[] v = new double[1 << d];
    for (int mask = 0; mask < v.length; mask++) {
      double[][] rows = new double[background.length][];
      for (int b = 0; b < background.length; b++) {
        rows[b] = background[b].clone();
        for (int j = 0; j < d; j++) if ((mask >> j & 1) == 1) rows[b][j] = x[j];
      }
      double sum = 0;
      for (double[] o : f.predict(rows)) sum += o[output];
      v[mask] = sum / background.length;
    }
    double[] fact = new double[d + 1];
    fact[0] = 1;
    for (int i = 1; i <= d; i++) fact[i] = fact[i - 1] * i;
    double[] phi = new double[d];
    for (int i = 0; i < d; i++) {
      for (int mask = 0; mask < v.length; mask++) {
        if ((mask >> i & 1) == 1) continue;
        int s = Integer.bitCount(mask);
        phi[i] += fact[s] * fact[d - s - 1] / fact[d] * (v[mask | 1 << i] - v[mask]);
      }
    }
    return phi;
  }
}
