package dev.fathom.xai;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/**
 * GradientSHAP / expected gradients (Lundberg &amp; Lee 2017; Erion et al. 2021): integrated
 * gradients averaged over baselines drawn from a background set, with the path point drawn at
 * random: φ = E_{x'∼background, α∼U(0,1)} [(x − x') ⊙ ∂f/∂x(x' + α(x − x'))]. In expectation
 * Σφ = f(x) − E f(x'), so it approximates SHAP values with the background as the reference
 * distribution.
 */
public final class GradientShap implements Attribution {
  private final Tensor background;
  private final int samples;
  private final long seed;

  /**
   * @param background (M, inputShape...) reference examples, e.g. a sample of training data
   * @param samples (baseline, α) draws per example
   */
  public GradientShap(Tensor background, int samples, long seed) {
    if (background.dim() < 2 || background.size(0) < 1) {
      throw new IllegalArgumentException("gradient shap: background must be a non-empty batch (M, ...), got shape "
          + java.util.Arrays.toString(background.shape()));
    }
    if (samples < 1) throw new IllegalArgumentException("gradient shap: samples must be >= 1, got " + samples);
    this.background = background;
    this.samples = samples;
    this.seed = seed;
  }

  @Override
  public Tensor attribute(GradientModel model, Tensor x, int[] targets) {
    model.checkInput(x);
    model.checkInput(background);
    int n = x.size(0), f = model.features(), m = background.size(0);
    float[] xd = x.data(), bd = background.data();
    Rng rng = new Rng(seed);
    float[] path = new float[n * samples * f], diff = new float[n * samples * f];
    int[] t = new int[n * samples];
    for (int i = 0; i < n; i++) {
      for (int s = 0; s < samples; s++) {
        int b = rng.nextInt(m);
        float a = rng.nextFloat();
        int row = (i * samples + s) * f;
        for (int j = 0; j < f; j++) {
          float d = xd[i * f + j] - bd[b * f + j];
          diff[row + j] = d;
          path[row + j] = bd[b * f + j] + a * d;
        }
        t[i * samples + s] = targets[i];
      }
    }
    float[] g = model.gradient(Tensor.of(path, model.batchShape(n * samples)), t).data();
    float[] out = new float[n * f];
    for (int i = 0; i < n; i++) {
      for (int s = 0; s < samples; s++) {
        int row = (i * samples + s) * f;
        for (int j = 0; j < f; j++) out[i * f + j] += g[row + j] * diff[row + j] / samples;
      }
    }
    return Tensor.of(out, model.batchShape(n));
  }
}
