package dev.fathom.xai;

import dev.fathom.autograd.Grad;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Tensor;
import java.util.Arrays;

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
    int d = 1;
    for (int s : inputShape) d *= s;
    final int features = d;
    final int[] shape = inputShape.clone();
    return x -> {
      double[][] out = new double[x.length][];
      model.eval();
      try (var g = Grad.disabled()) {
        for (int s = 0; s < x.length; s += CHUNK) {
          int len = Math.min(CHUNK, x.length - s);
          float[] flat = new float[len * features];
          for (int i = 0; i < len; i++) {
            double[] row = x[s + i];
            if (row.length != features) {
              throw new IllegalArgumentException("predictor: row " + (s + i) + " has " + row.length + " features, the model takes "
                  + features + " (input shape " + Arrays.toString(shape) + ")");
            }
            for (int j = 0; j < features; j++) flat[i * features + j] = (float) row[j];
          }
          int[] batchShape = new int[shape.length + 1];
          batchShape[0] = len;
          System.arraycopy(shape, 0, batchShape, 1, shape.length);
          Tensor p = model.call(Tensor.of(flat, batchShape));
          if (softmax) p = p.softmax(1);
          int k = p.size(1);
          float[] pd = p.data();
          for (int i = 0; i < len; i++) {
            double[] row = new double[k];
            for (int c = 0; c < k; c++) row[c] = pd[i * k + c];
            out[s + i] = row;
          }
        }
      }
      return out;
    };
  }
}
