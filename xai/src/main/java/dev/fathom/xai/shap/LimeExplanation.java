package dev.fathom.xai.shap;

import java.util.Arrays;

/**
 * A LIME explanation: the local linear surrogate {@code g(z) = intercept + Σ_j weights[j] ·
 * z[features[j]]} on standardized features z = (x − mean) / sd, fitted by {@link Lime}. A
 * weight is the model's local change per training standard deviation of the feature.
 *
 * @param features the kept features (top-k), by decreasing |weight|
 * @param weights the surrogate's coefficient of each kept feature, parallel to {@code features}
 * @param intercept the surrogate's intercept
 * @param score the surrogate's weighted R² on the perturbed samples (lime's {@code score}):
 *     1 − Σ π (y − g)² / Σ π (y − ȳ_π)²
 * @param localPrediction g at the explained row (lime's {@code local_pred})
 * @param prediction the model's output for the explained row
 * @param outputIndex the explained output column
 */
public record LimeExplanation(int[] features, double[] weights, double intercept, double score, double localPrediction,
    double prediction, int outputIndex) {
  /**
   * Copies the arrays and checks they are parallel.
   *
   * @throws IllegalArgumentException if features and weights differ in length
   */
  public LimeExplanation {
    if (features.length != weights.length) {
      throw new IllegalArgumentException("LimeExplanation: " + features.length + " features but " + weights.length + " weights");
    }
    features = features.clone();
    weights = weights.clone();
  }

  /**
   * The kept features, by decreasing |weight|.
   *
   * @return a copy
   */
  @Override
  public int[] features() {
    return features.clone();
  }

  /**
   * The surrogate's coefficients, parallel to {@link #features()}.
   *
   * @return a copy
   */
  @Override
  public double[] weights() {
    return weights.clone();
  }

  /**
   * The coefficient of every feature of the row, 0 for those not kept.
   *
   * @param d the row's width
   * @return (d) coefficients
   */
  public double[] weightsByFeature(int d) {
    double[] out = new double[d];
    for (int j = 0; j < features.length; j++) out[features[j]] = weights[j];
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LimeExplanation e && Arrays.equals(features, e.features) && Arrays.equals(weights, e.weights)
        && Double.compare(intercept, e.intercept) == 0 && Double.compare(score, e.score) == 0
        && Double.compare(localPrediction, e.localPrediction) == 0 && Double.compare(prediction, e.prediction) == 0
        && outputIndex == e.outputIndex;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(features) + Arrays.hashCode(weights) + Double.hashCode(intercept) + outputIndex;
  }

  @Override
  public String toString() {
    return "LimeExplanation[features=" + Arrays.toString(features) + ", weights=" + Arrays.toString(weights) + ", intercept="
        + intercept + ", score=" + score + ", localPrediction=" + localPrediction + ", prediction=" + prediction
        + ", outputIndex=" + outputIndex + "]";
  }
}
