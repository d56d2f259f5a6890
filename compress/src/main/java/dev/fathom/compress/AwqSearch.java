package dev.fathom.compress;

import dev.fathom.nn.Linear;
import dev.fathom.quant.GroupGrid;
import dev.fathom.tensor.Tensor;
import java.util.List;
import java.util.function.Supplier;

/**
 * AWQ's scale search for linear layers that share one input X (Lin et al. 2024, "AWQ:
 * Activation-aware Weight Quantization for LLM Compression and Acceleration", §3.2): per input
 * channel s_j = mean|X_j|^α (normalised by sqrt(max s · min s)), α on a grid in [0, 1); each
 * candidate rounds W·diag(s) to the grid and uses Q(W·diag(s))·diag(s)⁻¹, and the α whose block
 * output is closest (squared error) to the float block's output wins. α = 0 is plain round to
 * nearest, so the search never does worse than RTN on the data it scores. With {@code duo} the
 * search also tries s_j = mean|X_j|^α / w_j^(1−α), w_j the mean over the targets' rows of |W_rj|
 * divided by its quantization group's max |W| (AutoAWQ's "duo scaling": a channel whose weights are
 * already large in their groups gets less of the boost).
 */
public final class AwqSearch {
  /** The chosen scales, α and family (duo or activation-only), with the block error of the winner and of α = 0 (RTN). */
  public record Result(float[] scales, double alpha, boolean duo, double error, double rtnError) {}

  private AwqSearch() {}

  /**
   * Searches s for {@code targets} (all reading the same input of {@code meanAbs.length} channels)
   * and leaves their weights as they were.
   *
   * @param meanAbs mean |X_j| per input channel
   * @param blockOutput runs the block on the search inputs with the targets' current weights
   * @param reference the float block's outputs on the same inputs
   */
  public static Result search(List<Linear> targets, double[] meanAbs, GroupGrid grid, int gridSize, Supplier<List<Tensor>> blockOutput,
      List<Tensor> reference) {
    return search(targets, meanAbs, grid, gridSize, false, blockOutput, reference);
  }

  /** As above; with {@code duo}, the duo-scaled candidates too (see the class comment). */
  public static Result search(List<Linear> targets, double[] meanAbs, GroupGrid grid, int gridSize, boolean duo,
      Supplier<List<Tensor>> blockOutput, List<Tensor> reference) {
    float[][] saved = new float[targets.size()][];
    for (int t = 0; t < targets.size(); t++) saved[t] = targets.get(t).weight.data().clone();
    double[] wMean = duo ? groupNormalizedMeanAbs(targets, grid) : null;
    double bestErr = Double.POSITIVE_INFINITY, rtnErr = 0, bestAlpha = 0;
    boolean bestDuo = false;
    float[] best = null;
    try {
      for (int family = 0; family < (duo ? 2 : 1); family++) {
        for (int k = 0; k < gridSize; k++) {
          double alpha = (double) k / gridSize;
          float[] s = scales(meanAbs, family == 1 ? wMean : null, alpha);
          for (int t = 0; t < targets.size(); t++) roundScaled(targets.get(t), saved[t], s, grid);
          double err = squaredError(blockOutput.get(), reference);
          if (family == 0 && k == 0) rtnErr = err;
          if (err < bestErr) {
            bestErr = err;
            bestAlpha = alpha;
            bestDuo = family == 1;
            best = s;
          }
        }
      }
    } finally {
      for (int t = 0; t < targets.size(); t++) System.arraycopy(saved[t], 0, targets.get(t).weight.data(), 0, saved[t].length);
    }
    return new Result(best, bestAlpha, bestDuo, bestErr, rtnErr);
  }

  /**
   * w_j = mean over the rows of every target of |W_rj| / max |W| of (r, j)'s quantization group:
   * how large channel j's weights already are where they are rounded.
   */
  static double[] groupNormalizedMeanAbs(List<Linear> targets, GroupGrid grid) {
    int cols = targets.get(0).inFeatures, rows = 0;
    double[] sum = new double[cols];
    for (Linear l : targets) {
      float[] w = l.weight.data();
      int ng = grid.groups(cols);
      for (int r = 0; r < l.outFeatures; r++) {
        int start = 0;
        for (int g = 0; g < ng; g++) {
          int len = grid.groupLength(cols, g);
          float max = 0;
          for (int j = start; j < start + len; j++) max = Math.max(max, Math.abs(w[r * cols + j]));
          for (int j = start; j < start + len; j++) sum[j] += Math.abs(w[r * cols + j]) / (max + 1e-6);
          start += len;
        }
      }
      rows += l.outFeatures;
    }
    for (int j = 0; j < cols; j++) sum[j] /= rows;
    return sum;
  }

  /** s_j = max(mean|X_j|, 1e-4)^α / (w_j^(1−α) + 1e-4) (w null: the denominator is 1), clamped at 1e-4, over sqrt(max s · min s). */
  static float[] scales(double[] meanAbs, double[] wMean, double alpha) {
    double[] s = new double[meanAbs.length];
    double max = 0, min = Double.POSITIVE_INFINITY;
    for (int j = 0; j < s.length; j++) {
      s[j] = Math.pow(Math.max(meanAbs[j], 1e-4), alpha);
      if (wMean != null) s[j] = Math.max(s[j] / (Math.pow(wMean[j], 1 - alpha) + 1e-4), 1e-4);
      max = Math.max(max, s[j]);
      min = Math.min(min, s[j]);
    }
    double norm = Math.sqrt(max * min);
    float[] out = new float[s.length];
    for (int j = 0; j < s.length; j++) out[j] = (float) (s[j] / norm);
    return out;
  }

  /** target.weight = Q(W·diag(s))·diag(s)⁻¹ from the float W in {@code w}. */
  private static void roundScaled(Linear target, float[] w, float[] s, GroupGrid grid) {
    int rows = target.outFeatures, cols = target.inFeatures;
    float[] scaled = new float[w.length];
    for (int r = 0; r < rows; r++) for (int j = 0; j < cols; j++) scaled[r * cols + j] = w[r * cols + j] * s[j];
    float[] q = GridWeights.roundToNearest(grid, scaled, rows, cols).values();
    float[] dst = target.weight.data();
    for (int r = 0; r < rows; r++) for (int j = 0; j < cols; j++) dst[r * cols + j] = q[r * cols + j] / s[j];
  }

  static double squaredError(List<Tensor> out, List<Tensor> ref) {
    double sum = 0;
    for (int b = 0; b < out.size(); b++) {
      float[] a = out.get(b).data(), r = ref.get(b).data();
      for (int i = 0; i < a.length; i++) {
        double d = a[i] - r[i];
        sum += d * d;
      }
    }
    return sum;
  }

  /** mean |x_j| over all rows of the tensors (..., in). */
  static double[] meanAbs(List<Tensor> xs, int in) {
    double[] sum = new double[in];
    long n = 0;
    for (Tensor x : xs) {
      float[] a = x.toFloatArray();
      for (int i = 0; i < a.length; i++) sum[i % in] += Math.abs(a[i]);
      n += a.length / in;
    }
    for (int j = 0; j < in; j++) sum[j] /= n;
    return sum;
  }
}
