package dev.fathom.quant;

/**
 * A batch of activation rows quantized per token for a {@link W8A8Matrix}: row r is
 * {@code scales[r] · codes[r·cols + i]} on the int8 columns, and {@code outliers[r·k + j]} (float,
 * unrounded) on the matrix's j-th outlier column, whose code is 0.
 *
 * @param batch rows (tokens)
 * @param cols input features
 * @param codes (batch, cols) int8 codes in [−127, 127], row-major
 * @param scales (batch) per-token scales, max|x_i|/127 over the int8 columns (0 for an all-zero row)
 * @param outliers (batch, k) the float values of the k outlier columns
 */
public record Int8Activations(int batch, int cols, byte[] codes, float[] scales, float[] outliers) {
  public Int8Activations {
    if (batch < 0 || cols < 1 || codes.length != (long) batch * cols || scales.length != batch || outliers.length % Math.max(1, batch) != 0) {
      throw new IllegalArgumentException("Int8Activations: expected " + batch + "x" + cols + " codes and " + batch + " scales, got "
          + codes.length + " and " + scales.length);
    }
  }

  /**
   * Quantizes rows r in [0, batch) of x ({@code x[xOff + r·xStride + i]}) per token:
   * s_r = max_i |x_ri| / 127 over the columns not in {@code outlierCols}, q_ri = round(x_ri / s_r)
   * (0 on the outlier columns, whose float values are kept aside).
   *
   * @param outlierCols strictly increasing column indices kept in float (may be empty)
   */
  public static Int8Activations quantize(float[] x, int xOff, int xStride, int batch, int cols, int[] outlierCols) {
    byte[] codes = new byte[batch * cols];
    float[] scales = new float[batch];
    int k = outlierCols.length;
    float[] out = new float[batch * k];
    for (int r = 0; r < batch; r++) {
      int xb = xOff + r * xStride, qb = r * cols;
      for (int j = 0; j < k; j++) out[r * k + j] = x[xb + outlierCols[j]];
      float max = 0f;
      for (int i = 0, j = 0; i < cols; i++) {
        if (j < k && outlierCols[j] == i) {
          j++;
          continue;
        }
        max = Math.max(max, Math.abs(x[xb + i]));
      }
      float s = max / 127f;
      scales[r] = s;
      if (s == 0f) continue;
      for (int i = 0, j = 0; i < cols; i++) {
        if (j < k && outlierCols[j] == i) {
          j++;
          continue;
        }
        codes[qb + i] = (byte) Math.max(-127, Math.min(127, Math.round(x[xb + i] / s)));
      }
    }
    return new Int8Activations(batch, cols, codes, scales, out);
  }

  /** The dequantized rows (batch, cols) the int8 arithmetic computes with: s_r·q_ri, and the float value on outlier columns. */
  public float[] dequantize(int[] outlierCols) {
    float[] x = new float[batch * cols];
    int k = outlierCols.length;
    for (int r = 0; r < batch; r++) {
      for (int i = 0; i < cols; i++) x[r * cols + i] = scales[r] * codes[r * cols + i];
      for (int j = 0; j < k; j++) x[r * cols + outlierCols[j]] = outliers[r * k + j];
    }
    return x;
  }
}
