package dev.fathom.nn;

import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/** Layer normalization over the trailing {@code normalizedShape} dims, with elementwise affine weight and bias. */
public class LayerNorm extends Module {
  public final int[] normalizedShape;
  public final double eps;
  public final Tensor weight, bias;

  public LayerNorm(int... normalizedShape) {
    this(normalizedShape, 1e-5, true);
  }

  public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
    if (normalizedShape.length == 0 || eps <= 0) throw new IllegalArgumentException("LayerNorm: need a shape and eps > 0");
    this.normalizedShape = normalizedShape.clone();
    this.eps = eps;
    this.weight = elementwiseAffine ? param("weight", Tensor.ones(normalizedShape)) : null;
    this.bias = elementwiseAffine ? param("bias", Tensor.zeros(normalizedShape)) : null;
  }

  @Override
  public Tensor forward(Tensor x) {
    int[] s = x.shape();
    int k = normalizedShape.length;
    boolean ok = s.length >= k;
    for (int i = 0; ok && i < k; i++) ok = s[s.length - k + i] == normalizedShape[i];
    if (!ok) throw new ShapeException("LayerNorm" + Shape.str(normalizedShape) + ": input " + Shape.str(s) + " does not end with the normalized shape");
    return F.layerNorm(x, k, weight, bias, eps);
  }

  @Override
  protected String extraRepr() {
    return Shape.str(normalizedShape) + ", eps=" + eps;
  }
}
