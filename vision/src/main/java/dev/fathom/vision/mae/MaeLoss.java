package dev.fathom.vision.mae;

import dev.fathom.nn.F;
import dev.fathom.tensor.Tensor;
import dev.fathom.vision.models.TokenCombine;

/**
 * MAE's reconstruction loss: mean squared error on the hidden patches only. With
 * {@code normPix} each target patch is first standardized by its own mean and (unbiased)
 * variance, {@code (t − μ) / sqrt(σ² + 1e-6)}, which the paper found gives better features.
 */
public final class MaeLoss {
  /** The epsilon MAE adds to each patch's variance. */
  public static final double EPS = 1e-6;

  private MaeLoss() {}

  /** Targets (N, L, P) with each patch standardized (a new tensor without gradient). */
  public static Tensor normalizePatches(Tensor patches) {
    int[] s = patches.shape();
    int rows = s[0] * s[1], p = s[2];
    if (p < 2) throw new IllegalArgumentException("normalizing a patch needs >= 2 pixels, got " + p);
    float[] x = patches.data(), out = new float[x.length];
    for (int r = 0; r < rows; r++) {
      int o = r * p;
      double[] ms = meanAndScale(x, o, p);
      double inv = 1 / ms[1];
      for (int j = 0; j < p; j++) out[o + j] = (float) ((x[o + j] - ms[0]) * inv);
    }
    return Tensor.of(out, s);
  }

  /**
   * The mean μ and the scale sqrt(σ² + 1e-6) (unbiased σ²) of the patch {@code x[off, off + p)}:
   * what {@link #normalizePatches} divides out, and what puts a normalized prediction back into pixels.
   */
  public static double[] meanAndScale(float[] x, int off, int p) {
    double mean = 0;
    for (int j = 0; j < p; j++) mean += x[off + j];
    mean /= p;
    double var = 0;
    for (int j = 0; j < p; j++) {
      double d = x[off + j] - mean;
      var += d * d;
    }
    var /= p - 1;
    return new double[] {mean, Math.sqrt(var + EPS)};
  }

  /** The loss of predictions (N, L, P) against target patches (N, L, P) on {@code mask}'s hidden patches. */
  public static Tensor loss(Tensor pred, Tensor targetPatches, PatchMask mask, boolean normPix) {
    return hiddenError(pred, normPix ? normalizePatches(targetPatches) : targetPatches.detach(), mask);
  }

  /** Mean squared error of predictions (N, L, P) against targets already in the loss's space, on the hidden patches. */
  public static Tensor hiddenError(Tensor pred, Tensor target, PatchMask mask) {
    return F.mseLoss(TokenCombine.select(pred, mask.hidden()), TokenCombine.select(target, mask.hidden()));
  }
}
