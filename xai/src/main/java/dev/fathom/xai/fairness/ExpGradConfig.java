package dev.fathom.xai.fairness;

/**
 * Settings of {@link ExponentiatedGradient}, named as Fairlearn's {@code ExponentiatedGradient}.
 *
 * @param eps ε, the allowed constraint violation: |SR_a − SR| ≤ ε for every group a on the
 *     training data; also sets the multipliers' bound B = 1/ε
 * @param maxIter T, the most rounds (oracle calls)
 * @param eta0 the multipliers' step is η = eta0 / B
 * @param nu ν, stop once the duality gap of the averaged game is at most ν
 */
public record ExpGradConfig(double eps, int maxIter, double eta0, double nu) {
  /**
   * Validates the settings.
   *
   * @throws IllegalArgumentException if eps is not in (0, 1], maxIter &lt; 1, eta0 is not a
   *     finite positive number, or nu is negative or NaN
   */
  public ExpGradConfig {
    if (!(eps > 0 && eps <= 1)) {
      throw new IllegalArgumentException("ExpGradConfig: eps must be in (0, 1], got " + eps);
    }
    if (maxIter < 1) {
      throw new IllegalArgumentException("ExpGradConfig: maxIter must be >= 1, got " + maxIter);
    }
    if (!(eta0 > 0) || Double.isInfinite(eta0)) {
      throw new IllegalArgumentException("ExpGradConfig: eta0 must be a finite number > 0, got " + eta0);
    }
    if (!(nu >= 0)) {
      throw new IllegalArgumentException("ExpGradConfig: nu must be >= 0, got " + nu);
    }
  }

  /**
   * Fairlearn's defaults: ε = 0.01, 50 rounds, eta0 = 2, and ν = 0.001.
   *
   * @return the config
   */
  public static ExpGradConfig defaults() {
    return new ExpGradConfig(0.01, 50, 2.0, 0.001);
  }

  /**
   * The multipliers' bound B = 1/ε.
   *
   * @return B
   */
  public double bound() {
    return 1 / eps;
  }
}
