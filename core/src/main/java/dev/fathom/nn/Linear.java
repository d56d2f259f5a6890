package dev.fathom.nn;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/** y = x·Wᵀ + b; weight (outFeatures, inFeatures), bias (outFeatures); PyTorch's default init. */
public class Linear extends Module {
  public final int inFeatures, outFeatures;
  public final Tensor weight, bias;

  public Linear(int inFeatures, int outFeatures, Rng rng) {
    this(inFeatures, outFeatures, true, rng);
  }

  public Linear(int inFeatures, int outFeatures, boolean bias, Rng rng) {
    if (inFeatures <= 0 || outFeatures <= 0) {
      throw new IllegalArgumentException("Linear: features must be positive, got in=" + inFeatures + ", out=" + outFeatures);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = param("weight", Tensor.zeros(outFeatures, inFeatures));
    this.bias = bias ? param("bias", Tensor.zeros(outFeatures)) : null;
    Init.pytorchDefault(weight, this.bias, rng);
  }

  /** @param x (..., inFeatures) @return (..., outFeatures) */
  @Override
  public Tensor forward(Tensor x) {
    return F.linear(x, weight, bias);
  }

  @Override
  protected String extraRepr() {
    return "inFeatures=" + inFeatures + ", outFeatures=" + outFeatures + ", bias=" + (bias != null);
  }
}
