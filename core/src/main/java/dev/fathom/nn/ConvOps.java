package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.kernel.Gemm;
import dev.fathom.kernel.Im2col;
import dev.fathom.kernel.Parallel;
import dev.fathom.kernel.Pool2d;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * Convolution and pooling over NCHW tensors. Convolution lowers each image to columns (im2col)
 * and multiplies by the weight with one batched GEMM per group; the input gradient goes back
 * through col2im, the weight gradient is summed over images in a fixed order per thread count.
 */
final class ConvOps {
  private ConvOps() {}

  static void requireRank4(Tensor x, String op) {
    if (x.dim() != 4) {
      throw new ShapeException(op + ": expected input of shape (N, C, H, W), got " + Shape.str(x.shape()));
    }
  }

  static Tensor conv2d(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] dilation, int groups) {
    requireRank4(x, "conv2d");
    int[] xs = x.shape(), ws = w.shape();
    if (ws.length != 4) throw new ShapeException("conv2d: weight must be (O, C/groups, kH, kW), got " + Shape.str(ws));
    int n = xs[0], c = xs[1], h = xs[2], wd = xs[3];
    int o = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
    if (groups < 1 || c % groups != 0 || o % groups != 0 || cg * groups != c) {
      throw new ShapeException("conv2d: input " + Shape.str(xs) + " with weight " + Shape.str(ws) + " and groups=" + groups
          + ": expected input channels = weight.size(1) * groups = " + cg * groups + ", got " + c);
    }
    if (b != null && (b.dim() != 1 || b.size(0) != o)) {
      throw new ShapeException("conv2d: bias must have shape [" + o + "], got " + Shape.str(b.shape()));
    }
    int oh = Im2col.outSize(h, kh, stride[0], padding[0], dilation[0]);
    int ow = Im2col.outSize(wd, kw, stride[1], padding[1], dilation[1]);
    int hw = oh * ow, ckk = cg * kh * kw, og = o / groups;
    float[] xd = x.data(), wdta = w.data();
    float[] out = new float[n * o * hw];
    float[][] cols = new float[groups][];
    for (int g = 0; g < groups; g++) {
      float[] col = new float[n * ckk * hw];
      final int gg = g;
      Parallel.forRange(n, 1, (s, e) -> {
        for (int i = s; i < e; i++) {
          Im2col.im2col(xd, (i * c + gg * cg) * h * wd, cg, h, wd, kh, kw, stride[0], stride[1], padding[0], padding[1],
              dilation[0], dilation[1], col, i * ckk * hw);
        }
      });
      cols[g] = col;
      Gemm.sgemmBatched(n, false, false, og, hw, ckk, 1f, wdta, g * og * ckk, 0, ckk, col, 0, (long) ckk * hw, hw,
          0f, out, g * og * hw, (long) o * hw, hw);
    }
    if (b != null) {
      float[] bd = b.data();
      Parallel.forRange(n * o, Math.max(1, 4096 / Math.max(1, hw)), (s, e) -> {
        for (int p = s; p < e; p++) {
          float v = bd[p % o];
          int base = p * hw;
          for (int q = 0; q < hw; q++) out[base + q] += v;
        }
      });
    }
    Tensor y = Tensor.of(out, n, o, oh, ow);
    return Autograd.record("conv2d", y, gt -> {
      float[] gd = gt.data();
      Tensor gx = null, gw = null, gb = null;
      if (b != null && b.requiresGrad()) {
        float[] gbd = new float[o];
        for (int i = 0; i < n; i++) {
          for (int oc = 0; oc < o; oc++) {
            double acc = 0;
            int base = (i * o + oc) * hw;
            for (int q = 0; q < hw; q++) acc += gd[base + q];
            gbd[oc] += (float) acc;
          }
        }
        gb = Tensor.of(gbd, o);
      }
      if (w.requiresGrad()) {
        float[] gwd = new float[o * ckk];
        for (int g = 0; g < groups; g++) weightGrad(gd, cols[g], n, o, og, g, hw, ckk, gwd);
        gw = Tensor.of(gwd, ws);
      }
      if (x.requiresGrad()) {
        float[] gxd = new float[xd.length];
        float[] dcol = new float[n * ckk * hw];
        for (int g = 0; g < groups; g++) {
          Gemm.sgemmBatched(n, true, false, ckk, hw, og, 1f, wdta, g * og * ckk, 0, ckk, gd, g * og * hw, (long) o * hw, hw,
              0f, dcol, 0, (long) ckk * hw, hw);
          final int gg = g;
          Parallel.forRange(n, 1, (s, e) -> {
            for (int i = s; i < e; i++) {
              Im2col.col2im(gxd, (i * c + gg * cg) * h * wd, cg, h, wd, kh, kw, stride[0], stride[1], padding[0], padding[1],
                  dilation[0], dilation[1], dcol, i * ckk * hw);
            }
          });
        }
        gx = Tensor.of(gxd, xs);
      }
      return b == null ? new Tensor[] {gx, gw} : new Tensor[] {gx, gw, gb};
    }, b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b});
  }

  /**
   * gW[g] += sum over images of gOut_i (og x hw) . col_iᵀ (hw x ckk). Images are split into one
   * contiguous chunk per thread; chunk partial sums are added in chunk order.
   */
  private static void weightGrad(float[] gd, float[] col, int n, int o, int og, int g, int hw, int ckk, float[] gw) {
    int chunks = Parallel.chunks(n, 1);
    float[][] partial = new float[chunks][og * ckk];
    Parallel.forRange(chunks, 1, (s, e) -> {
      for (int ch = s; ch < e; ch++) {
        int from = Parallel.chunkStart(n, chunks, ch), to = Parallel.chunkStart(n, chunks, ch + 1);
        for (int i = from; i < to; i++) {
          Gemm.sgemm(false, true, og, ckk, hw, 1f, gd, (i * o + g * og) * hw, hw, col, i * ckk * hw, hw,
              i == from ? 0f : 1f, partial[ch], 0, ckk);
        }
      }
    });
    int base = g * og * ckk;
    for (int ch = 0; ch < chunks; ch++) {
      float[] p = partial[ch];
      for (int q = 0; q < p.length; q++) gw[base + q] += p[q];
    }
  }

  static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
    requireRank4(x, "maxPool2d");
    int[] s = x.shape();
    int oh = Im2col.outSize(s[2], kernel[0], stride[0], padding[0], 1);
    int ow = Im2col.outSize(s[3], kernel[1], stride[1], padding[1], 1);
    float[] out = new float[s[0] * s[1] * oh * ow];
    int[] arg = new int[out.length];
    Pool2d.maxForward(x.data(), s[0], s[1], s[2], s[3], kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], out, arg);
    Tensor y = Tensor.of(out, s[0], s[1], oh, ow);
    return Autograd.record("maxPool2d", y, g -> {
      float[] gx = new float[x.numel()];
      Pool2d.maxBackward(g.data(), arg, s[0], s[1], s[2], s[3], kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], gx);
      return new Tensor[] {Tensor.of(gx, s)};
    }, x);
  }

  static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
    requireRank4(x, "avgPool2d");
    int[] s = x.shape();
    int oh = Im2col.outSize(s[2], kernel[0], stride[0], padding[0], 1);
    int ow = Im2col.outSize(s[3], kernel[1], stride[1], padding[1], 1);
    float[] out = new float[s[0] * s[1] * oh * ow];
    Pool2d.avgForward(x.data(), s[0], s[1], s[2], s[3], kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], out);
    Tensor y = Tensor.of(out, s[0], s[1], oh, ow);
    return Autograd.record("avgPool2d", y, g -> {
      float[] gx = new float[x.numel()];
      Pool2d.avgBackward(g.data(), s[0], s[1], s[2], s[3], kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], gx);
      return new Tensor[] {Tensor.of(gx, s)};
    }, x);
  }
}
