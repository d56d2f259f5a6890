package dev.fathom.compress;

/**
 * What structured pruning removes and how it chooses.
 *
 * @param method neurons, heads or channels
 * @param sparsity the share of units removed in every layer, in [0, 1): round(sparsity·units) go
 * @param score how units are ranked; must suit the method (activation/weight for neurons and heads, l1/bn for channels)
 * @param roundTo the kept count is rounded to the nearest multiple of this (1: no rounding), at most the layer's units
 */
public record StructuredPruneConfig(StructuredMethod method, double sparsity, UnitScore score, int roundTo) {
  public StructuredPruneConfig {
    if (method == null) throw new IllegalArgumentException("structured pruning: expected a method (" + StructuredMethod.names() + "), got none");
    if (!(sparsity >= 0 && sparsity < 1)) throw new IllegalArgumentException("sparsity: expected a value in [0, 1), got " + sparsity);
    if (score == null) score = UnitScore.defaultFor(method);
    if (score.forLanguageModels() != method.forLanguageModels()) {
      throw new IllegalArgumentException("score: method " + method + " expected " + (method.forLanguageModels() ? "activation or weight" : "l1 or bn")
          + ", got " + score);
    }
    if (roundTo < 1) throw new IllegalArgumentException("round-to: expected a multiple >= 1, got " + roundTo);
  }

  /** The method's default score, no rounding. */
  public static StructuredPruneConfig of(StructuredMethod method, double sparsity) {
    return new StructuredPruneConfig(method, sparsity, null, 1);
  }

  /**
   * How many of {@code units} stay: units − round(sparsity·units), then rounded to the nearest
   * multiple of {@link #roundTo} (not above units).
   *
   * @throws IllegalArgumentException if none would stay
   */
  public int kept(int units, String where) {
    int kept = units - (int) Math.round(sparsity * units);
    if (roundTo > 1) kept = Math.min(units, (int) Math.round((double) kept / roundTo) * roundTo);
    if (kept < 1) {
      throw new IllegalArgumentException("sparsity " + sparsity + (roundTo > 1 ? " rounded to a multiple of " + roundTo : "") + " removes all "
          + units + " " + method.units() + " of " + where + ": expected at least one to remain");
    }
    return kept;
  }
}
