package dev.fathom.xai.metrics;

import dev.fathom.nn.Module;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.xai.Attribution;
import dev.fathom.xai.GradientModel;
import dev.fathom.xai.Output;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cascading model-parameter randomization test (Adebayo et al. 2018, "Sanity checks for
 * saliency maps"): re-initialize the layers one at a time from the output down, keeping the
 * earlier randomizations, and after each step compare the new maps with the trained model's by
 * Spearman rank correlation of |φ|. A method that explains the model, not the input, loses the
 * correlation as the weights go; one that survives full randomization is an edge detector.
 *
 * <p>Runs on the model in place and restores the trained weights afterwards. Weights are redrawn
 * from PyTorch's default initialization, U(−1/√fan_in, 1/√fan_in) for weights and biases of
 * layers with a matrix or kernel; one-dimensional parameters of norm layers go back to 1 (scale)
 * and 0 (shift).
 */
public final class RandomizationCheck {
  private RandomizationCheck() {}

  /**
   * One step of the cascade.
   *
   * @param layer the module re-initialized at this step (its dotted name; "" for the trained model)
   * @param meanCorrelation mean over examples of Spearman's ρ between |φ| of the trained and the randomized model
   * @param foregroundCorrelation the same over the features where the input differs from {@code background}; maps of the
   *     form x ⊙ g (gradient × input, IG with a zero baseline) are zero wherever x is, in both models, and those shared
   *     zeros alone hold ρ high on images with a blank background
   */
  public record Step(String layer, double meanCorrelation, double foregroundCorrelation) {}

  /**
   * Runs the cascade.
   *
   * @param targets fixed classes (those predicted by the trained model, usually)
   */
  public static List<Step> cascade(Module model, Output output, int[] inputShape, Attribution method, Tensor x, int[] targets, long seed) {
    return cascade(model, output, inputShape, method, x, targets, 0f, seed);
  }

  /**
   * Runs the cascade, also reporting ρ over the foreground: the features where x ≠ {@code background}.
   *
   * @param targets fixed classes (those predicted by the trained model, usually)
   */
  public static List<Step> cascade(Module model, Output output, int[] inputShape, Attribution method, Tensor x, int[] targets, float background,
      long seed) {
    Map<String, Tensor> saved = new LinkedHashMap<>();
    for (var e : model.stateDict().entrySet()) saved.put(e.getKey(), e.getValue().copy());
    GradientModel gm = GradientModel.of(model, output, inputShape);
    gm.checkInput(x);
    int n = x.size(0), f = gm.features();
    float[] original = abs(method.attribute(gm, x, targets).data());
    List<Step> steps = new ArrayList<>();
    steps.add(new Step("", 1.0, 1.0));
    float[] xd = x.data();
    List<Map.Entry<String, Module>> layers = new ArrayList<>();
    for (var e : model.namedModules().entrySet()) {
      if (!e.getValue().namedParameters().isEmpty() && e.getValue().namedChildren().isEmpty()) layers.add(e);
    }
    Rng rng = new Rng(seed);
    try {
      for (int l = layers.size() - 1; l >= 0; l--) {
        reinitialize(layers.get(l).getValue(), rng);
        float[] m = abs(method.attribute(gm, x, targets).data());
        double sum = 0, fgSum = 0;
        int counted = 0, fgCounted = 0;
        for (int i = 0; i < n; i++) {
          double rho = RankCorrelation.spearman(original, m, i * f, f);
          if (!Double.isNaN(rho)) {
            sum += rho;
            counted++;
          }
          float[][] fg = foreground(original, m, xd, i * f, f, background);
          double rf = fg[0].length < 2 ? Double.NaN : RankCorrelation.spearman(fg[0], fg[1], 0, fg[0].length);
          if (!Double.isNaN(rf)) {
            fgSum += rf;
            fgCounted++;
          }
        }
        steps.add(new Step(layers.get(l).getKey(), counted == 0 ? Double.NaN : sum / counted, fgCounted == 0 ? Double.NaN : fgSum / fgCounted));
      }
    } finally {
      model.loadStateDict(saved, true);
    }
    return steps;
  }

  private static void reinitialize(Module layer, Rng rng) {
    Map<String, Tensor> params = layer.namedParameters();
    int fanIn = 0;
    for (Tensor p : params.values()) {
      if (p.dim() >= 2) fanIn = p.numel() / p.size(0);
    }
    for (var e : params.entrySet()) {
      float[] d = e.getValue().data();
      if (fanIn > 0) {
        double bound = 1 / Math.sqrt(fanIn);
        for (int i = 0; i < d.length; i++) d[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
      } else {
        java.util.Arrays.fill(d, e.getKey().endsWith("weight") ? 1f : 0f);
      }
    }
  }

  /** The two maps' values at the features of example [off, off+f) where x differs from the background value. */
  private static float[][] foreground(float[] a, float[] b, float[] x, int off, int f, float background) {
    int k = 0;
    for (int j = off; j < off + f; j++) if (x[j] != background) k++;
    float[][] r = new float[2][k];
    k = 0;
    for (int j = off; j < off + f; j++) {
      if (x[j] != background) {
        r[0][k] = a[j];
        r[1][k++] = b[j];
      }
    }
    return r;
  }

  private static float[] abs(float[] v) {
    for (int i = 0; i < v.length; i++) v[i] = Math.abs(v[i]);
    return v;
  }
}
