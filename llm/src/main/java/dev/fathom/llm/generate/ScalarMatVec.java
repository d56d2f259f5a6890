package dev.fathom.llm.generate;

/** Scalar twins of {@link MatVec}: the plain loops its vector kernels are tested against. */
final class ScalarMatVec {
  private ScalarMatVec() {}

  /** As {@link MatVec#rows}, one multiply-add at a time in index order. */
  static void rows(float[] w, int wOff, int in, float[] bias, int bOff, float[] x, int xOff, int xStride, int batch,
      float[] y, int yOff, int yStride, int o0, int o1, boolean accumulate) {
    for (int o = o0; o < o1; o++) {
      for (int r = 0; r < batch; r++) {
        float s = dot(w, wOff + o * in, x, xOff + r * xStride, in);
        if (bias != null) s += bias[bOff + o];
        int yi = yOff + r * yStride + o;
        y[yi] = accumulate ? y[yi] + s : s;
      }
    }
  }

  static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    float s = 0f;
    for (int i = 0; i < n; i++) s += a[aOff + i] * b[bOff + i];
    return s;
  }

  static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
    for (int i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
  }
}
