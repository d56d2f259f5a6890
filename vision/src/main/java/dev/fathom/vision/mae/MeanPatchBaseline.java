package dev.fathom.vision.mae;

import dev.fathom.tensor.Tensor;

/**
 * Reconstructions that need no model, to judge MAE's error against: each hidden patch is predicted
 * as the mean training patch at its position ({@link #positionError}), or as the mean of the same
 * image's visible patches ({@link #visibleMeanError}). Errors are the MAE loss (mean squared error
 * over hidden patches) in the same target space the model is scored in.
 */
public final class MeanPatchBaseline {
  private final float[] mean;
  private final int patches, dim;

  private MeanPatchBaseline(float[] mean, int patches, int dim) {
    this.mean = mean;
    this.patches = patches;
    this.dim = dim;
  }

  /** The per-position mean of training targets (N, L, P). */
  public static MeanPatchBaseline fit(Tensor targets) {
    int[] s = targets.shape();
    int n = s[0], l = s[1], p = s[2];
    double[] sum = new double[l * p];
    float[] x = targets.data();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < l * p; j++) sum[j] += x[i * l * p + j];
    }
    float[] m = new float[l * p];
    for (int j = 0; j < m.length; j++) m[j] = (float) (sum[j] / n);
    return new MeanPatchBaseline(m, l, p);
  }

  /** Mean squared error of predicting each hidden patch of {@code targets} (N, L, P) by the training mean at its position. */
  public double positionError(Tensor targets, PatchMask mask) {
    int[] s = targets.shape();
    if (s[1] != patches || s[2] != dim) {
      throw new IllegalArgumentException("baseline fitted on (L, P) = (" + patches + ", " + dim + "), got (" + s[1] + ", " + s[2] + ")");
    }
    float[] x = targets.data();
    double err = 0;
    long count = 0;
    for (int i = 0; i < s[0]; i++) {
      for (int h : mask.hidden()[i]) {
        int o = (i * patches + h) * dim;
        for (int j = 0; j < dim; j++) {
          double d = x[o + j] - mean[h * dim + j];
          err += d * d;
        }
        count += dim;
      }
    }
    return err / count;
  }

  /** Mean squared error of predicting each hidden patch by the mean of the same image's visible patches. */
  public static double visibleMeanError(Tensor targets, PatchMask mask) {
    int[] s = targets.shape();
    int l = s[1], p = s[2];
    float[] x = targets.data();
    double err = 0;
    long count = 0;
    double[] guess = new double[p];
    for (int i = 0; i < s[0]; i++) {
      java.util.Arrays.fill(guess, 0);
      for (int v : mask.keep()[i]) {
        for (int j = 0; j < p; j++) guess[j] += x[(i * l + v) * p + j];
      }
      for (int j = 0; j < p; j++) guess[j] /= mask.keep()[i].length;
      for (int h : mask.hidden()[i]) {
        for (int j = 0; j < p; j++) {
          double d = x[(i * l + h) * p + j] - guess[j];
          err += d * d;
        }
        count += p;
      }
    }
    return err / count;
  }
}
