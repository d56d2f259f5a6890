package dev.fathom.quant;

import dev.fathom.kernel.Int8Kernels;
import dev.fathom.kernel.Parallel;
import java.util.Arrays;
import java.util.Objects;

/**
 * A linear layer's weight W (out, in) for W8A8 inference: int8 codes per output channel (the
 * {@link QuantFormat#INT8} matrix) multiplied with int8 activations quantized per token, plus an
 * optional LLM.int8-style outlier decomposition (Dettmers et al. 2022):
 * <pre>
 *   y_ro = s_r · w_o · Σ_{i ∉ O} q_ri · c_oi  +  Σ_{j ∈ O} x_rj · W_oj  (+ b_o)
 * </pre>
 * where O is a fixed set of outlier input columns whose weights are kept in float32 and whose
 * activations are never rounded; their codes in the int8 matrix are 0 and they are left out of
 * both the per-token activation scale s_r and the per-channel weight scale w_o. With O empty it is
 * plain W8A8 (SmoothQuant's arithmetic, Xiao et al. 2023, after the smoothing is folded in).
 */
public final class W8A8Matrix {
  private final QuantizedMatrix w;
  private final int[] outlierCols;
  private final float[] outlierWeights;

  /**
   * @param w the int8 matrix (codes 0 on the outlier columns)
   * @param outlierCols strictly increasing columns in [0, in) kept in float
   * @param outlierWeights (out, k) row-major: W[o, outlierCols[j]]
   * @throws IllegalArgumentException if w is not int8, a column is out of range or out of order,
   *     the float weights have the wrong length or are not finite
   */
  public W8A8Matrix(QuantizedMatrix w, int[] outlierCols, float[] outlierWeights) {
    this.w = Objects.requireNonNull(w, "w");
    if (w.format() != QuantFormat.INT8) throw new IllegalArgumentException("W8A8: expected an int8 weight matrix, got " + w.format());
    if (w.cols() > Int8Kernels.MAX_IN) throw new IllegalArgumentException("W8A8: in-features above " + Int8Kernels.MAX_IN + ", got " + w.cols());
    checkColumns(outlierCols, w.cols());
    if (outlierWeights.length != (long) w.rows() * outlierCols.length) {
      throw new IllegalArgumentException("W8A8: expected " + (long) w.rows() * outlierCols.length + " outlier weights (" + w.rows() + " x "
          + outlierCols.length + "), got " + outlierWeights.length);
    }
    for (float v : outlierWeights) if (!Float.isFinite(v)) throw new IllegalArgumentException("W8A8: outlier weight " + v + " is not finite");
    this.outlierCols = outlierCols.clone();
    this.outlierWeights = outlierWeights.clone();
  }

  /**
   * Quantizes float weights: the outlier columns are kept in float, the rest rounds to nearest on
   * an int8 grid per output channel (scale max|W_oi|/127 over the non-outlier columns).
   *
   * @param w (rows, cols) row-major
   */
  public static W8A8Matrix quantize(float[] w, int rows, int cols, int[] outlierCols) {
    checkColumns(outlierCols, cols);
    float[] rest = Arrays.copyOf(w, rows * cols);
    int k = outlierCols.length;
    float[] kept = new float[rows * k];
    for (int o = 0; o < rows; o++) {
      for (int j = 0; j < k; j++) {
        kept[o * k + j] = w[o * cols + outlierCols[j]];
        rest[o * cols + outlierCols[j]] = 0f;
      }
    }
    return new W8A8Matrix(QuantizedMatrix.quantize(QuantFormat.INT8, rest, 0, rows, cols), outlierCols, kept);
  }

  /** @throws IllegalArgumentException unless cols are strictly increasing in [0, n) */
  public static void checkColumns(int[] cols, int n) {
    for (int j = 0; j < cols.length; j++) {
      if (cols[j] < 0 || cols[j] >= n || (j > 0 && cols[j] <= cols[j - 1])) {
        throw new IllegalArgumentException("outlier columns: expected strictly increasing indices in [0, " + n + "), got " + cols[j]
            + " at position " + j);
      }
    }
  }

  /** The int8 matrix (codes 0 on the outlier columns). */
  public QuantizedMatrix int8() {
    return w;
  }

  /** The outlier columns kept in float (a copy). */
  public int[] outlierColumns() {
    return outlierCols.clone();
  }

  /** W[o, outlierCols[j]] as (rows, k) row-major (a copy). */
  public float[] outlierWeights() {
    return outlierWeights.clone();
  }

  public int rows() {
    return w.rows();
  }

  public int cols() {
    return w.cols();
  }

  /** The weights the arithmetic uses, as floats: int8 dequantized, the outlier columns' float values. */
  public void dequantizeInto(float[] out, int off) {
    w.dequantizeInto(out, off);
    int k = outlierCols.length, in = w.cols();
    for (int o = 0; o < w.rows(); o++) for (int j = 0; j < k; j++) out[off + o * in + outlierCols[j]] = outlierWeights[o * k + j];
  }

  /** Rows r in [0, batch) of x quantized per token for this matrix. */
  public Int8Activations quantizeInputs(float[] x, int xOff, int xStride, int batch) {
    return Int8Activations.quantize(x, xOff, xStride, batch, w.cols(), outlierCols);
  }

  /**
   * y = W·x (+ bias) for outputs o in [o0, o1) and all rows of {@code a}:
   * {@code y[yOff + r·yStride + o] (+)= int8 part + outlier part + bias[bOff + o]}. Single-threaded.
   */
  public void rows(Int8Activations a, float[] bias, int bOff, float[] y, int yOff, int yStride, int o0, int o1, boolean accumulate) {
    if (a.cols() != w.cols()) throw new IllegalArgumentException("W8A8: expected inputs of " + w.cols() + " features, got " + a.cols());
    if (o0 < 0 || o1 > w.rows() || o0 > o1) throw new IndexOutOfBoundsException("rows [" + o0 + ", " + o1 + ") of " + w.rows());
    int k = outlierCols.length;
    if (k == 0) {
      Int8Kernels.w8a8(a.codes(), a.scales(), a.batch(), w.q, w.scales, w.cols(), bias, bOff, y, yOff, yStride, o0, o1, accumulate);
      return;
    }
    float[] xo = a.outliers();
    for (int o = o0; o < o1; o++) {
      for (int r = 0; r < a.batch(); r++) {
        float v = Int8Kernels.dot(a.codes(), r * w.cols(), w.q, o * w.cols(), w.cols()) * (a.scales()[r] * w.scales[o]);
        float f = 0f;
        for (int j = 0; j < k; j++) f += xo[r * k + j] * outlierWeights[o * k + j];
        v += f;
        if (bias != null) v += bias[bOff + o];
        int yi = yOff + r * yStride + o;
        y[yi] = accumulate ? y[yi] + v : v;
      }
    }
  }

  /** As {@link #rows(Int8Activations, float[], int, float[], int, int, int, int, boolean)}, quantizing x (rows at xOff + r·xStride) first. */
  public void rows(float[] x, int xOff, int xStride, int batch, float[] bias, int bOff, float[] y, int yOff, int yStride, int o0, int o1,
      boolean accumulate) {
    rows(quantizeInputs(x, xOff, xStride, batch), bias, bOff, y, yOff, yStride, o0, o1, accumulate);
  }

  /** out (batch, rows) (+)= W·x + bias for x (batch, cols) row-major: quantized once, the outputs split over the shared pool. */
  public void apply(float[] x, int batch, float[] bias, float[] out, boolean accumulate) {
    Int8Activations a = quantizeInputs(x, 0, w.cols(), batch);
    Parallel.forRange(w.rows(), 16, (s, e) -> rows(a, bias, 0, out, 0, w.rows(), s, e, accumulate));
  }

  @Override
  public String toString() {
    return "W8A8Matrix[(" + rows() + ", " + cols() + "), " + outlierCols.length + " float columns]";
  }
}
