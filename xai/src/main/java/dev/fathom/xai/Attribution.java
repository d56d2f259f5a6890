package dev.fathom.xai;

import dev.fathom.tensor.Tensor;

/**
 * An attribution method: how much each input feature contributed to the explained output of
 * each example. Metrics (deletion/insertion, infidelity, max-sensitivity, the randomization
 * check) take methods through this interface, so they can recompute maps on perturbed inputs
 * or perturbed models.
 */
@FunctionalInterface
public interface Attribution {
  /**
   * @param model the model and the output explained
   * @param x (B, inputShape...)
   * @param targets the class explained for each example
   * @return (B, inputShape...), one attribution per input feature
   */
  Tensor attribute(GradientModel model, Tensor x, int[] targets);
}
