package dev.fathom.xai.fairness;

import dev.fathom.io.EnumIds;
import java.util.Locale;

/**
 * What {@link ThresholdOptimizer} equalizes across groups, in Fairlearn's names
 * ({@code constraints="demographic_parity"} or {@code "equalized_odds"}).
 */
public enum FairnessConstraint {
  /** Equal selection rates P(Ŷ=1 | A=a). */
  DEMOGRAPHIC_PARITY,
  /** Equal true- and false-positive rates P(Ŷ=1 | Y=y, A=a) for y = 1 and y = 0 (Hardt et al. 2016). */
  EQUALIZED_ODDS;

  /** The lower-case name: demographic_parity or equalized_odds. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@link #id()}, case-insensitive.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static FairnessConstraint parse(String id) {
    return EnumIds.parse(values(), FairnessConstraint::id, id, "fairness constraint");
  }
}
