package dev.fathom.xai.shap;

import java.util.Arrays;

/**
 * The Shapley values of one row for one output column, as {@link KernelShap} computes them.
 * They satisfy efficiency exactly (up to rounding): {@code Σ values = prediction − baseValue}.
 *
 * @param values (d) φ_i, one per feature, in the row's feature order
 * @param baseValue φ_0 = E_b f(b), the mean output over the background rows
 * @param prediction f(x), the output for the explained row
 * @param outputIndex the explained output column
 * @param coalitions the number of coalitions evaluated (each one predictor row per background row)
 * @param exhaustive whether every coalition of the varying features was evaluated, which makes
 *     the values exact rather than estimated
 */
public record ShapExplanation(double[] values, double baseValue, double prediction, int outputIndex, int coalitions,
    boolean exhaustive) {
  /** Copies {@code values}, so the record is immutable. */
  public ShapExplanation {
    values = values.clone();
  }

  /**
   * φ_i, one per feature.
   *
   * @return a copy of the values
   */
  @Override
  public double[] values() {
    return values.clone();
  }

  /**
   * The features by decreasing |φ_i| (ties by index), as a plot or a top-k listing wants them.
   *
   * @return (d) feature indices
   */
  public int[] ranking() {
    return Rows.byMagnitude(values);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShapExplanation e && Arrays.equals(values, e.values) && Double.compare(baseValue, e.baseValue) == 0
        && Double.compare(prediction, e.prediction) == 0 && outputIndex == e.outputIndex && coalitions == e.coalitions
        && exhaustive == e.exhaustive;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(values) + Double.hashCode(baseValue) + 7 * Double.hashCode(prediction) + outputIndex;
  }

  @Override
  public String toString() {
    return "ShapExplanation[values=" + Arrays.toString(values) + ", baseValue=" + baseValue + ", prediction=" + prediction
        + ", outputIndex=" + outputIndex + ", coalitions=" + coalitions + ", exhaustive=" + exhaustive + "]";
  }
}
