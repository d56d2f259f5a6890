package dev.fathom.xai.fairness;

/**
 * One group's rates. With y the true label (1 = favorable outcome), ŷ ∈ [0, 1] the probability
 * of a favorable decision (0 or 1 for a deterministic classifier) and the sums over the group's
 * examples:
 *
 * <pre>
 *   selection rate  SR  = Σ ŷ / n                   P(Ŷ=1 | A=a)
 *   base rate           = Σ y / n                   P(Y=1 | A=a)
 *   TPR                 = Σ ŷ·y / Σ y               P(Ŷ=1 | Y=1, A=a)   NaN if Σ y = 0
 *   FPR                 = Σ ŷ·(1−y) / Σ (1−y)       P(Ŷ=1 | Y=0, A=a)   NaN if Σ (1−y) = 0
 *   accuracy            = Σ (ŷ·y + (1−ŷ)(1−y)) / n
 * </pre>
 *
 * NaN marks a rate that is undefined for this group (no actual positives for TPR, no actual
 * negatives for FPR); {@link FairnessReport} names such groups instead of hiding them.
 *
 * @param name the group's name
 * @param count n, the number of examples (at least 1)
 * @param positives Σ y, the examples whose true outcome is favorable
 * @param selectionRate SR
 * @param baseRate the share of true favorable outcomes
 * @param tpr the true positive rate, or NaN if the group has no positives
 * @param fpr the false positive rate, or NaN if the group has no negatives
 * @param accuracy the (expected) share of correct decisions
 */
public record GroupRates(String name, int count, int positives, double selectionRate, double baseRate, double tpr, double fpr,
    double accuracy) {
  /**
   * Validates the counts.
   *
   * @throws IllegalArgumentException if count &lt; 1 or positives is outside [0, count]
   */
  public GroupRates {
    if (count < 1 || positives < 0 || positives > count) {
      throw new IllegalArgumentException(
          "GroupRates '" + name + "': expected count >= 1 and 0 <= positives <= count, got count " + count + ", positives " + positives);
    }
  }

  /**
   * The number of examples whose true outcome is unfavorable.
   *
   * @return count − positives
   */
  public int negatives() {
    return count - positives;
  }
}
