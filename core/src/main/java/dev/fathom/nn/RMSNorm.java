package dev.fathom.nn;

import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/** RMS normalization over the last dim with a learned scale (as Llama's RMSNorm and torch.nn.RMSNorm). */
public class RMSNorm extends Module {
  public final int dim;
  public final double eps;
  public final Tensor weight;

  public RMSNorm(int dim) {
    this(dim, 1e-6);
  }

  public RMSNorm(int dim, double eps) {
    if (dim <= 0 || eps <= 0) throw new IllegalArgumentException("RMSNorm: need dim > 0 and eps > 0, got " + dim + ", " + eps);
    this.dim = dim;
    this.eps = eps;
    this.weight = param("weight", Tensor.ones(dim));
  }

  @Override
  public Tensor forward(Tensor x) {
    if (x.dim() == 0 || x.size(-1) != dim) {
      throw new ShapeException("RMSNorm(" + dim + "): expected input (..., " + dim + "), got " + dev.fathom.tensor.Shape.str(x.shape()));
    }
    return F.rmsNorm(x, weight, eps);
  }

  @Override
  protected String extraRepr() {
    return dim + ", eps=" + eps;
  }
}
