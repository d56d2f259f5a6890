package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.kernel.CausalConv1dKernels;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * Depthwise causal 1-D convolution over time as one autograd op (Primer's multi-dconv-head
 * attention, So et al. 2021, convolves q, k and v this way before attention):
 *
 * <pre>
 * y[b,t,c] = bias[c] + Σ_{j=0}^{K−1} weight[c,0,j]·x[b, t−(K−1)+j, c]     (x at negative t = 0)
 * </pre>
 *
 * <p>The same as {@code torch.nn.Conv1d(C, C, K, groups=C, padding=K−1)} on
 * {@code x.transpose(1, 2)}, cut to the first T outputs, but on the (B, T, C) layout a
 * transformer already has, so nothing is transposed. Forward and backward run on
 * {@link CausalConv1dKernels}; the derivative rule is the kernel's backward.
 */
final class CausalConv1dOps {
  private CausalConv1dOps() {}

  /**
   * @param x (B, T, C)
   * @param weight (C, 1, K), K at least 1
   * @param bias (C) or null
   * @return (B, T, C)
   * @throws ShapeException when the shapes do not fit (the message shows expected and got)
   */
  static Tensor causalDepthwiseConv1d(Tensor x, Tensor weight, Tensor bias) {
    String op = "causalDepthwiseConv1d";
    if (x.dim() != 3) throw new ShapeException(op + ": expected x [B, T, C], got " + Shape.str(x.shape()));
    int b = x.size(0), t = x.size(1), c = x.size(2);
    if (weight.dim() != 3 || weight.size(0) != c || weight.size(1) != 1) {
      throw new ShapeException(op + ": expected weight [" + c + ", 1, K] for x " + Shape.str(x.shape()) + ", got "
          + Shape.str(weight.shape()));
    }
    int k = weight.size(2);
    if (k < 1) throw new ShapeException(op + ": expected kernel size K >= 1, got weight " + Shape.str(weight.shape()));
    if (c < 1) throw new ShapeException(op + ": expected at least 1 channel, got x " + Shape.str(x.shape()));
    if (bias != null && (bias.dim() != 1 || bias.size(0) != c)) {
      throw new ShapeException(op + ": expected bias [" + c + "], got " + Shape.str(bias.shape()));
    }
    float[] xd = x.data(), w = weight.data(), bd = bias == null ? null : bias.data();
    float[] y = new float[xd.length];
    CausalConv1dKernels.forward(xd, b, t, c, w, k, bd, y);
    Tensor out = Tensor.of(y, b, t, c);
    return Autograd.record("causal_depthwise_conv1d", out, g -> {
      boolean needX = x.requiresGrad(), needW = weight.requiresGrad(), needB = bias != null && bias.requiresGrad();
      float[] gx = needX ? new float[xd.length] : null;
      float[] gw = needW ? new float[w.length] : null, gb = needB ? new float[c] : null;
      CausalConv1dKernels.backward(g.data(), xd, b, t, c, w, k, gx, gw, gb);
      return new Tensor[] {needX ? Tensor.of(gx, x.shape()) : null, needW ? Tensor.of(gw, weight.shape()) : null,
          needB ? Tensor.of(gb, bias.shape()) : null};
    }, x, weight, bias);
  }
}
