package dev.fathom.kernel;

/** Scalar twins of {@link ConvKernels}: same contracts, plain loops, single-threaded. */
public final class ScalarConvKernels {
  private ScalarConvKernels() {}

  /** Twin of {@link ConvKernels#addChannelBias}. */
  public static void addChannelBias(float[] y, int n, int c, int l, float[] bias) {
    ConvKernels.check(y.length, n, c, l, "y");
    for (int p = 0; p < n * c; p++) {
      float v = bias[p % c];
      for (int q = p * l; q < (p + 1) * l; q++) y[q] += v;
    }
  }

  /** Twin of {@link ConvKernels#toChannelMajor}; sums in double element by element. */
  public static void toChannelMajor(float[] src, int srcOff, int n, int c, int l, float[] dst, double[] sums) {
    ConvKernels.check(src.length - srcOff, n, c, l, "src");
    ConvKernels.check(dst.length, n, c, l, "dst");
    for (int ch = 0; ch < c; ch++) {
      double s = 0;
      for (int i = 0; i < n; i++) {
        for (int q = 0; q < l; q++) {
          float v = src[srcOff + (i * c + ch) * l + q];
          dst[(ch * n + i) * l + q] = v;
          s += v;
        }
      }
      if (sums != null) sums[ch] = s;
    }
  }

  /** Twin of {@link ConvKernels#smallKForward}: the same fused multiply-adds in the same order. */
  public static void smallKForward(float[] col, int ld, int n, int hw, int k, float[] w, int o, float[] biasOrNull,
      float[] out, int outOff) {
    ConvKernels.checkSmallK(col, ld, n, hw, k, w, o);
    ConvKernels.check(out.length - outOff, n, o, hw, "out");
    for (int i = 0; i < n; i++) {
      for (int oc = 0; oc < o; oc++) {
        for (int p = 0; p < hw; p++) {
          float acc = biasOrNull == null ? 0f : biasOrNull[oc];
          for (int t = 0; t < k; t++) acc = Math.fma(col[t * ld + i * hw + p], w[oc * k + t], acc);
          out[outOff + (i * o + oc) * hw + p] = acc;
        }
      }
    }
  }

  /** Twin of {@link ConvKernels#smallKWeightGrad}: sums in double, element by element. */
  public static void smallKWeightGrad(float[] g, int gOff, float[] col, int ld, int n, int hw, int k, int o,
      double[] gw, double[] gbOrNull) {
    ConvKernels.checkSmallK(col, ld, n, hw, k, null, o);
    ConvKernels.check(g.length - gOff, n, o, hw, "g");
    for (int oc = 0; oc < o; oc++) {
      for (int i = 0; i < n; i++) {
        int src = gOff + (i * o + oc) * hw;
        for (int t = 0; t < k; t++) {
          double s = 0;
          for (int p = 0; p < hw; p++) s += (double) g[src + p] * col[t * ld + i * hw + p];
          gw[oc * k + t] += s;
        }
        if (gbOrNull != null) {
          double s = 0;
          for (int p = 0; p < hw; p++) s += g[src + p];
          gbOrNull[oc] += s;
        }
      }
    }
  }
}
