package dev.fathom.xai.shap;

/**
 * Settings of {@link KernelShap}, named as the shap package's {@code KernelExplainer}.
 *
 * @param nsamples the budget of coalitions to evaluate per explained row, each costing one
 *     predictor row per background row; {@link #AUTO} for shap's default 2d + 2048. A budget of
 *     2^M − 2 or more (M the features that vary) enumerates every coalition and gives the exact
 *     Shapley values; a smaller one must be at least d + 2
 * @param seed the seed of the coalition draws: the same seed, row and background give the same
 *     values
 * @param paired whether each sampled coalition brings its complement (antithetic sampling, as
 *     shap always does); enumerated classes are always complete
 */
public record KernelShapConfig(int nsamples, long seed, boolean paired) {
  /** {@link #nsamples} value that picks shap's default budget, 2d + 2048. */
  public static final int AUTO = 0;

  /**
   * Validates the settings.
   *
   * @throws IllegalArgumentException if nsamples is negative
   */
  public KernelShapConfig {
    if (nsamples < 0) {
      throw new IllegalArgumentException("KernelShapConfig: nsamples must be >= 0 (0 = auto, 2d + 2048), got " + nsamples);
    }
  }

  /**
   * shap's defaults: an automatic budget, seed 0, paired sampling.
   *
   * @return the default settings
   */
  public static KernelShapConfig defaults() {
    return new KernelShapConfig(AUTO, 0, true);
  }

  /**
   * The same settings with another budget.
   *
   * @param n coalitions per row, or {@link #AUTO}
   * @return the new settings
   */
  public KernelShapConfig withNsamples(int n) {
    return new KernelShapConfig(n, seed, paired);
  }

  /**
   * The same settings with another seed.
   *
   * @param s the seed
   * @return the new settings
   */
  public KernelShapConfig withSeed(long s) {
    return new KernelShapConfig(nsamples, s, paired);
  }

  /**
   * The budget for rows of {@code d} features: {@link #nsamples}, or 2d + 2048 when automatic.
   *
   * @param d the number of features
   * @return the coalition budget
   */
  public int budget(int d) {
    return nsamples == AUTO ? 2 * d + 2048 : nsamples;
  }
}
