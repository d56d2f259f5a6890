package dev.fathom.xai;

import dev.fathom.nn.Module;

/** Adapters from Fathom models to {@link Predictor}. */
public final class Predictors {
  private Predictors() {}

  /** Rows scored per forward pass, so a large batch of perturbations does not build one huge activation. */
  static final int CHUNK = 256;

  /**
   * The class probabilities of a classifier (softmax of its logits), evaluated in eval mode
   * without a graph, in chunks.
   *
   * @param model a module mapping (B, inputShape...) to logits (B, K)
   * @param inputShape the shape of one example, e.g. (1, 28, 28); rows must have its product of features
   */
  public static Predictor probabilities(Module model, int... inputShape) {
    return scores(model, inputShape, true);
  }

  /**
   * The raw outputs of a model (logits, margins or regression values), evaluated in eval mode
   * without a graph, in chunks. Explain these rather than {@link #probabilities} when the
   * attribution should be additive in the model's own units: a logistic regression's logit is
   * linear in its inputs, its probability is not.
   *
   * @param model a module mapping (B, inputShape...) to outputs (B, K)
   * @param inputShape the shape of one example; rows must have its product of features
   */
  public static Predictor logits(Module model, int... inputShape) {
    return scores(model, inputShape, false);
  }

  private static Predictor scores(Module model, int[] inputShape, boolean softmax) {
    Predictor p = new GradientModel(model::call, model.parameters(), inputShape, softmax ? Output.PROBABILITY : Output.LOGIT, CHUNK).asPredictor();
    return x -> {
      model.eval();
      return p.predict(x);
    };
  }
}
