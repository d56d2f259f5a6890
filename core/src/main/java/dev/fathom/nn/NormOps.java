package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.kernel.Parallel;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * Batch normalization as one fused op per direction (statistics, normalization and affine in
 * two passes over the input; the backward in two passes), parallel over channels. x is seen as
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
          double sum = 0;
          for (int i = 0; i < n; i++) {
            int base = (i * c + ch) * l;
            for (int j = 0; j < l; j++) sum += xd[base + j];
          }
          mu = sum / m;
          double sq = 0;
          for (int i = 0; i < n; i++) {
            int base = (i * c + ch) * l;
            for (int j = 0; j < l; j++) {
              double d = xd[base + j] - mu;
              sq += d * d;
            }
          }
          var = sq / m;
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
          double sg = 0, sgx = 0;
          for (int i = 0; i < n; i++) {
            int base = (i * c + ch) * l;
            for (int j = 0; j < l; j++) {
              float gv = g[base + j];
              sg += gv;
              sgx += gv * ((xd[base + j] - mu) * r);
            }
          }
          gw[ch] = (float) sgx;
          gb[ch] = (float) sg;
          if (gx == null) continue;
          float k = (w == null ? 1f : w[ch]) * r;
          if (training) {
            float mg = (float) (sg / m), mgx = (float) (sgx / m);
            for (int i = 0; i < n; i++) {
              int base = (i * c + ch) * l;
              for (int j = 0; j < l; j++) {
                float xh = (xd[base + j] - mu) * r;
                gx[base + j] = k * (g[base + j] - mg - xh * mgx);
              }
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
