package dev.fathom.compress;

/**
 * The upper Cholesky factor U of (H + λI)⁻¹ = UᵀU that GPTQ and SparseGPT sweep with
 * (Frantar et al. 2023, "Cholesky reformulation"): row j of U, divided by U_jj, is the update that
 * spreads the error of column j over the columns after it, and U_jj² is the [H⁻¹]_jj of the
 * remaining columns at the moment column j is processed.
 *
 * <p>Dampening λ = {@code dampening}·mean(diag H). Input channels that never fired (H_jj = 0) get
 * H_jj = 1 and are reported in {@link #dead}, so their weights can be zeroed (they multiply zero).
 *
 * <p>How: H = U′U′ᵀ with U′ upper is a Cholesky factorisation taken from the last index backwards;
 * then H⁻¹ = U′⁻ᵀU′⁻¹, so U = U′⁻¹ (upper, positive diagonal, hence the unique factor). Two n³/3
 * passes in float64 instead of factorising, inverting and factorising again.
 *
 * @param u U (n, n) row-major, float32 (what the sweeps multiply with)
 * @param dead input channels with H_jj = 0
 */
public record InverseHessian(int n, float[] u, boolean[] dead) {

  /**
   * @param h H (n, n) row-major, symmetric positive semi-definite; not modified
   * @throws IllegalArgumentException if H + λI is not positive definite even after raising λ tenfold three times
   */
  public static InverseHessian of(double[] h, int n, double dampening) {
    if (h.length != (long) n * n) throw new IllegalArgumentException("Hessian: expected " + n + "x" + n + " values, got " + h.length);
    if (!(dampening >= 0)) throw new IllegalArgumentException("dampening: expected >= 0, got " + dampening);
    boolean[] dead = new boolean[n];
    double mean = 0;
    for (int j = 0; j < n; j++) {
      dead[j] = h[j * n + j] == 0;
      mean += dead[j] ? 1 : h[j * n + j];
    }
    mean /= n;
    double lambda = Math.max(dampening * mean, 0);
    for (int attempt = 0; attempt < 4; attempt++, lambda = lambda > 0 ? lambda * 10 : 1e-8 * mean) {
      double[] a = h.clone();
      for (int j = 0; j < n; j++) a[j * n + j] = (dead[j] ? 1 : a[j * n + j]) + lambda;
      if (reverseCholesky(a, n)) {
        invertUpper(a, n);
        float[] u = new float[n * n];
        for (int i = 0; i < n; i++) for (int j = i; j < n; j++) u[i * n + j] = (float) a[i * n + j];
        return new InverseHessian(n, u, dead);
      }
    }
    throw new IllegalArgumentException("Hessian (" + n + "x" + n + ") is not positive definite even with dampening " + lambda / 10);
  }

  /** U_jj: sqrt of the remaining inverse Hessian's diagonal at column j. */
  public float diag(int j) {
    return u[j * n + j];
  }

  /** In place: a = U′ with H = U′U′ᵀ, U′ upper (the lower triangle is left as it was); false if H is not positive definite. */
  private static boolean reverseCholesky(double[] a, int n) {
    for (int j = n - 1; j >= 0; j--) {
      double d = a[j * n + j];
      for (int k = j + 1; k < n; k++) d -= a[j * n + k] * a[j * n + k];
      if (!(d > 0)) return false;
      d = Math.sqrt(d);
      a[j * n + j] = d;
      for (int i = 0; i < j; i++) {
        double s = a[i * n + j];
        for (int k = j + 1; k < n; k++) s -= a[i * n + k] * a[j * n + k];
        a[i * n + j] = s / d;
      }
    }
    return true;
  }

  /** In place: the upper triangle of a becomes its inverse (upper triangular). */
  private static void invertUpper(double[] a, int n) {
    double[] col = new double[n];
    for (int j = n - 1; j >= 0; j--) {
      // column j of U⁻¹: solve U x = e_j from row j upward; entries below j are zero
      double inv = 1 / a[j * n + j];
      col[j] = inv;
      for (int i = j - 1; i >= 0; i--) {
        double s = 0;
        for (int k = i + 1; k <= j; k++) s += a[i * n + k] * col[k];
        col[i] = -s / a[i * n + i];
      }
      for (int i = 0; i <= j; i++) a[i * n + j] = col[i];
    }
  }
}
