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
 * @param group the group's name
 * @param high the stricter threshold
 * @param low the looser threshold, ≤ high
 * @param pLow the probability of using the looser threshold, in [0, 1]
 * @param selectionRate the rule's expected selection rate on the data it was fitted on
 * @param accuracy the rule's expected accuracy on the data it was fitted on
 */
public record ThresholdRule(String group, double high, double low, double pLow, double selectionRate, double accuracy) {
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
  }

  /**
   * The probability of a favorable decision for a score.
   *
   * @param score s
   * @return P(Ŷ=1 | s)
   */
  public double decide(double score) {
    return score >= high ? 1 : score >= low ? pLow : 0;
  }
}
