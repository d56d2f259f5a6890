package dev.fathom.xai.metrics;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.xai.GradientModel;

/**
 * Infidelity (Yeh et al. 2019): INFD(φ, f, x) = E_I [(Iᵀφ − (f(x) − f(x − I)))²] with Gaussian
 * perturbations I ∼ N(0, σ²·Id). A faithful map predicts how the output moves when the input
 * moves. With {@code normalize}, φ is first scaled by the best β (the least-squares fit of the
 * output change on Iᵀφ, as Captum's {@code normalize=True}), so the score ignores the map's scale.
 */
public final class Infidelity {
  private Infidelity() {}

  /** Infidelity per example, estimated from {@code samples} perturbations. */
  public static double[] of(GradientModel model, Tensor x, int[] targets, Tensor attributions, double sigma, int samples, boolean normalize,
      long seed) {
    model.checkInput(x);
    model.checkInput(attributions);
    if (samples < 1) throw new IllegalArgumentException("infidelity: samples must be >= 1, got " + samples);
    int n = x.size(0), f = model.features();
    float[] xd = x.data(), ad = attributions.data();
    float[] fx = model.score(x, targets);
    Rng rng = new Rng(seed);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      float[] batch = new float[samples * f];
      double[] dot = new double[samples];
      for (int s = 0; s < samples; s++) {
        for (int j = 0; j < f; j++) {
          float noise = (float) (sigma * rng.nextGaussian());
          batch[s * f + j] = xd[i * f + j] - noise;
          dot[s] += (double) noise * ad[i * f + j];
        }
      }
      int[] t = new int[samples];
      java.util.Arrays.fill(t, targets[i]);
      float[] fp = model.score(Tensor.of(batch, model.batchShape(samples)), t);
      double beta = 1;
      if (normalize) {
        double num = 0, den = 0;
        for (int s = 0; s < samples; s++) {
          num += dot[s] * (fx[i] - fp[s]);
          den += dot[s] * dot[s];
        }
        beta = den == 0 ? 0 : num / den;
      }
      double err = 0;
      for (int s = 0; s < samples; s++) {
        double e = beta * dot[s] - (fx[i] - fp[s]);
        err += e * e;
      }
      out[i] = err / samples;
    }
    return out;
  }
}
