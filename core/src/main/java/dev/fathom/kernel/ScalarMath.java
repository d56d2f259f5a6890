package dev.fathom.kernel;

import java.util.Arrays;
import java.util.Objects;

/**
 * Plain-loop twins of the {@link VecMath} kernels: the reference the vector kernels are tested
 * against, and the path every {@code VecMath} entry point takes when {@link Kernels#scalarOnly()}
 * is set. Same signatures and contracts as {@code VecMath}; single-threaded; transcendental
 * functions come from {@link Math} in double precision, rounded once to float; reductions
 * accumulate in double in index order.
 */
public final class ScalarMath {

  private ScalarMath() {}

  /** {@code out[i] = a[i] + b[i]}. */
  public static void add(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) out[outOff + i] = a[aOff + i] + b[bOff + i];
  }

  /** {@code out[i] = a[i] - b[i]}. */
  public static void sub(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) out[outOff + i] = a[aOff + i] - b[bOff + i];
  }

  /** {@code out[i] = a[i] · b[i]}. */
  public static void mul(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) out[outOff + i] = a[aOff + i] * b[bOff + i];
  }

  /** {@code out[i] = a[i] / b[i]}. */
  public static void div(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) out[outOff + i] = a[aOff + i] / b[bOff + i];
  }

  /** {@code out[i] = a[i] + s}. */
  public static void addScalar(float[] a, int aOff, float s, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) out[outOff + i] = a[aOff + i] + s;
  }

  /** {@code out[i] = a[i] · s}. */
  public static void mulScalar(float[] a, int aOff, float s, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) out[outOff + i] = a[aOff + i] * s;
  }

  /** {@code y[i] += alpha · x[i]} (multiply, then add: no fused multiply-add). */
  public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
    for (int i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
  }

  /** {@code out[i] = x[i] < 0 ? 0 : x[i]} (NaN stays NaN). */
  public static void relu(float[] x, int xOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      float v = x[xOff + i];
      out[outOff + i] = v < 0f ? 0f : v;
    }
  }

  /** {@code dx[i] = x[i] > 0 ? grad[i] : 0}. */
  public static void reluBackward(float[] grad, int gradOff, float[] x, int xOff,
      float[] dx, int dxOff, int n) {
    for (int i = 0; i < n; i++) dx[dxOff + i] = x[xOff + i] > 0f ? grad[gradOff + i] : 0f;
  }

  /** {@code out[i] = e^x[i]}. */
  public static void exp(float[] x, int xOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) out[outOff + i] = (float) Math.exp(x[xOff + i]);
  }

  /** {@code out[i] = 1 / (1 + e^−x[i])}. */
  public static void sigmoid(float[] x, int xOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      double v = x[xOff + i];
      out[outOff + i] = (float) (1.0 / (1.0 + Math.exp(-v)));
    }
  }

  /** {@code out[i] = tanh(x[i])}. */
  public static void tanh(float[] x, int xOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) out[outOff + i] = (float) Math.tanh(x[xOff + i]);
  }

  /** {@code Σ a[i]}, accumulated in double in index order. */
  public static double sum(float[] a, int aOff, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += a[aOff + i];
    return s;
  }

  /** {@code Σ a[i]·b[i]}, products exact in double, accumulated in index order. */
  public static double dot(float[] a, int aOff, float[] b, int bOff, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += (double) a[aOff + i] * b[bOff + i];
    return s;
  }

  /** {@code max a[i]} with {@link Math#max} semantics (NaN wins); −∞ when n = 0. */
  public static float max(float[] a, int aOff, int n) {
    float m = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) m = Math.max(m, a[aOff + i]);
    return m;
  }

  /** Row-wise softmax of a (rows, cols) matrix; see {@link VecMath#softmaxRows}. */
  public static void softmaxRows(float[] x, int xOff, int rows, int cols, float[] out, int outOff) {
    checkRows(x, xOff, rows, cols, out, outOff);
    for (int r = 0; r < rows; r++) {
      int xi = xOff + r * cols, oi = outOff + r * cols;
      float m = max(x, xi, cols);
      double s = 0;
      for (int j = 0; j < cols; j++) {
        double e = Math.exp((double) x[xi + j] - m);
        out[oi + j] = (float) e;
        s += e;
      }
      for (int j = 0; j < cols; j++) out[oi + j] = (float) (out[oi + j] / s);
    }
  }

  /** Row-wise log-softmax of a (rows, cols) matrix; see {@link VecMath#logSoftmaxRows}. */
  public static void logSoftmaxRows(float[] x, int xOff, int rows, int cols,
      float[] out, int outOff) {
    checkRows(x, xOff, rows, cols, out, outOff);
    for (int r = 0; r < rows; r++) {
      int xi = xOff + r * cols, oi = outOff + r * cols;
      float m = max(x, xi, cols);
      double s = 0;
      for (int j = 0; j < cols; j++) s += Math.exp((double) x[xi + j] - m);
      double shift = m + Math.log(s);
      for (int j = 0; j < cols; j++) out[oi + j] = (float) (x[xi + j] - shift);
    }
  }

  /** Fused softmax cross-entropy on logits; see {@link VecMath#crossEntropyRows}. */
  public static void crossEntropyRows(float[] logits, int rows, int cols, int[] targets,
      int ignoreIndex, float labelSmoothing, float[] lossPerRow, float[] gradOrNull) {
    checkCrossEntropy(logits, rows, cols, targets, ignoreIndex, labelSmoothing, lossPerRow,
        gradOrNull);
    double eps = labelSmoothing, uniform = eps / cols;
    for (int r = 0; r < rows; r++) {
      int base = r * cols, t = targets[r];
      if (t == ignoreIndex) {
        lossPerRow[r] = 0f;
        if (gradOrNull != null) Arrays.fill(gradOrNull, base, base + cols, 0f);
        continue;
      }
      float m = max(logits, base, cols);
      double s = 0, sumX = 0;
      for (int j = 0; j < cols; j++) {
        s += Math.exp((double) logits[base + j] - m);
        sumX += logits[base + j];
      }
      double lse = m + Math.log(s);
      lossPerRow[r] = (float) ((1 - eps) * (lse - logits[base + t]) + eps * (lse - sumX / cols));
      if (gradOrNull != null) {
        for (int j = 0; j < cols; j++) {
          double p = Math.exp((double) logits[base + j] - m) / s;
          gradOrNull[base + j] = (float) (p - uniform - (j == t ? 1 - eps : 0));
        }
      }
    }
  }

  static void checkRows(float[] x, int xOff, int rows, int cols, float[] out, int outOff) {
    if (rows < 0 || cols < 1) {
      throw new IllegalArgumentException(
          "expected rows >= 0 and cols >= 1, got " + rows + " x " + cols);
    }
    int n = Math.multiplyExact(rows, cols);
    Objects.checkFromIndexSize(xOff, n, x.length);
    Objects.checkFromIndexSize(outOff, n, out.length);
  }

  static void checkCrossEntropy(float[] logits, int rows, int cols, int[] targets,
      int ignoreIndex, float labelSmoothing, float[] lossPerRow, float[] gradOrNull) {
    checkRows(logits, 0, rows, cols, gradOrNull == null ? logits : gradOrNull, 0);
    if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
      throw new IllegalArgumentException(
          "label smoothing must be in [0, 1], got " + labelSmoothing);
    }
    Objects.checkFromIndexSize(0, rows, targets.length);
    Objects.checkFromIndexSize(0, rows, lossPerRow.length);
    for (int r = 0; r < rows; r++) {
      int t = targets[r];
      if (t != ignoreIndex && (t < 0 || t >= cols)) {
        throw new IllegalArgumentException("cross-entropy: target " + t + " at row " + r
            + " is outside [0, " + cols + ") for " + cols + " classes (ignoreIndex "
            + ignoreIndex + ")");
      }
    }
  }
}
