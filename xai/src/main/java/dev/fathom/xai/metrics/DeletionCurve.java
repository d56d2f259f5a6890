package dev.fathom.xai.metrics;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.xai.Baseline;
import dev.fathom.xai.GradientModel;

/**
 * Deletion and insertion curves (Petsiuk, Das &amp; Saenko 2018, RISE): rank the features by
 * attribution, then remove them most-important first (deletion: the score should fall fast, a low
 * area under the curve is good) or add them to a blank input (insertion: the score should rise
 * fast, a high area is good). The score is the model's explained output (use
 * {@link dev.fathom.xai.Output#PROBABILITY}); the area is the trapezoid over the fraction of
 * features changed, in [0, 1]. {@link #randomAttributions} gives the reference order.
 */
public final class DeletionCurve {
  private DeletionCurve() {}

  /**
   * @param auc area under the curve, per example
   * @param meanCurve the score averaged over examples at each of steps+1 fractions 0, 1/steps, ..., 1
   */
  public record Result(double[] auc, double[] meanCurve) {
    public double meanAuc() {
      double s = 0;
      for (double a : auc) s += a;
      return s / auc.length;
    }
  }

  /** Deletion: features set to the baseline in decreasing order of attribution. */
  public static Result deletion(GradientModel model, Tensor x, int[] targets, Tensor attributions, int steps, Baseline baseline) {
    return curve(model, x, targets, attributions, steps, baseline, true);
  }

  /** Insertion: starting from the baseline, features restored in decreasing order of attribution. */
  public static Result insertion(GradientModel model, Tensor x, int[] targets, Tensor attributions, int steps, Baseline baseline) {
    return curve(model, x, targets, attributions, steps, baseline, false);
  }

  /** Uniform random attributions: a random order, the reference a method must beat. */
  public static Tensor randomAttributions(GradientModel model, int n, long seed) {
    return Tensor.rand(new Rng(seed), model.batchShape(n));
  }

  private static Result curve(GradientModel model, Tensor x, int[] targets, Tensor attributions, int steps, Baseline baseline, boolean delete) {
    model.checkInput(x);
    model.checkInput(attributions);
    if (attributions.size(0) != x.size(0)) {
      throw new IllegalArgumentException("attributions: expected one map per example (" + x.size(0) + "), got " + attributions.size(0));
    }
    if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    int n = x.size(0), f = model.features();
    float[] xd = x.data(), ad = attributions.data();
    float[] base = baseline.row(model);
    double[] auc = new double[n], mean = new double[steps + 1];
    for (int i = 0; i < n; i++) {
      int[] order = descending(ad, i * f, f);
      float[] batch = new float[(steps + 1) * f];
      for (int k = 0; k <= steps; k++) {
        int changed = (int) Math.round((double) k * f / steps);
        int row = k * f;
        for (int j = 0; j < f; j++) batch[row + j] = delete ? xd[i * f + j] : base[j];
        for (int r = 0; r < changed; r++) {
          int j = order[r];
          batch[row + j] = delete ? base[j] : xd[i * f + j];
        }
      }
      int[] t = new int[steps + 1];
      java.util.Arrays.fill(t, targets[i]);
      float[] s = model.score(Tensor.of(batch, model.batchShape(steps + 1)), t);
      double a = 0;
      for (int k = 0; k < steps; k++) a += (s[k] + s[k + 1]) / 2.0 / steps;
      auc[i] = a;
      for (int k = 0; k <= steps; k++) mean[k] += s[k] / (double) n;
    }
    return new Result(auc, mean);
  }

  /** Indices of v[off, off+len) sorted by decreasing value (stable). */
  static int[] descending(float[] v, int off, int len) {
    Integer[] idx = new Integer[len];
    for (int i = 0; i < len; i++) idx[i] = i;
    java.util.Arrays.sort(idx, (p, q) -> Float.compare(v[off + q], v[off + p]));
    int[] r = new int[len];
    for (int i = 0; i < len; i++) r[i] = idx[i];
    return r;
  }
}
