package dev.fathom.optim;

import dev.fathom.tensor.Tensor;
import java.util.List;

/** Gradient clipping (torch.nn.utils.clip_grad_norm_). */
public final class GradClip {
  private GradClip() {}

  /**
   * Scales all gradients in place so their global L2 norm is at most {@code maxNorm}
   * (scale = maxNorm / (norm + 1e-6) when norm exceeds it).
   *
   * @return the total norm before clipping
   */
  public static double clipGradNorm(List<Tensor> params, double maxNorm) {
    if (!(maxNorm > 0)) throw new IllegalArgumentException("clipGradNorm: maxNorm must be > 0, got " + maxNorm);
    double sq = 0;
    for (Tensor p : params) {
      if (p.grad() == null) continue;
      for (float g : p.grad().data()) sq += (double) g * g;
    }
    double norm = Math.sqrt(sq);
    double scale = maxNorm / (norm + 1e-6);
    if (scale < 1) {
      for (Tensor p : params) {
        if (p.grad() == null) continue;
        float[] g = p.grad().data();
        for (int i = 0; i < g.length; i++) g[i] = (float) (g[i] * scale);
      }
    }
    return norm;
  }
}
