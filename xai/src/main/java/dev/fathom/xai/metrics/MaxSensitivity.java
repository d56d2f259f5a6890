package dev.fathom.xai.metrics;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.xai.Attribution;
import dev.fathom.xai.GradientModel;

/**
 * Max-sensitivity (Yeh et al. 2019): SENS_MAX(Φ, x) = max_{‖δ‖∞ ≤ r} ‖Φ(x + δ) − Φ(x)‖₂ / ‖Φ(x)‖₂,
 * estimated by the largest of {@code samples} uniform draws of δ from the ball. A robust
 * explanation changes little when the input barely changes. (Divided by ‖Φ(x)‖ so that methods
 * with maps of different scales compare; Captum's default reports the unnormalized norm.)
 */
public final class MaxSensitivity {
  private MaxSensitivity() {}

  /** Max-sensitivity per example. */
  public static double[] of(Attribution method, GradientModel model, Tensor x, int[] targets, double radius, int samples, long seed) {
    model.checkInput(x);
    if (samples < 1) throw new IllegalArgumentException("max-sensitivity: samples must be >= 1, got " + samples);
    if (!(radius > 0)) throw new IllegalArgumentException("max-sensitivity: radius must be > 0, got " + radius);
    int n = x.size(0), f = model.features();
    float[] xd = x.data();
    float[] base = method.attribute(model, x, targets).data();
    Rng rng = new Rng(seed);
    double[] worst = new double[n];
    for (int s = 0; s < samples; s++) {
      float[] moved = new float[n * f];
      for (int k = 0; k < moved.length; k++) moved[k] = xd[k] + (float) (radius * (2 * rng.nextDouble() - 1));
      float[] m = method.attribute(model, Tensor.of(moved, model.batchShape(n)), targets).data();
      for (int i = 0; i < n; i++) {
        double diff = 0, norm = 0;
        for (int j = 0; j < f; j++) {
          double d = m[i * f + j] - base[i * f + j];
          diff += d * d;
          norm += (double) base[i * f + j] * base[i * f + j];
        }
        double r = norm == 0 ? (diff == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(diff / norm);
        worst[i] = Math.max(worst[i], r);
      }
    }
    return worst;
  }
}
