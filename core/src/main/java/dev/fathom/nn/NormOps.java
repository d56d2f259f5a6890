package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.kernel.NormKernels;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;
import java.util.Arrays;

/**
 * Normalization ops, each one fused op per direction: batch, layer and RMS normalization.
 *
 * <p>Layer and RMS normalization see x as a (rows, cols) matrix, cols being the product of the
 * normalized trailing dims, and call {@link NormKernels}: one pass for the row statistics, one
 * for the output, and the backward likewise, with no temporaries but the per-row mean and rstd
 * saved for the backward.
 *
 * <p>Batch normalization as one fused op per direction ({@link NormKernels#batchNormForward} and
 * {@link NormKernels#batchNormBackward}: per channel, the statistics and then the element-wise
 * pass while the channel is in cache), parallel over channels. Sums are float lanes per plane
 * added into doubles; the variance comes from sums shifted by one sample of the channel, so
 * E[d²] − E[d]² does not cancel. x is seen as (N, C, L) with L the product of the spatial dims;
 * M = N·L values per channel.
 *
 * <pre>
 * forward:  x̂ = (x − μ)·rstd,  y = γ·x̂ + β,   rstd = 1/sqrt(σ² + eps)   (σ² biased, training)
 * backward (training): dx = γ·rstd·(g − mean(g) − x̂·mean(g·x̂))
 * backward (eval):     dx = γ·rstd·g
 * dγ = Σ g·x̂,  dβ = Σ g
 * </pre>
 */
final class NormOps {
  private NormOps() {}

  static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, boolean training,
      double momentum, double eps) {
    int[] s = x.shape();
    if (s.length < 2) throw new ShapeException("batchNorm: expected (N, C, ...), got " + Shape.str(s));
    int n = s[0], c = s[1];
    int l = s.length == 2 ? 1 : x.numel() / (n * c);
    int m = n * l;
    for (Tensor t : new Tensor[] {runningMean, runningVar, weight, bias}) {
      if (t != null && t.numel() != c) {
        throw new ShapeException("batchNorm: per-channel tensor of shape " + Shape.str(t.shape()) + " does not match " + c + " channels of input " + Shape.str(s));
      }
    }
    if (training && m <= 1) throw new ShapeException("batchNorm: expected more than 1 value per channel when training, got input " + Shape.str(s));
    if (!training && (runningMean == null || runningVar == null)) throw new IllegalStateException("batchNorm: eval mode needs running statistics");
    float[] xd = x.data();
    float[] y = new float[xd.length];
    double[] mean = new double[c], var = new double[c];
    float[] rstd = new float[c];
    float[] w = weight == null ? null : weight.data(), b = bias == null ? null : bias.data();
    float[] rm = runningMean == null ? null : runningMean.data(), rv = runningVar == null ? null : runningVar.data();
    if (!training) {
      for (int ch = 0; ch < c; ch++) {
        mean[ch] = rm[ch];
        var[ch] = rv[ch];
      }
    }
    NormKernels.batchNormForward(xd, n, c, l, w, b, eps, training, mean, var, rstd, y);
    if (training && rm != null) {
      for (int ch = 0; ch < c; ch++) {
        rm[ch] = (float) ((1 - momentum) * rm[ch] + momentum * mean[ch]);
        rv[ch] = (float) ((1 - momentum) * rv[ch] + momentum * var[ch] * m / (m - 1));
      }
    }
    Tensor out = Tensor.of(y, s);
    Tensor[] inputs = {x, weight, bias};
    return Autograd.record("batchNorm", out, gt -> {
      float[] gx = x.requiresGrad() ? new float[xd.length] : null;
      float[] gw = new float[c], gb = new float[c];
      NormKernels.batchNormBackward(gt.data(), xd, n, c, l, w, mean, rstd, training, gx, gw, gb);
      return new Tensor[] {gx == null ? null : Tensor.of(gx, s), weight == null ? null : Tensor.of(gw, c), bias == null ? null : Tensor.of(gb, c)};
    }, inputs);
  }

  /**
   * Layer normalization over the last {@code normalizedDims} dims (biased variance, as PyTorch):
   * {@code y = (x − μ)/sqrt(σ² + eps)·w + b}.
   *
   * @param x (..., D1..Dk) with k = normalizedDims
   * @param weight (D1..Dk) or null
   * @param bias (D1..Dk) or null
   * @return the shape of x
   * @throws ShapeException if normalizedDims is not in [1, x.dim()] or weight/bias do not have the normalized shape
   */
  static Tensor layerNorm(Tensor x, int normalizedDims, Tensor weight, Tensor bias, double eps) {
    int[] s = x.shape();
    if (normalizedDims < 1 || normalizedDims > s.length) {
      throw new ShapeException("layerNorm: cannot normalize the last " + normalizedDims + " dims of " + Shape.str(s));
    }
    int[] normShape = Arrays.copyOfRange(s, s.length - normalizedDims, s.length);
    checkAffine("layerNorm", "weight", weight, normShape, s);
    checkAffine("layerNorm", "bias", bias, normShape, s);
    int cols = 1;
    for (int d : normShape) cols *= d;
    int rows = cols == 0 ? 0 : x.numel() / cols;
    int n = cols, m = rows;
    float[] xd = x.data();
    float[] w = weight == null ? null : weight.data(), b = bias == null ? null : bias.data();
    float[] y = new float[xd.length];
    float[] mean = new float[rows], rstd = new float[rows];
    if (rows > 0) NormKernels.layerNormForward(xd, rows, cols, w, b, eps, y, mean, rstd);
    Tensor out = Tensor.of(y, s);
    return Autograd.record("layerNorm", out, gt -> {
      boolean needX = x.requiresGrad();
      boolean needW = weight != null && weight.requiresGrad(), needB = bias != null && bias.requiresGrad();
      float[] gx = needX ? new float[xd.length] : null;
      float[] gw = needW ? new float[w.length] : null, gb = needB ? new float[b.length] : null;
      if (m > 0) NormKernels.layerNormBackward(gt.data(), xd, m, n, w, mean, rstd, gx, gw, gb);
      return new Tensor[] {needX ? Tensor.of(gx, s) : null, needW ? Tensor.of(gw, weight.shape()) : null,
          needB ? Tensor.of(gb, bias.shape()) : null};
    }, x, weight, bias);
  }

  /**
   * RMS normalization over the last dim (Zhang and Sennrich 2019):
   * {@code y = x/sqrt(mean(x²) + eps)·w}.
   *
   * @param x (..., D)
   * @param weight (D) or null
   * @return the shape of x
   * @throws ShapeException if x is a scalar or weight is not (D)
   */
  static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
    int[] s = x.shape();
    if (s.length == 0) throw new ShapeException("rmsNorm: expected input (..., D), got a scalar " + Shape.str(s));
    int cols = s[s.length - 1];
    checkAffine("rmsNorm", "weight", weight, new int[] {cols}, s);
    int rows = cols == 0 ? 0 : x.numel() / cols;
    int n = cols, m = rows;
    float[] xd = x.data();
    float[] w = weight == null ? null : weight.data();
    float[] y = new float[xd.length];
    float[] rstd = new float[rows];
    if (rows > 0) NormKernels.rmsNormForward(xd, rows, cols, w, eps, y, rstd);
    Tensor out = Tensor.of(y, s);
    return Autograd.record("rmsNorm", out, gt -> {
      boolean needX = x.requiresGrad(), needW = weight != null && weight.requiresGrad();
      float[] gx = needX ? new float[xd.length] : null;
      float[] gw = needW ? new float[w.length] : null;
      if (m > 0) NormKernels.rmsNormBackward(gt.data(), xd, m, n, w, rstd, gx, gw);
      return new Tensor[] {needX ? Tensor.of(gx, s) : null, needW ? Tensor.of(gw, weight.shape()) : null};
    }, x, weight);
  }

  private static void checkAffine(String op, String name, Tensor t, int[] normShape, int[] inputShape) {
    if (t != null && !Arrays.equals(t.shape(), normShape)) {
      throw new ShapeException(op + ": " + name + " of shape " + Shape.str(t.shape()) + " does not match the normalized shape "
          + Shape.str(normShape) + " of input " + Shape.str(inputShape));
    }
  }
}
