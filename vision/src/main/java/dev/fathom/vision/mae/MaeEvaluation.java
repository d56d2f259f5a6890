package dev.fathom.vision.mae;

import dev.fathom.autograd.Grad;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/**
 * Held-out reconstruction error of a {@link Mae} against the mean-patch baselines, all under the
 * same seeded masks and in the same target space (normalized patches when the model was trained
 * on them).
 *
 * @param maeError mean squared error of MAE's predictions on hidden patches
 * @param positionMeanError predicting each hidden patch by the training mean at its position
 * @param visibleMeanError predicting each hidden patch by the mean of the image's visible patches
 * @param images images scored
 */
public record MaeEvaluation(double maeError, double positionMeanError, double visibleMeanError, int images) {
  /** The stronger baseline's error divided by MAE's: how many times lower MAE's error is. */
  public double improvement() {
    return Math.min(positionMeanError, visibleMeanError) / maeError;
  }

  /**
   * Scores {@code mae} on {@code test} (N, C, H, W), fitting the position baseline on {@code train}
   * (N', C, H, W); masks are drawn from {@code seed}.
   */
  public static MaeEvaluation run(Mae mae, Tensor train, Tensor test, long seed, int batchSize) {
    int p = mae.patchSize();
    boolean norm = mae.config.normPixLoss();
    MeanPatchBaseline baseline = MeanPatchBaseline.fit(targets(train, p, norm));
    Rng rng = new Rng(seed);
    double maeSum = 0, posSum = 0, visSum = 0;
    int n = test.size(0);
    boolean wasTraining = mae.isTraining();
    mae.eval();
    try (var g = Grad.disabled()) {
      for (int s = 0; s < n; s += batchSize) {
        int b = Math.min(batchSize, n - s);
        Tensor x = test.narrow(0, s, b);
        PatchMask mask = mae.randomMask(b, rng);
        Tensor target = targets(x, p, norm);
        maeSum += MaeLoss.hiddenError(mae.reconstruct(x, mask), target, mask).item() * b;
        posSum += baseline.positionError(target, mask) * b;
        visSum += MeanPatchBaseline.visibleMeanError(target, mask) * b;
      }
    } finally {
      if (wasTraining) mae.train();
    }
    return new MaeEvaluation(maeSum / n, posSum / n, visSum / n, n);
  }

  private static Tensor targets(Tensor images, int p, boolean norm) {
    Tensor patches = Patches.patchify(images, p);
    return norm ? MaeLoss.normalizePatches(patches) : patches;
  }
}
