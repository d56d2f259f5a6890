package dev.fathom.kernel;

/**
 * Scalar twins of {@link NormKernels}: the reference for parity tests and the path taken when
 * {@code fathom.kernels=scalar}. Single-threaded; every sum is accumulated in double in index
 * order (rows in order for the weight and bias gradients). The element-wise steps are the same
 * float operations in the same order as the vector kernels, so the two paths differ only where a
 * double sum rounds differently.
 */
public final class ScalarNormKernels {
  private ScalarNormKernels() {}

  /** Layer normalization of each row; see {@link NormKernels#layerNormForward}. */
  public static void layerNormForward(float[] x, int rows, int cols, float[] weightOrNull, float[] biasOrNull,
      double eps, float[] y, float[] mean, float[] rstd) {
    checkForward("layerNormForward", x, rows, cols, weightOrNull, biasOrNull, y, mean, rstd);
    float[] w = weightOrNull, b = biasOrNull;
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      double s = 0;
      for (int j = 0; j < cols; j++) s += x[base + j];
      double mu = s / cols;
      double ss = 0;
      for (int j = 0; j < cols; j++) {
        double d = x[base + j] - mu;
        ss += d * d;
      }
      float m = (float) mu;
      float rs = (float) (1 / Math.sqrt(ss / cols + eps));
      mean[r] = m;
      rstd[r] = rs;
      for (int j = 0; j < cols; j++) {
        float v = (x[base + j] - m) * rs;
        if (w != null) v *= w[j];
        if (b != null) v += b[j];
        y[base + j] = v;
      }
    }
  }

  /** Gradients of {@link #layerNormForward}; see {@link NormKernels#layerNormBackward}. */
  public static void layerNormBackward(float[] g, float[] x, int rows, int cols, float[] weightOrNull,
      float[] mean, float[] rstd, float[] gxOrNull, float[] gwOrNull, float[] gbOrNull) {
    checkBackward("layerNormBackward", g, x, rows, cols, weightOrNull, mean, rstd, gxOrNull, gwOrNull, gbOrNull);
    float[] w = weightOrNull, gx = gxOrNull;
    double[] dw = gwOrNull == null ? null : new double[cols];
    double[] db = gbOrNull == null ? null : new double[cols];
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      float m = mean[r], rs = rstd[r];
      double sg = 0, sgx = 0;
      for (int j = 0; j < cols; j++) {
        float gv = g[base + j];
        float xh = (x[base + j] - m) * rs;
        float gh = w == null ? gv : gv * w[j];
        sg += gh;
        sgx += (double) gh * xh;
        if (dw != null) dw[j] += (double) gv * xh;
        if (db != null) db[j] += gv;
      }
      if (gx == null) continue;
      float a = (float) (sg / cols), c = (float) (sgx / cols);
      for (int j = 0; j < cols; j++) {
        float gv = g[base + j];
        float xh = (x[base + j] - m) * rs;
        float gh = w == null ? gv : gv * w[j];
        gx[base + j] = (gh - a - xh * c) * rs;
      }
    }
    store(dw, gwOrNull);
    store(db, gbOrNull);
  }

  /** RMS normalization of each row; see {@link NormKernels#rmsNormForward}. */
  public static void rmsNormForward(float[] x, int rows, int cols, float[] weightOrNull, double eps, float[] y,
      float[] rstd) {
    checkForward("rmsNormForward", x, rows, cols, weightOrNull, null, y, null, rstd);
    float[] w = weightOrNull;
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      double ss = 0;
      for (int j = 0; j < cols; j++) ss += (double) x[base + j] * x[base + j];
      float rs = (float) (1 / Math.sqrt(ss / cols + eps));
      rstd[r] = rs;
      for (int j = 0; j < cols; j++) {
        float v = x[base + j] * rs;
        y[base + j] = w == null ? v : v * w[j];
      }
    }
  }

  /** Gradients of {@link #rmsNormForward}; see {@link NormKernels#rmsNormBackward}. */
  public static void rmsNormBackward(float[] g, float[] x, int rows, int cols, float[] weightOrNull, float[] rstd,
      float[] gxOrNull, float[] gwOrNull) {
    checkBackward("rmsNormBackward", g, x, rows, cols, weightOrNull, null, rstd, gxOrNull, gwOrNull, null);
    float[] w = weightOrNull, gx = gxOrNull;
    double[] dw = gwOrNull == null ? null : new double[cols];
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      float rs = rstd[r];
      double s = 0;
      for (int j = 0; j < cols; j++) {
        float gv = g[base + j], xv = x[base + j];
        float gh = w == null ? gv : gv * w[j];
        s += (double) gh * xv;
        if (dw != null) dw[j] += (double) gv * xv * rs;
      }
      if (gx == null) continue;
      float k = (float) ((double) rs * rs * rs * s / cols);
      for (int j = 0; j < cols; j++) {
        float gv = g[base + j];
        float gh = w == null ? gv : gv * w[j];
        gx[base + j] = gh * rs - x[base + j] * k;
      }
    }
    store(dw, gwOrNull);
  }

  private static void store(double[] acc, float[] out) {
    if (acc == null) return;
    for (int j = 0; j < acc.length; j++) out[j] = (float) acc[j];
  }

  // ------------------------------------------------------------ argument checks (shared with NormKernels)

  static void checkForward(String op, float[] x, int rows, int cols, float[] w, float[] b, float[] y, float[] mean,
      float[] rstd) {
    checkDims(op, rows, cols);
    int n = rows * cols;
    need(op, "x", x, n);
    need(op, "y", y, n);
    if (w != null) need(op, "weight", w, cols);
    if (b != null) need(op, "bias", b, cols);
    if (mean != null || op.startsWith("layerNorm")) need(op, "mean", mean, rows);
    need(op, "rstd", rstd, rows);
  }

  static void checkBackward(String op, float[] g, float[] x, int rows, int cols, float[] w, float[] mean,
      float[] rstd, float[] gx, float[] gw, float[] gb) {
    checkDims(op, rows, cols);
    int n = rows * cols;
    need(op, "g", g, n);
    need(op, "x", x, n);
    if (w != null) need(op, "weight", w, cols);
    if (mean != null || op.startsWith("layerNorm")) need(op, "mean", mean, rows);
    need(op, "rstd", rstd, rows);
    if (gx != null) need(op, "gx", gx, n);
    if (gw != null) need(op, "gw", gw, cols);
    if (gb != null) need(op, "gb", gb, cols);
  }

  private static void checkDims(String op, int rows, int cols) {
    if (rows < 0 || cols < 1) {
      throw new IllegalArgumentException(op + ": expected rows >= 0 and cols >= 1, got " + rows + " x " + cols);
    }
    if ((long) rows * cols > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(op + ": " + rows + " x " + cols + " elements do not fit an array");
    }
  }

  private static void need(String op, String name, float[] a, int n) {
    if (a == null) throw new IllegalArgumentException(op + ": " + name + " is null, expected length " + n);
    if (a.length < n) {
      throw new IllegalArgumentException(op + ": " + name + " has length " + a.length + ", expected at least " + n);
    }
  }

  /** Batch normalization forward; see {@link NormKernels#batchNormForward}. Sums in double, element by element. */
  public static void batchNormForward(float[] x, int n, int c, int l, float[] wOrNull, float[] bOrNull, double eps,
      boolean batchStats, double[] mean, double[] var, float[] rstd, float[] y) {
    NormKernels.checkBatchNorm("batchNormForward", x, n, c, l, wOrNull, bOrNull, mean, var, rstd, y);
    for (int ch = 0; ch < c; ch++) {
      if (batchStats) {
        float shiftBy = x[ch * l];
        double s = 0, ss = 0;
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < l; j++) {
            float d = x[(i * c + ch) * l + j] - shiftBy;
            s += d;
            ss += (double) d * d;
          }
        }
        long m = (long) n * l;
        double dm = s / m;
        mean[ch] = shiftBy + dm;
        var[ch] = Math.max(0, ss / m - dm * dm);
      }
      float r = (float) (1 / Math.sqrt(var[ch] + eps));
      rstd[ch] = r;
      float scale = wOrNull == null ? r : wOrNull[ch] * r;
      float shift = (bOrNull == null ? 0f : bOrNull[ch]) - (float) mean[ch] * scale;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < l; j++) {
          int at = (i * c + ch) * l + j;
          y[at] = x[at] * scale + shift;
        }
      }
    }
  }

  /** Batch normalization backward; see {@link NormKernels#batchNormBackward}. Sums in double, element by element. */
  public static void batchNormBackward(float[] g, float[] x, int n, int c, int l, float[] wOrNull, double[] mean,
      float[] rstd, boolean training, float[] gxOrNull, float[] gw, float[] gb) {
    NormKernels.checkBatchNorm("batchNormBackward", x, n, c, l, wOrNull, null, mean, null, rstd, gxOrNull);
    for (int ch = 0; ch < c; ch++) {
      float mu = (float) mean[ch], r = rstd[ch];
      double sg = 0, sgd = 0;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < l; j++) {
          int at = (i * c + ch) * l + j;
          sg += g[at];
          sgd += (double) (g[at] * (x[at] - mu));
        }
      }
      double sgx = sgd * r;
      gw[ch] = (float) sgx;
      gb[ch] = (float) sg;
      if (gxOrNull == null) continue;
      float k = (wOrNull == null ? 1f : wOrNull[ch]) * r;
      long m = (long) n * l;
      float bx = training ? (float) (-k * r * sgx / m) : 0f;
      float cst = training ? (float) (-k * sg / m) : 0f;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < l; j++) {
          int at = (i * c + ch) * l + j;
          gxOrNull[at] = training ? k * g[at] + bx * (x[at] - mu) + cst : k * g[at];
        }
      }
    }
  }
}
