package dev.fathom.xai;

/**
 * A black-box model as the model-agnostic methods (KernelSHAP, LIME, occlusion, fairness
 * metrics, threshold optimization) see it: a batch of examples, each flattened to {@code d}
 * features, in; {@code k} scores per example out. Any Java function can be one, so these
 * methods also explain predictors that are not Fathom models.
 */
@FunctionalInterface
public interface Predictor {
  /**
   * Scores a batch.
   *
   * @param x (n, d): one flattened example per row
   * @return (n, k): one row of scores (probabilities, logits, or a single column) per example
   */
  double[][] predict(double[][] x);
}
