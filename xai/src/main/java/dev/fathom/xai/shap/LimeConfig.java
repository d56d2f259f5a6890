package dev.fathom.xai.shap;

/**
 * Settings of {@link Lime}, named as the lime package's {@code LimeTabularExplainer} and
 * {@code explain_instance}.
 *
 * @param numSamples perturbed rows per explanation (the explained row is the first), at least
 *     2; lime's default 5000
 * @param numFeatures how many features the surrogate keeps (top-k), at least 1; lime's default 10
 * @param kernelWidth the width σ of the kernel exp(−D²/(2σ²)) on the standardized distance D,
 *     or {@link #AUTO_WIDTH} for lime's 0.75·√d
 * @param alpha the ridge penalty of the surrogate (scikit-learn's {@code Ridge(alpha)}, which
 *     lime uses with alpha 1); the intercept is not penalized
 * @param sampleAroundInstance draw perturbations around the explained row (true) or around the
 *     training mean (false, lime's default)
 * @param seed the seed of the perturbations
 */
public record LimeConfig(int numSamples, int numFeatures, double kernelWidth, double alpha, boolean sampleAroundInstance,
    long seed) {
  /** {@link #kernelWidth} value that picks lime's 0.75·√d. */
  public static final double AUTO_WIDTH = 0;

  /**
   * Validates the settings.
   *
   * @throws IllegalArgumentException if a count is too small or a width or penalty is negative
   *     or not finite
   */
  public LimeConfig {
    if (numSamples < 2) throw new IllegalArgumentException("LimeConfig: numSamples must be >= 2, got " + numSamples);
    if (numFeatures < 1) throw new IllegalArgumentException("LimeConfig: numFeatures must be >= 1, got " + numFeatures);
    if (!(kernelWidth >= 0) || Double.isInfinite(kernelWidth)) {
      throw new IllegalArgumentException("LimeConfig: kernelWidth must be finite and > 0, or 0 for 0.75*sqrt(d), got " + kernelWidth);
    }
    if (!(alpha >= 0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("LimeConfig: alpha must be finite and >= 0, got " + alpha);
    }
  }

  /**
   * lime's defaults: 5000 samples, 10 features, width 0.75·√d, ridge alpha 1, sampling around
   * the training mean, seed 0.
   *
   * @return the default settings
   */
  public static LimeConfig defaults() {
    return new LimeConfig(5000, 10, AUTO_WIDTH, 1.0, false, 0);
  }

  /**
   * The same settings with another top-k.
   *
   * @param k features to keep
   * @return the new settings
   */
  public LimeConfig withNumFeatures(int k) {
    return new LimeConfig(numSamples, k, kernelWidth, alpha, sampleAroundInstance, seed);
  }

  /**
   * The same settings with another seed.
   *
   * @param s the seed
   * @return the new settings
   */
  public LimeConfig withSeed(long s) {
    return new LimeConfig(numSamples, numFeatures, kernelWidth, alpha, sampleAroundInstance, s);
  }

  /**
   * The kernel width for rows of {@code d} features.
   *
   * @param d the number of features
   * @return {@link #kernelWidth}, or 0.75·√d when automatic
   */
  public double width(int d) {
    return kernelWidth == AUTO_WIDTH ? 0.75 * Math.sqrt(d) : kernelWidth;
  }
}
