package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.autograd.Grad;
import dev.fathom.kernel.ConvKernels;
import dev.fathom.kernel.Gemm;
import dev.fathom.kernel.Im2col;
import dev.fathom.kernel.Parallel;
import dev.fathom.kernel.Pool2d;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * Convolution and pooling over NCHW tensors. Convolution lowers the whole batch to one column
 * matrix per group, (C/groups·kH·kW, N·oH·oW) with the images side by side, and multiplies it by
 * the weight (one batched GEMM writing NCHW directly). The backward permutes the output gradient
 * once into (O, N·oH·oW); the weight gradient is then one GEMM over the whole batch and the input
 * gradient one GEMM followed by col2im. Column and permute buffers come from {@link Workspace}
 * and go back to it at the end of the backward, so a training step reuses them.
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
    Geo geo = new Geo(n, c, h, wd, o, groups, cg, kh, kw, stride, padding, dilation, oh, ow);
    float[] xd = x.data(), wdta = w.data();
    float[] out = new float[n * o * geo.hw];
    // Columns are kept for the weight gradient when it will be needed and the batch is one chunk.
    boolean keep = Grad.isEnabled() && w.requiresGrad() && geo.chunk >= n;
    float[][] saved = keep ? new float[groups][] : null;
    for (int i0 = 0; i0 < n; i0 += geo.chunk) {
      int nb = Math.min(geo.chunk, n - i0), ld = nb * geo.hw;
      for (int g = 0; g < groups; g++) {
        float[] col = columns(xd, geo, i0, nb, g);
        if (geo.smallK()) {
          // few taps (a first layer): multiply-adds straight from the columns, bias included
          ConvKernels.smallKForward(col, ld, nb, geo.hw, geo.ckk, wdta, o, b == null ? null : b.data(), out, i0 * o * geo.hw);
        } else {
          // Y_i (og x hw) = W_g (og x ckk) . col[:, i*hw ...] (ckk x hw, rows ld apart), written in NCHW.
          Gemm.sgemmBatched(nb, false, false, geo.og, geo.hw, geo.ckk, 1f, wdta, g * geo.og * geo.ckk, 0, geo.ckk,
              col, 0, geo.hw, ld, 0f, out, (i0 * o + g * geo.og) * geo.hw, (long) o * geo.hw, geo.hw);
        }
        if (keep) {
          saved[g] = col;
        } else {
          Workspace.give(col);
        }
      }
    }
    if (b != null && !geo.smallK()) ConvKernels.addChannelBias(out, n, o, geo.hw, b.data());
    Tensor y = Tensor.of(out, n, o, oh, ow);
    float[][][] held = {saved};
    Tensor result = Autograd.record("conv2d", y, gt -> {
      float[][] cols = held[0];
      held[0] = null;  // given back below; a second backward recomputes them
      return backward(gt.data(), x, w, b, geo, cols);
    }, b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b});
    if (keep && result == y && y.gradFn() == null) {
      for (float[] col : saved) Workspace.give(col);
    }
    return result;
  }

  /**
   * Backward of conv2d over chunks of images: the output gradient is permuted once into the
   * channel-major matrix gP (O, nb·hw) (bias gradient summed on the way), then per group the
   * weight gradient is one GEMM over the whole chunk (gW_gᵀ = col · gP_gᵀ) and the input gradient
   * one GEMM W_gᵀ · gP_g followed by col2im per image. With few taps (smallK) the weight and bias
   * gradients come from ConvKernels.smallKWeightGrad on the NCHW gradient instead. GEMM results
   * do not depend on the thread count, and chunks are added in order, so the gradients are
   * reproducible.
   */
  private static Tensor[] backward(float[] gd, Tensor x, Tensor w, Tensor b, Geo geo, float[][] savedCols) {
    boolean needX = x.requiresGrad(), needW = w.requiresGrad(), needB = b != null && b.requiresGrad();
    int n = geo.n, o = geo.o, og = geo.og, ckk = geo.ckk, hw = geo.hw;
    float[] xd = x.data(), wdta = w.data();
    float[] gwd = needW ? new float[o * ckk] : null;
    float[] gxd = needX ? new float[xd.length] : null;
    double[] bsum = needB ? new double[o] : null, part = needB ? new double[o] : null;
    // Small K: weight and bias gradients straight from the NCHW gradient, no permute or GEMM.
    boolean smallW = needW && geo.smallK();
    double[] gwSmall = smallW ? new double[o * ckk] : null;
    for (int i0 = 0; i0 < n; i0 += geo.chunk) {
      int nb = Math.min(geo.chunk, n - i0), ld = nb * hw;
      if (smallW) {
        float[] col = savedCols != null ? savedCols[0] : columns(xd, geo, i0, nb, 0);
        if (savedCols != null) savedCols[0] = null;
        ConvKernels.smallKWeightGrad(gd, i0 * o * hw, col, ld, nb, hw, ckk, o, gwSmall, bsum);
        Workspace.give(col);
        if (!needX) continue;
      }
      float[] gp = Workspace.take(o * ld);
      boolean sums = needB && !smallW;
      ConvKernels.toChannelMajor(gd, i0 * o * hw, nb, o, hw, gp, sums ? part : null);
      if (sums) for (int oc = 0; oc < o; oc++) bsum[oc] += part[oc];
      for (int g = 0; g < geo.groups && (needW || needX); g++) {
        if (needW && !smallW) {
          float[] col = savedCols != null ? savedCols[g] : columns(xd, geo, i0, nb, g);
          if (savedCols != null) savedCols[g] = null;
          // gW_gᵀ (ckk x og) = col (ckk x ld) . gP_gᵀ: the transposed operand GEMM packs is then the
          // smaller gP_g (og x ld) rather than the columns, and a narrow ckk does not waste tiles.
          float[] t = Workspace.take(ckk * og);
          Gemm.sgemm(false, true, ckk, og, ld, 1f, col, 0, ld, gp, g * og * ld, ld, 0f, t, 0, og);
          for (int r = 0; r < og; r++) {
            int dst = (g * og + r) * ckk;
            for (int q = 0; q < ckk; q++) gwd[dst + q] += t[q * og + r];
          }
          Workspace.give(t);
          Workspace.give(col);
        }
        if (needX) {
          // dcol (ckk x ld) = W_gᵀ (ckk x og) . gP_g (og x ld), then folded back image by image.
          float[] dcol = Workspace.take(ckk * ld);
          Gemm.sgemm(true, false, ckk, ld, og, 1f, wdta, g * og * ckk, ckk, gp, g * og * ld, ld, 0f, dcol, 0, ld);
          final int gg = g, first = i0;
          Parallel.forRange(nb, 1, (s, e) -> {
            for (int i = s; i < e; i++) {
              Im2col.col2im(gxd, ((first + i) * geo.c + gg * geo.cg) * geo.h * geo.w, geo.cg, geo.h, geo.w, geo.kh, geo.kw,
                  geo.stride[0], geo.stride[1], geo.padding[0], geo.padding[1], geo.dilation[0], geo.dilation[1],
                  dcol, i * hw, ld);
            }
          });
          Workspace.give(dcol);
        }
      }
      Workspace.give(gp);
    }
    if (savedCols != null) for (float[] col : savedCols) Workspace.give(col);
    if (smallW) for (int q = 0; q < gwd.length; q++) gwd[q] = (float) gwSmall[q];
    Tensor gx = needX ? Tensor.of(gxd, x.shape()) : null;
    Tensor gw = needW ? Tensor.of(gwd, w.shape()) : null;
    if (b == null) return new Tensor[] {gx, gw};
    Tensor gb = null;
    if (needB) {
      float[] gbd = new float[o];
      for (int oc = 0; oc < o; oc++) gbd[oc] = (float) bsum[oc];
      gb = Tensor.of(gbd, o);
    }
    return new Tensor[] {gx, gw, gb};
  }

  /**
   * The columns of group g for images [i0, i0 + nb): a workspace matrix (ckk, nb·hw) with image
   * i's block at column (i − i0)·hw.
   */
  private static float[] columns(float[] xd, Geo geo, int i0, int nb, int g) {
    int ld = nb * geo.hw;
    float[] col = Workspace.take(geo.ckk * ld);
    Parallel.forRange(nb, 1, (s, e) -> {
      for (int i = s; i < e; i++) {
        Im2col.im2col(xd, ((i0 + i) * geo.c + g * geo.cg) * geo.h * geo.w, geo.cg, geo.h, geo.w, geo.kh, geo.kw,
            geo.stride[0], geo.stride[1], geo.padding[0], geo.padding[1], geo.dilation[0], geo.dilation[1],
            col, i * geo.hw, ld);
      }
    });
    return col;
  }

  /** Convolution geometry; {@code chunk} images share one column matrix (at most colCap floats). */
  private record Geo(int n, int c, int h, int w, int o, int groups, int cg, int kh, int kw, int[] stride, int[] padding,
      int[] dilation, int oh, int ow, int hw, int ckk, int og, int chunk) {
    Geo(int n, int c, int h, int w, int o, int groups, int cg, int kh, int kw, int[] stride, int[] padding, int[] dilation,
        int oh, int ow) {
      this(n, c, h, w, o, groups, cg, kh, kw, stride.clone(), padding.clone(), dilation.clone(), oh, ow, oh * ow,
          cg * kh * kw, o / groups, chunkOf(n, (long) cg * kh * kw * oh * ow, (long) o * oh * ow));
    }

    /** One group with at most ConvKernels.SMALL_K taps: the small-K kernels replace the GEMMs. */
    boolean smallK() {
      return groups == 1 && ckk <= ConvKernels.SMALL_K;
    }

    private static int chunkOf(int n, long colPerImage, long outPerImage) {
      long per = Math.max(1, Math.max(colPerImage, outPerImage));
      return (int) Math.max(1, Math.min(n, colCap / per));
    }
  }

  /**
   * Largest column (or permuted gradient) matrix, in floats (256 MiB), before the batch is split
   * into chunks of images; tests lower it to exercise the chunked path.
   */
  static volatile long colCap = 1L << 26;

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
