package dev.fathom.vision.mae;

import dev.fathom.nn.F;
import dev.fathom.tensor.Tensor;

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
      double mean = 0;
      for (int j = 0; j < p; j++) mean += x[o + j];
      mean /= p;
      double var = 0;
      for (int j = 0; j < p; j++) {
        double d = x[o + j] - mean;
        var += d * d;
      }
      var /= p - 1;
      double inv = 1 / Math.sqrt(var + EPS);
      for (int j = 0; j < p; j++) out[o + j] = (float) ((x[o + j] - mean) * inv);
    }
    return Tensor.of(out, s);
  }

  /** The loss of predictions (N, L, P) against target patches (N, L, P) on {@code mask}'s hidden patches. */
  public static Tensor loss(Tensor pred, Tensor targetPatches, PatchMask mask, boolean normPix) {
    Tensor target = normPix ? normalizePatches(targetPatches) : targetPatches.detach();
    return F.mseLoss(PatchMask.select(pred, mask.hidden()), PatchMask.select(target, mask.hidden()));
  }
}
