package dev.fathom.kernel;

/**
 * Scalar twins of {@link QuantKernels}: each weight decoded on its own and multiplied in, block
 * sums scaled once per block, in index order. The reference the vector kernels are tested against.
 */
final class ScalarQuantKernels {
  private ScalarQuantKernels() {}

  /** W[o, ·] · x[xb, ·] for one row and one input. */
  @FunctionalInterface
  private interface RowDot {
    float dot(int o, int xb);
  }

  static void q8_0(byte[] q, float[] s, int in, float[] x, int xOff, int xStride, int batch, float[] bias, int bOff, float[] y,
      int yOff, int yStride, int o0, int o1, boolean accumulate) {
    each(xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate, (o, xb) -> {
      float t = 0f;
      for (int b = 0; b < in / 32; b++) {
        float p = 0f;
        for (int j = 0; j < 32; j++) p += q[o * in + b * 32 + j] * x[xb + b * 32 + j];
        t += s[o * (in / 32) + b] * p;
      }
      return t;
    });
  }

  static void q4_0(byte[] q, float[] s, int in, float[] x, int xOff, int xStride, int batch, float[] bias, int bOff, float[] y,
      int yOff, int yStride, int o0, int o1, boolean accumulate) {
    each(xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate, (o, xb) -> {
      float t = 0f;
      for (int b = 0; b < in / 32; b++) {
        float p = 0f;
        for (int j = 0; j < 16; j++) {
          int v = q[o * (in / 2) + b * 16 + j];
          p += ((v & 0x0F) - 8) * x[xb + b * 32 + j] + (((v >> 4) & 0x0F) - 8) * x[xb + b * 32 + 16 + j];
        }
        t += s[o * (in / 32) + b] * p;
      }
      return t;
    });
  }

  static void int8(byte[] q, float[] s, int in, float[] x, int xOff, int xStride, int batch, float[] bias, int bOff, float[] y,
      int yOff, int yStride, int o0, int o1, boolean accumulate) {
    each(xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate, (o, xb) -> {
      float t = 0f;
      for (int i = 0; i < in; i++) t += q[o * in + i] * x[xb + i];
      return s[o] * t;
    });
  }

  static void int4g128(byte[] q, float[] s, byte[] z, int in, float[] x, int xOff, int xStride, int batch, float[] bias, int bOff,
      float[] y, int yOff, int yStride, int o0, int o1, boolean accumulate) {
    int ng = (in + 127) / 128;  // the last group holds in mod 128 weights when 128 does not divide in
    each(xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate, (o, xb) -> {
      float t = 0f;
      int qo = o * ((in + 1) / 2);
      for (int g = 0; g < ng; g++) {
        int zero = z[o * ng + g], n = Math.min(128, in - g * 128), h = (n + 1) / 2;
        float p = 0f;
        for (int j = 0; j < h; j++) {
          int v = q[qo + j];
          p += ((v & 0x0F) - zero) * x[xb + g * 128 + j];
          if (j + h < n) p += (((v >> 4) & 0x0F) - zero) * x[xb + g * 128 + h + j];
        }
        t += s[o * ng + g] * p;
        qo += h;
      }
      return t;
    });
  }

  /** {@code y[yOff + r·yStride + o] (+)= bias[bOff + o] + dot(o, xOff + r·xStride)} for o in [o0, o1), r in [0, batch). */
  private static void each(int xOff, int xStride, int batch, float[] bias, int bOff, float[] y, int yOff, int yStride, int o0, int o1,
      boolean accumulate, RowDot dot) {
    for (int o = o0; o < o1; o++) {
      for (int r = 0; r < batch; r++) {
        float t = dot.dot(o, xOff + r * xStride);
        if (bias != null) t += bias[bOff + o];
        int yi = yOff + r * yStride + o;
        y[yi] = accumulate ? y[yi] + t : t;
      }
    }
  }
}
