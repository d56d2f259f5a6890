package dev.fathom.xai;

import dev.fathom.tensor.Tensor;

/**
 * Saliency (Simonyan, Vedaldi &amp; Zisserman 2014): |∂f_t/∂x|, the magnitude of the output's
 * gradient with respect to each input feature.
 */
public final class Saliency implements Attribution {
  private final boolean absolute;

  /** @param absolute take |gradient| (the paper's map); false keeps the signed gradient */
  public Saliency(boolean absolute) {
    this.absolute = absolute;
  }

  public Saliency() {
    this(true);
  }

  @Override
  public Tensor attribute(GradientModel model, Tensor x, int[] targets) {
    Tensor g = model.gradient(x, targets);
    if (!absolute) return g;
    float[] d = g.data();
    for (int i = 0; i < d.length; i++) d[i] = Math.abs(d[i]);
    return g;
  }
}
