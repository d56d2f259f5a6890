package dev.fathom.xai.shap;

import dev.fathom.tensor.Tensor;
import dev.fathom.xai.Attribution;

/**
 * KernelSHAP and LIME as {@link Attribution}s over a {@link dev.fathom.xai.GradientModel}'s
 * outputs (no gradients used), so reports and metrics treat them like the gradient methods.
 * LIME's map holds the surrogate's weights on its selected features and 0 elsewhere.
 */
public final class ModelAgnostic {
  private ModelAgnostic() {}

  /** KernelSHAP values of each example's target output against {@code background} (M, d). */
  public static Attribution kernelShap(double[][] background, KernelShapConfig config) {
    return (model, x, targets) -> {
      KernelShap shap = new KernelShap(model.asPredictor(), background, config);
      double[][] rows = rows(x);
      float[] out = new float[rows.length * model.features()];
      for (int i = 0; i < rows.length; i++) {
        double[] v = shap.explain(rows[i], targets[i]).values();
        for (int j = 0; j < v.length; j++) out[i * v.length + j] = (float) v[j];
      }
      return Tensor.of(out, model.batchShape(rows.length));
    };
  }

  /** LIME surrogate weights of each example's target output, perturbing with the statistics of {@code training} (N, d). */
  public static Attribution lime(double[][] training, LimeConfig config) {
    return (model, x, targets) -> {
      Lime lime = new Lime(model.asPredictor(), training, config);
      double[][] rows = rows(x);
      int d = model.features();
      float[] out = new float[rows.length * d];
      for (int i = 0; i < rows.length; i++) {
        double[] w = lime.explain(rows[i], targets[i]).weightsByFeature(d);
        for (int j = 0; j < d; j++) out[i * d + j] = (float) w[j];
      }
      return Tensor.of(out, model.batchShape(rows.length));
    };
  }

  /** A batch (N, ...) as N rows of its flattened features, in double. */
  public static double[][] rows(Tensor x) {
    int n = x.size(0), features = x.numel() / Math.max(1, n);
    float[] d = x.data();
    double[][] r = new double[n][features];
    for (int i = 0; i < r.length; i++) for (int j = 0; j < features; j++) r[i][j] = d[i * features + j];
    return r;
  }
}
