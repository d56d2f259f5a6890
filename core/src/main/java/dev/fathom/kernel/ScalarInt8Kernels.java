package dev.fathom.kernel;

/** Scalar twins of {@link Int8Kernels}: one product at a time, summed in index order in int32. */
final class ScalarInt8Kernels {
  private ScalarInt8Kernels() {}

  static int dot(byte[] a, int aOff, byte[] b, int bOff, int n) {
    int t = 0;
    for (int i = 0; i < n; i++) t += a[aOff + i] * b[bOff + i];
    return t;
  }

  /** Σ a·b over n codes. */
  @FunctionalInterface
  interface Dot {
    int dot(byte[] a, int aOff, byte[] b, int bOff, int n);
  }

  static void w8a8(byte[] qx, float[] sx, int batch, byte[] qw, float[] sw, int in, float[] bias, int bOff, float[] y, int yOff,
      int yStride, int o0, int o1, boolean accumulate) {
    rows(ScalarInt8Kernels::dot, qx, sx, batch, qw, sw, in, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
  }

  /** The W8A8 row loop of both twins, over the given dot product: one float rescale per (token, output). */
  static void rows(Dot dot, byte[] qx, float[] sx, int batch, byte[] qw, float[] sw, int in, float[] bias, int bOff, float[] y, int yOff,
      int yStride, int o0, int o1, boolean accumulate) {
    for (int o = o0; o < o1; o++) {
      for (int r = 0; r < batch; r++) {
        float v = dot.dot(qx, r * in, qw, o * in, in) * (sx[r] * sw[o]);
        if (bias != null) v += bias[bOff + o];
        int yi = yOff + r * yStride + o;
        y[yi] = accumulate ? y[yi] + v : v;
      }
    }
  }
}
