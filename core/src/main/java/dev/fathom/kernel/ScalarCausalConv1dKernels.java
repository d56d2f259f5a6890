package dev.fathom.kernel;

/**
 * Scalar twin of {@link CausalConv1dKernels}: the same float operations in the same order, one
 * element at a time, so the two agree bitwise. Also home of the argument checks both share, and
 * of the one-step form {@link #step} a decoder uses (the vector class delegates to it).
 *
 * <pre>
 * y[b,t,c]  = bias[c] + Σ_{j=0}^{K−1} w[c,j]·x[b, t−(K−1)+j, c]        (x at negative t = 0)
 * gx[b,t,c] = Σ_j w[c,j]·gy[b, t+(K−1)−j, c]                          (gy at t ≥ T = 0)
 * gw[c,j]   = Σ_{b,t} gy[b,t,c]·x[b, t−(K−1)+j, c],   gb[c] = Σ_{b,t} gy[b,t,c]
 * </pre>
 *
 * <p>Order of operations (the contract with the vector kernel): y and gx start from the bias
 * (or 0) and add the taps with {@code Math.fma} in ascending j, skipping taps outside the
 * sequence; gw and gb are summed in double over b, then t ascending, and rounded to float once.
 */
public final class ScalarCausalConv1dKernels {
  private ScalarCausalConv1dKernels() {}

  /** Forward; see {@link CausalConv1dKernels#forward}. */
  public static void forward(float[] x, int batch, int time, int channels, float[] weight, int kernelSize,
      float[] biasOrNull, float[] y) {
    checkForward("causalConv1d forward", x, batch, time, channels, weight, kernelSize, biasOrNull, y);
    int k = kernelSize, c = channels;
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < time; t++) {
        int row = (b * time + t) * c, first = Math.max(0, k - 1 - t);
        for (int ch = 0; ch < c; ch++) {
          float acc = biasOrNull == null ? 0f : biasOrNull[ch];
          for (int j = first; j < k; j++) {
            acc = Math.fma(weight[ch * k + j], x[row + (j - (k - 1)) * c + ch], acc);
          }
          y[row + ch] = acc;
        }
      }
    }
  }

  /** Backward; see {@link CausalConv1dKernels#backward}. */
  public static void backward(float[] gy, float[] x, int batch, int time, int channels, float[] weight, int kernelSize,
      float[] gxOrNull, float[] gwOrNull, float[] gbOrNull) {
    checkBackward("causalConv1d backward", gy, x, batch, time, channels, weight, kernelSize, gxOrNull, gwOrNull,
        gbOrNull);
    int k = kernelSize, c = channels;
    if (gxOrNull != null) {
      for (int b = 0; b < batch; b++) {
        for (int t = 0; t < time; t++) {
          int row = (b * time + t) * c, first = Math.max(0, t + k - time);
          for (int ch = 0; ch < c; ch++) {
            float acc = 0f;
            for (int j = first; j < k; j++) {
              acc = Math.fma(weight[ch * k + j], gy[row + (k - 1 - j) * c + ch], acc);
            }
            gxOrNull[row + ch] = acc;
          }
        }
      }
    }
    for (int ch = 0; ch < c; ch++) {
      if (gwOrNull != null) {
        for (int j = 0; j < k; j++) {
          double s = 0;
          for (int b = 0; b < batch; b++) {
            for (int t = Math.max(0, k - 1 - j); t < time; t++) {
              int row = (b * time + t) * c;
              s += (double) gy[row + ch] * x[row + (j - (k - 1)) * c + ch];
            }
          }
          gwOrNull[ch * k + j] = (float) s;
        }
      }
      if (gbOrNull != null) {
        double s = 0;
        for (int b = 0; b < batch; b++) {
          for (int t = 0; t < time; t++) s += gy[(b * time + t) * c + ch];
        }
        gbOrNull[ch] = (float) s;
      }
    }
  }

  /** One time step for a decoder; see {@link CausalConv1dKernels#step}. */
  public static void step(float[] weight, float[] biasOrNull, int channels, int kernelSize, float[] ring, int ringOff,
      int time, int c0, int c1, float[] out, int outOff) {
    checkStep(weight, biasOrNull, channels, kernelSize, ring, ringOff, time, c0, c1, out, outOff);
    int k = kernelSize, first = Math.max(0, k - 1 - time);
    for (int ch = c0; ch < c1; ch++) {
      float acc = biasOrNull == null ? 0f : biasOrNull[ch];
      for (int j = first; j < k; j++) {
        int slot = (time - (k - 1) + j) % k;
        acc = Math.fma(weight[ch * k + j], ring[ringOff + slot * channels + ch], acc);
      }
      out[outOff + ch] = acc;
    }
  }

  // ------------------------------------------------------------ argument checks (shared with CausalConv1dKernels)

  static void checkForward(String op, float[] x, int batch, int time, int channels, float[] weight, int kernelSize,
      float[] bias, float[] y) {
    int n = checkDims(op, batch, time, channels, kernelSize);
    need(op, "x", x, n);
    need(op, "y", y, n);
    need(op, "weight", weight, channels * kernelSize);
    if (bias != null) need(op, "bias", bias, channels);
  }

  static void checkBackward(String op, float[] gy, float[] x, int batch, int time, int channels, float[] weight,
      int kernelSize, float[] gx, float[] gw, float[] gb) {
    int n = checkDims(op, batch, time, channels, kernelSize);
    need(op, "gy", gy, n);
    need(op, "x", x, n);
    need(op, "weight", weight, channels * kernelSize);
    if (gx != null) need(op, "gx", gx, n);
    if (gw != null) need(op, "gw", gw, channels * kernelSize);
    if (gb != null) need(op, "gb", gb, channels);
  }

  static void checkStep(float[] weight, float[] bias, int channels, int kernelSize, float[] ring, int ringOff,
      int time, int c0, int c1, float[] out, int outOff) {
    String op = "causalConv1d step";
    checkDims(op, 1, 1, channels, kernelSize);
    if (time < 0) throw new IllegalArgumentException(op + ": expected time >= 0, got " + time);
    if (c0 < 0 || c1 < c0 || c1 > channels) {
      throw new IllegalArgumentException(op + ": expected 0 <= c0 <= c1 <= " + channels + ", got [" + c0 + ", " + c1 + ")");
    }
    if (ringOff < 0 || outOff < 0) {
      throw new IllegalArgumentException(op + ": expected offsets >= 0, got ringOff " + ringOff + ", outOff " + outOff);
    }
    need(op, "weight", weight, channels * kernelSize);
    if (bias != null) need(op, "bias", bias, channels);
    need(op, "ring", ring, ringOff + (long) channels * kernelSize);
    need(op, "out", out, (long) outOff + c1);
  }

  /** Validates the dims and returns batch·time·channels. */
  private static int checkDims(String op, int batch, int time, int channels, int kernelSize) {
    if (batch < 0 || time < 0 || channels < 1 || kernelSize < 1) {
      throw new IllegalArgumentException(op + ": expected batch >= 0, time >= 0, channels >= 1 and kernelSize >= 1, got batch "
          + batch + ", time " + time + ", channels " + channels + ", kernelSize " + kernelSize);
    }
    long n = (long) batch * time * channels;
    if (n > Integer.MAX_VALUE || (long) channels * kernelSize > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(op + ": " + batch + " x " + time + " x " + channels + " (kernel " + kernelSize
          + ") elements do not fit an array");
    }
    return (int) n;
  }

  private static void need(String op, String name, float[] a, long n) {
    if (a == null) throw new IllegalArgumentException(op + ": " + name + " is null, expected length " + n);
    if (a.length < n) {
      throw new IllegalArgumentException(op + ": " + name + " has length " + a.length + ", expected at least " + n);
    }
  }
}
