package dev.fathom.xai;

import dev.fathom.tensor.Tensor;

/**
 * Gradient × input (Shrikumar et al. 2016): x ⊙ ∂f_t/∂x, the first-order Taylor contribution of
 * each feature relative to an all-zero input. Exact for a linear model with zero bias.
 */
public final class GradientTimesInput implements Attribution {
  @Override
  public Tensor attribute(GradientModel model, Tensor x, int[] targets) {
    Tensor g = model.gradient(x, targets);
    float[] d = g.data(), xd = x.data();
    for (int i = 0; i < d.length; i++) d[i] *= xd[i];
    return g;
  }
}
