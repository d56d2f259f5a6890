package dev.fathom.xai.fairness;

import dev.fathom.nn.Activation;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.nn.Sequential;
import dev.fathom.optim.AdamConfig;
import dev.fathom.optim.AdamW;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.xai.Predictor;
import dev.fathom.xai.Predictors;
import java.util.ArrayList;
import java.util.List;

/**
 * A binary classifier trained on per-example weights: logistic regression or a small MLP
 * ({@link LearnerConfig}) with two logits, trained by AdamW on the weighted cross-entropy
 *
 * <pre>
 *   L(θ) = (1/N) Σ_i w̃_i · ℓ_i(θ),   ℓ_i = −log softmax(f_θ(x_i))[y_i],   w̃_i = w_i / mean(w)
 * </pre>
 *
 * (PyTorch: {@code (F.cross_entropy(logits, y, reduction='none') * w).mean()}). The weights are
 * rescaled to mean 1 over the data set, so a mini-batch mean of w̃·ℓ is an unbiased estimate of
 * L whatever the scale of w, and a learning rate suits every weighting; a weight of k then acts
 * as k copies of the example. This is the learner that {@link Reweighing} weights and that each
 * round of {@link ExponentiatedGradient} calls as its cost-sensitive oracle.
 */
public final class WeightedLearner {
  private WeightedLearner() {}

  /**
   * Trains a fresh model.
   *
   * @param x (N, d) features, one row per example
   * @param y (N) labels, 0 or 1 (1 = favorable)
   * @param w (N) weights, each finite and ≥ 0, not all 0
   * @param config architecture and training run
   * @param seed seeds initialization and shuffling: the same seed gives the same model
   * @return the trained model, (B, d) to logits (B, 2), in eval mode
   * @throws IllegalArgumentException if the lengths differ, rows differ in width, a label is not
   *     0/1, or a weight is negative, not finite, or all weights are 0
   */
  public static Sequential fit(double[][] x, int[] y, double[] w, LearnerConfig config, long seed) {
    int n = x.length;
    if (n == 0 || y.length != n || w.length != n) {
      throw new IllegalArgumentException(
          "WeightedLearner: expected N >= 1 rows with one label and one weight each, got " + n + " rows, " + y.length + " labels, "
              + w.length + " weights");
    }
    int d = x[0].length;
    double total = 0;
    for (int i = 0; i < n; i++) {
      if (x[i].length != d) {
        throw new IllegalArgumentException("WeightedLearner: row " + i + " has " + x[i].length + " features, row 0 has " + d);
      }
      if (y[i] != 0 && y[i] != 1) {
        throw new IllegalArgumentException("WeightedLearner: label of example " + i + " is " + y[i] + ", expected 0 or 1");
      }
      if (!(w[i] >= 0) || Double.isInfinite(w[i])) {
        throw new IllegalArgumentException("WeightedLearner: weight of example " + i + " is " + w[i] + ", expected a finite weight >= 0");
      }
      total += w[i];
    }
    if (total == 0) {
      throw new IllegalArgumentException("WeightedLearner: all " + n + " weights are 0, expected some weight to learn from");
    }
    Rng rng = new Rng(seed);
    Sequential model = build(d, config, rng);
    AdamW opt = new AdamW(model.parameters(), new AdamConfig(config.lr(), 0.9, 0.999, 1e-8, config.weightDecay()));
    float[] wn = new float[n];
    for (int i = 0; i < n; i++) {
      wn[i] = (float) (w[i] * n / total);
    }
    model.train();
    int bs = Math.min(config.batchSize(), n);
    for (int epoch = 0; epoch < config.epochs(); epoch++) {
      int[] perm = rng.permutation(n);
      for (int s = 0; s < n; s += bs) {
        int b = Math.min(bs, n - s);
        float[] xb = new float[b * d], wb = new float[b];
        long[] yb = new long[b];
        for (int r = 0; r < b; r++) {
          int i = perm[s + r];
          for (int j = 0; j < d; j++) {
            xb[r * d + j] = (float) x[i][j];
          }
          yb[r] = y[i];
          wb[r] = wn[i];
        }
        opt.zeroGrad();
        Tensor loss = weightedCrossEntropy(model.call(Tensor.of(xb, b, d)), Tensor.ofLongs(yb, b), Tensor.of(wb, b));
        loss.backward();
        opt.step();
      }
    }
    model.eval();
    return model;
  }

  /**
   * The weighted mean cross-entropy of a batch, (1/B) Σ_i w_i · (−log softmax(z_i)[y_i]).
   *
   * @param logits (B, C)
   * @param targets (B) class indices, INT64
   * @param weights (B) per-example weights
   * @return a scalar, differentiable in the logits
   */
  public static Tensor weightedCrossEntropy(Tensor logits, Tensor targets, Tensor weights) {
    int b = logits.size(0);
    if (logits.dim() != 2 || targets.numel() != b || weights.numel() != b) {
      throw new IllegalArgumentException("weightedCrossEntropy: expected logits (B, C), targets (B) and weights (B), got "
          + java.util.Arrays.toString(logits.shape()) + ", " + java.util.Arrays.toString(targets.shape()) + " and "
          + java.util.Arrays.toString(weights.shape()));
    }
    Tensor picked = logits.logSoftmax(1).gather(1, targets.reshape(b, 1)).reshape(b); // (B) log p(y_i | x_i)
    return picked.mul(weights.reshape(b)).sum().div(-b);
  }

  /**
   * The model as a {@link Predictor} of the two class probabilities, (N, d) to (N, 2).
   *
   * @param model a model from {@link #fit}
   * @param features d
   * @return the predictor; column 1 is P(favorable | x)
   */
  public static Predictor predictor(Module model, int features) {
    return Predictors.probabilities(model, features);
  }

  private static Sequential build(int d, LearnerConfig c, Rng rng) {
    List<Module> layers = new ArrayList<>();
    int width = d;
    for (int h : c.hidden()) {
      layers.add(new Linear(width, h, rng));
      layers.add(Activation.relu());
      width = h;
    }
    layers.add(new Linear(width, 2, rng));
    return new Sequential(layers.toArray(new Module[0]));
  }
}
