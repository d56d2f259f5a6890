package dev.fathom.xai;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/**
 * SmoothGrad (Smilkov et al. 2017): the average of a base method's maps over noisy copies
 * x + N(0, σ²), with σ = noiseLevel · (max(x) − min(x)) per example (the paper's 10–20%).
 * With {@code squared}, the average of squared maps (SmoothGrad², Hooker et al. 2019).
 */
public final class SmoothGrad implements Attribution {
  private final Attribution base;
  private final int samples;
  private final double noiseLevel;
  private final boolean squared;
  private final long seed;

  public SmoothGrad(Attribution base, int samples, double noiseLevel, boolean squared, long seed) {
    if (samples < 1) throw new IllegalArgumentException("smoothgrad: samples must be >= 1, got " + samples);
    if (!(noiseLevel >= 0)) throw new IllegalArgumentException("smoothgrad: noise level must be >= 0, got " + noiseLevel);
    this.base = base;
    this.samples = samples;
    this.noiseLevel = noiseLevel;
    this.squared = squared;
    this.seed = seed;
  }

  @Override
  public Tensor attribute(GradientModel model, Tensor x, int[] targets) {
    model.checkInput(x);
    int n = x.size(0), f = model.features();
    float[] xd = x.data();
    float[] sigma = new float[n];
    for (int i = 0; i < n; i++) {
      float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < f; j++) {
        lo = Math.min(lo, xd[i * f + j]);
        hi = Math.max(hi, xd[i * f + j]);
      }
      sigma[i] = (float) (noiseLevel * (hi - lo));
    }
    Rng rng = new Rng(seed);
    double[] acc = new double[n * f];
    for (int s = 0; s < samples; s++) {
      float[] noisy = new float[n * f];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < f; j++) noisy[i * f + j] = xd[i * f + j] + sigma[i] * (float) rng.nextGaussian();
      }
      float[] m = base.attribute(model, Tensor.of(noisy, model.batchShape(n)), targets).data();
      for (int k = 0; k < m.length; k++) acc[k] += squared ? (double) m[k] * m[k] : m[k];
    }
    float[] out = new float[n * f];
    for (int k = 0; k < out.length; k++) out[k] = (float) (acc[k] / samples);
    return Tensor.of(out, model.batchShape(n));
  }
}
