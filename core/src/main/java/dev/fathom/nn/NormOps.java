package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.kernel.Parallel;
import dev.fathom.kernel.VecMath;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * Batch normalization as one fused op per direction (statistics in one vectorized pass, then
 * normalization and affine; the backward likewise), parallel over channels. Sums are taken in
 * double (Σx, Σx², Σg, Σg·x), so var = E[x²] − μ² keeps its precision. x is seen as
 * (N, C, L) with L the product of the spatial dims; M = N·L values per channel.
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
    float[] mean = new float[c], rstd = new float[c];
    float[] w = weight == null ? null : weight.data(), b = bias == null ? null : bias.data();
    float[] rm = runningMean == null ? null : runningMean.data(), rv = runningVar == null ? null : runningVar.data();
    Parallel.forRange(c, 1, (c0, c1) -> {
      for (int ch = c0; ch < c1; ch++) {
        double mu, var;
        if (training) {
          double sum = 0, sq = 0;
          for (int i = 0; i < n; i++) {
            int base = (i * c + ch) * l;
            sum += VecMath.sum(xd, base, l);
            sq += VecMath.dot(xd, base, xd, base, l);
          }
          mu = sum / m;
          var = Math.max(0, sq / m - mu * mu);
        } else {
          mu = rm[ch];
          var = rv[ch];
        }
        float r = (float) (1 / Math.sqrt(var + eps));
        mean[ch] = (float) mu;
        rstd[ch] = r;
        float scale = w == null ? r : w[ch] * r;
        float shift = (b == null ? 0f : b[ch]) - (float) mu * scale;
        for (int i = 0; i < n; i++) {
          int base = (i * c + ch) * l;
          for (int j = 0; j < l; j++) y[base + j] = xd[base + j] * scale + shift;
        }
        if (training && rm != null) {
          rm[ch] = (float) ((1 - momentum) * rm[ch] + momentum * mu);
          rv[ch] = (float) ((1 - momentum) * rv[ch] + momentum * var * m / (m - 1));
        }
      }
    });
    Tensor out = Tensor.of(y, s);
    Tensor[] inputs = {x, weight, bias};
    return Autograd.record("batchNorm", out, gt -> {
      float[] g = gt.data();
      float[] gx = x.requiresGrad() ? new float[xd.length] : null;
      float[] gw = new float[c], gb = new float[c];
      Parallel.forRange(c, 1, (c0, c1) -> {
        for (int ch = c0; ch < c1; ch++) {
          float mu = mean[ch], r = rstd[ch];
          double sg = 0, sgxRaw = 0;
          for (int i = 0; i < n; i++) {
            int base = (i * c + ch) * l;
            sg += VecMath.sum(g, base, l);
            sgxRaw += VecMath.dot(g, base, xd, base, l);
          }
          double sgx = (sgxRaw - mu * sg) * r;  // Σ g·x̂ = r·(Σ g·x − μ·Σ g)
          gw[ch] = (float) sgx;
          gb[ch] = (float) sg;
          if (gx == null) continue;
          float k = (w == null ? 1f : w[ch]) * r;
          if (training) {
            // dx = k·(g − mean(g) − x̂·mean(g·x̂)) = k·g + bx·x + cst, with x̂ = (x − μ)·r
            float bx = (float) (-k * r * sgx / m);
            float cst = (float) (-k * sg / m - bx * mu);
            for (int i = 0; i < n; i++) {
              int base = (i * c + ch) * l;
              for (int j = 0; j < l; j++) gx[base + j] = k * g[base + j] + bx * xd[base + j] + cst;
            }
          } else {
            for (int i = 0; i < n; i++) {
              int base = (i * c + ch) * l;
              for (int j = 0; j < l; j++) gx[base + j] = k * g[base + j];
            }
          }
        }
      });
      return new Tensor[] {gx == null ? null : Tensor.of(gx, s), weight == null ? null : Tensor.of(gw, c), bias == null ? null : Tensor.of(gb, c)};
    }, inputs);
  }

}
