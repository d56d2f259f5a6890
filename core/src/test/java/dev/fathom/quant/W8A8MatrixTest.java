package dev.fathom.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** W8A8 products: per-token activation codes, outlier columns kept in float. */
class W8A8MatrixTest {
  private static float[] gaussian(SplittableRandom r, int n, double sd) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) (sd * r.nextGaussian());
    return a;
  }

  /** Inputs (batch, in) with the listed columns scaled by {@code factor}. */
  private static float[] withOutliers(SplittableRandom r, int batch, int in, int[] cols, float factor) {
    float[] x = gaussian(r, batch * in, 1);
    for (int t = 0; t < batch; t++) for (int c : cols) x[t * in + c] *= factor;
    return x;
  }

  private static double sqErr(float[] y, double[] ref) {
    double e = 0;
    for (int i = 0; i < y.length; i++) e += (y[i] - ref[i]) * (y[i] - ref[i]);
    return e;
  }

  private static double[] floatProduct(float[] w, float[] x, int rows, int in, int batch) {
    double[] y = new double[batch * rows];
    for (int t = 0; t < batch; t++) for (int o = 0; o < rows; o++) {
      double s = 0;
      for (int i = 0; i < in; i++) s += (double) w[o * in + i] * x[t * in + i];
      y[t * rows + o] = s;
    }
    return y;
  }

  @Test
  void perTokenCodesDequantizeWithinHalfAStep() {
    SplittableRandom r = new SplittableRandom(3);
    float[] x = gaussian(r, 3 * 37, 2);
    Int8Activations a = Int8Activations.quantize(x, 0, 37, 3, 37, new int[0]);
    float[] back = a.dequantize(new int[0]);
    for (int t = 0; t < 3; t++) {
      float max = 0;
      for (int i = 0; i < 37; i++) max = Math.max(max, Math.abs(x[t * 37 + i]));
      assertThat(a.scales()[t]).isEqualTo(max / 127f);
      for (int i = 0; i < 37; i++) assertThat(Math.abs(back[t * 37 + i] - x[t * 37 + i])).isLessThanOrEqualTo(a.scales()[t] / 2 * 1.0001f);
    }
  }

  @Test
  void w8a8EqualsFloatMathOnTheDequantizedValues() {
    SplittableRandom r = new SplittableRandom(4);
    int rows = 11, in = 300, batch = 5;
    float[] w = gaussian(r, rows * in, 0.05), x = gaussian(r, batch * in, 1), bias = gaussian(r, rows, 1);
    for (int[] cols : new int[][] {{}, {0, 17, 299}}) {
      W8A8Matrix m = W8A8Matrix.quantize(w, rows, in, cols);
      float[] wq = new float[rows * in];
      m.dequantizeInto(wq, 0);
      float[] xq = m.quantizeInputs(x, 0, in, batch).dequantize(cols);
      double[] ref = floatProduct(wq, xq, rows, in, batch);
      float[] y = new float[batch * rows];
      m.apply(x, batch, bias, y, false);
      for (int i = 0; i < y.length; i++) {
        double want = ref[i] + bias[i % rows];
        assertThat((double) y[i]).as("cols=%d i=%d", cols.length, i).isCloseTo(want, org.assertj.core.data.Offset.offset(1e-5 * (1 + Math.abs(want))));
      }
    }
  }

  @Test
  void outlierDecompositionBeatsPlainW8A8AndIsExactOnTheOutlierColumns() {
    SplittableRandom r = new SplittableRandom(5);
    int rows = 16, in = 256, batch = 8;
    int[] cols = {3, 100, 200};
    float[] w = gaussian(r, rows * in, 0.05), x = withOutliers(r, batch, in, cols, 40f);
    double[] ref = floatProduct(w, x, rows, in, batch);
    float[] plain = new float[batch * rows], dec = new float[batch * rows];
    W8A8Matrix.quantize(w, rows, in, new int[0]).apply(x, batch, null, plain, false);
    W8A8Matrix m = W8A8Matrix.quantize(w, rows, in, cols);
    m.apply(x, batch, null, dec, false);
    assertThat(sqErr(dec, ref)).isLessThan(0.1 * sqErr(plain, ref));
    // only the outlier columns non-zero: the int8 part vanishes and the float part is Σ x·W in order
    float[] xo = new float[batch * in];
    for (int t = 0; t < batch; t++) for (int c : cols) xo[t * in + c] = x[t * in + c];
    float[] y = new float[batch * rows];
    m.apply(xo, batch, null, y, false);
    for (int t = 0; t < batch; t++) for (int o = 0; o < rows; o++) {
      float f = 0f;
      for (int c : cols) f += x[t * in + c] * w[o * in + c];
      assertThat(y[t * rows + o]).isEqualTo(f);
    }
  }

  @Test
  void badOutlierColumnsAndShapesAreRefused() {
    float[] w = new float[4 * 8];
    assertThatThrownBy(() -> W8A8Matrix.quantize(w, 4, 8, new int[] {3, 3})).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("strictly increasing");
    assertThatThrownBy(() -> W8A8Matrix.quantize(w, 4, 8, new int[] {8})).hasMessageContaining("[0, 8)");
    QuantizedMatrix q8 = QuantizedMatrix.quantize(QuantFormat.Q8_0, new float[4 * 32], 0, 4, 32);
    assertThatThrownBy(() -> new W8A8Matrix(q8, new int[0], new float[0])).hasMessageContaining("expected an int8");
    QuantizedMatrix i8 = QuantizedMatrix.quantize(QuantFormat.INT8, w, 0, 4, 8);
    assertThatThrownBy(() -> new W8A8Matrix(i8, new int[] {1}, new float[3])).hasMessageContaining("expected 4 outlier weights");
    assertThatThrownBy(() -> new W8A8Matrix(i8, new int[] {1}, new float[] {0, 0, Float.NaN, 0})).hasMessageContaining("not finite");
  }
}
