package dev.fathom.xai.shap;

/**
 * Weighted, optionally ridge-penalized linear least squares in double:
 *
 * <pre>
 *   β = argmin  Σ_r w_r (y_r − a_r·β)²  +  Σ_j λ_j β_j²
 * </pre>
 *
 * solved by Householder QR of the stacked matrix [√w ∘ A ; diag(√λ)] (rows with λ_j = 0 left
 * out), so the condition number is that of A, not its square as with the normal equations. An
 * unpenalized intercept is a column of ones with λ = 0, which is what scikit-learn's
 * {@code Ridge(fit_intercept=True)} solves. Core's {@code Linalg} is float32 GEMM on tensors
 * and has no solver, hence this small one.
 */
final class WeightedLeastSquares {
  private WeightedLeastSquares() {}

  /**
   * Solves the problem above.
   *
   * @param a (n, p) design, row-major
   * @param y (n) targets
   * @param w (n) weights, each finite and &ge; 0
   * @param ridge (p) penalties λ_j &ge; 0, or null for none
   * @param who the caller's name, for the error message
   * @return β (p)
   * @throws IllegalStateException if the (penalized, weighted) design has rank &lt; p
   */
  static double[] solve(double[][] a, double[] y, double[] w, double[] ridge, String who) {
    int n = a.length, p = a.length == 0 ? 0 : a[0].length;
    int penalized = 0;
    if (ridge != null) for (double l : ridge) if (l > 0) penalized++;
    int rows = n + penalized;
    if (rows < p) throw rankError(who, n, p, 0);
    double[][] col = new double[p][rows];  // column-major copy of the stacked matrix
    double[] b = new double[rows];
    for (int r = 0; r < n; r++) {
      double s = Math.sqrt(w[r]);
      for (int j = 0; j < p; j++) col[j][r] = s * a[r][j];
      b[r] = s * y[r];
    }
    for (int j = 0, r = n; j < p && ridge != null; j++) {
      if (ridge[j] > 0) col[j][r++] = Math.sqrt(ridge[j]);
    }
    double[] diag = new double[p];
    for (int j = 0; j < p; j++) {
      double[] v = col[j];
      double norm = 0;
      for (int r = j; r < rows; r++) norm = Math.hypot(norm, v[r]);
      if (norm == 0) continue;
      double alpha = v[j] > 0 ? -norm : norm;  // R_jj; the sign avoids cancellation in v_j − alpha
      v[j] -= alpha;  // v (rows j..) is now the Householder vector
      double vv = 0;
      for (int r = j; r < rows; r++) vv += v[r] * v[r];
      for (int c = j + 1; c < p; c++) reflect(v, col[c], j, rows, vv);
      reflect(v, b, j, rows, vv);
      diag[j] = alpha;
    }
    double max = 0;
    for (double d : diag) max = Math.max(max, Math.abs(d));
    double tol = Math.max(rows, p) * Math.ulp(1.0) * max;
    int rank = 0;
    for (double d : diag) if (Math.abs(d) > tol) rank++;
    if (rank < p || max == 0) throw rankError(who, n, p, rank);
    double[] beta = new double[p];
    for (int j = p - 1; j >= 0; j--) {
      double s = b[j];
      for (int c = j + 1; c < p; c++) s -= col[c][j] * beta[c];
      beta[j] = s / diag[j];
    }
    return beta;
  }

  /** x ← (I − 2vvᵀ/vᵀv) x on rows [from, rows). */
  private static void reflect(double[] v, double[] x, int from, int rows, double vv) {
    double dot = 0;
    for (int r = from; r < rows; r++) dot += v[r] * x[r];
    double t = 2 * dot / vv;
    for (int r = from; r < rows; r++) x[r] -= t * v[r];
  }

  private static IllegalStateException rankError(String who, int n, int p, int rank) {
    return new IllegalStateException(who + ": the weighted least-squares design has rank " + rank + " but " + p
        + " unknowns (" + n + " rows): more perturbed samples are needed to determine them");
  }
}
