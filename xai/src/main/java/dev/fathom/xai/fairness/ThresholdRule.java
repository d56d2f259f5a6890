package dev.fathom.xai.fairness;

/**
 * One group's randomized threshold rule, as {@link ThresholdOptimizer} fits it: a score s at or
 * above the high threshold is selected, one in [low, high) is selected with probability
 * {@code pLow}, one below low is not:
 *
 * <pre>
 *   P(Ŷ=1 | s) = 1[s ≥ high] + pLow · 1[low ≤ s &lt; high]
 * </pre>
 *
 * This is the mixture "use threshold low with probability pLow, else threshold high" (Hardt,
 * Price and Srebro 2016); with pLow = 0 (or low = high) it is a plain threshold. A threshold of
 * +∞ selects no one, −∞ everyone.
 *
 * <p>An equalized-odds rule may also need an operating point below the group's ROC curve: then
 * the threshold mixture decides with probability {@code thresholdShare} and otherwise the
 * example is selected at random with probability {@code randomRate} (a point on the ROC
 * diagonal), so P(Ŷ=1 | s) = share · (the above) + (1 − share) · randomRate. Demographic-parity
 * rules have share 1.
 *
 * @param group the group's name
 * @param high the stricter threshold
 * @param low the looser threshold, ≤ high
 * @param pLow the probability of using the looser threshold, in [0, 1]
 * @param selectionRate the rule's expected selection rate on the data it was fitted on
 * @param accuracy the rule's expected accuracy on the data it was fitted on
 * @param thresholdShare the probability that the thresholds decide, in [0, 1]
 * @param randomRate the selection probability of the random decision otherwise, in [0, 1]
 */
public record ThresholdRule(String group, double high, double low, double pLow, double selectionRate, double accuracy, double thresholdShare,
    double randomRate) {
  /**
   * Validates the rule.
   *
   * @throws IllegalArgumentException if a threshold is NaN, low &gt; high, or pLow is outside
   *     [0, 1]
   */
  public ThresholdRule {
    if (Double.isNaN(high) || Double.isNaN(low) || low > high) {
      throw new IllegalArgumentException("ThresholdRule '" + group + "': expected thresholds low <= high, got low " + low + ", high " + high);
    }
    if (!(pLow >= 0 && pLow <= 1)) {
      throw new IllegalArgumentException("ThresholdRule '" + group + "': pLow must be in [0, 1], got " + pLow);
    }
    if (!(thresholdShare >= 0 && thresholdShare <= 1) || !(randomRate >= 0 && randomRate <= 1)) {
      throw new IllegalArgumentException("ThresholdRule '" + group + "': thresholdShare and randomRate must be in [0, 1], got "
          + thresholdShare + " and " + randomRate);
    }
  }

  /** A rule decided by its thresholds alone (share 1), as demographic parity fits them. */
  public ThresholdRule(String group, double high, double low, double pLow, double selectionRate, double accuracy) {
    this(group, high, low, pLow, selectionRate, accuracy, 1, 0);
  }

  /**
   * The probability of a favorable decision for a score.
   *
   * @param score s
   * @return P(Ŷ=1 | s)
   */
  public double decide(double score) {
    double step = score >= high ? 1 : score >= low ? pLow : 0;
    return thresholdShare == 1 ? step : thresholdShare * step + (1 - thresholdShare) * randomRate;
  }
}
