package dev.fathom.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class QuantizedMatrixTest {

  /** Gaussian weights with a few large outliers, as trained matrices have. */
  private static float[] weights(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] w = new float[n];
    for (int i = 0; i < n; i++) w[i] = (float) (0.02 * gaussian(r) * (r.nextInt(50) == 0 ? 8 : 1));
    return w;
  }

  private static double gaussian(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  @Test
  void q8_0ErrorIsAtMostHalfAStepPerBlock() {
    int rows = 5, cols = 96;
    float[] w = weights(1, rows * cols);
    QuantizedMatrix m = QuantizedMatrix.quantize(QuantFormat.Q8_0, w, 0, rows, cols);
    float[] back = m.dequantize();
    for (int o = 0; o < rows; o++) {
      for (int i = 0; i < cols; i++) {
        float d = m.scale(o, i / 32);
        assertThat(d).as("d = max|x|/127 rounded to fp16").isCloseTo(blockMax(w, o * cols + i / 32 * 32) / 127, relative(1e-3));
        assertThat(Math.abs(w[o * cols + i] - back[o * cols + i])).as("Q8_0 (%d, %d)", o, i).isLessThanOrEqualTo(d / 2 * (1 + 1e-6f));
      }
    }
  }

  @Test
  void q4_0ErrorIsAtMostHalfAStepInsideTheGridAndOneStepAtItsClampedEnd() {
    int rows = 4, cols = 64;
    float[] w = weights(2, rows * cols);
    QuantizedMatrix m = QuantizedMatrix.quantize(QuantFormat.Q4_0, w, 0, rows, cols);
    float[] back = m.dequantize();
    for (int o = 0; o < rows; o++) {
      for (int i = 0; i < cols; i++) {
        float d = Math.abs(m.scale(o, i / 32)), x = w[o * cols + i], err = Math.abs(x - back[o * cols + i]);
        assertThat(d).isCloseTo(blockMax(w, o * cols + i / 32 * 32) / 8, relative(1e-3));
        // the grid is d·(−8..7): values beyond 7.5 steps on the side opposite the block's extreme clamp to 7
        float bound = Math.abs(x / m.scale(o, i / 32)) > 7.5f && Math.signum(x) == Math.signum(m.scale(o, i / 32)) ? d : d / 2;
        assertThat(err).as("Q4_0 (%d, %d) x=%s d=%s", o, i, x, m.scale(o, i / 32)).isLessThanOrEqualTo(bound * (1 + 1e-5f));
      }
    }
  }

  @Test
  void int8ErrorIsAtMostHalfTheRowScale() {
    int rows = 6, cols = 37;
    float[] w = weights(3, rows * cols);
    QuantizedMatrix m = QuantizedMatrix.quantize(QuantFormat.INT8, w, 0, rows, cols);
    float[] back = m.dequantize();
    for (int o = 0; o < rows; o++) {
      float amax = 0;
      for (int i = 0; i < cols; i++) amax = Math.max(amax, Math.abs(w[o * cols + i]));
      assertThat(m.scale(o, 0)).isEqualTo(amax / 127);
      for (int i = 0; i < cols; i++) {
        assertThat(Math.abs(w[o * cols + i] - back[o * cols + i])).isLessThanOrEqualTo(m.scale(o, 0) / 2 * (1 + 1e-6f));
      }
    }
  }

  @Test
  void int4g128ErrorIsAtMostHalfAStepAndZeroIsExact() {
    int rows = 3, cols = 256;
    float[] w = weights(4, rows * cols);
    for (int i = 0; i < w.length; i += 7) w[i] = 0f;
    QuantizedMatrix m = QuantizedMatrix.quantize(QuantFormat.INT4_G128, w, 0, rows, cols);
    float[] back = m.dequantize();
    for (int o = 0; o < rows; o++) {
      for (int i = 0; i < cols; i++) {
        int at = o * cols + i;
        float s = m.scale(o, i / 128);
        float lo = 0, hi = 0;
        for (int j = at - i % 128; j < at - i % 128 + 128; j++) {
          lo = Math.min(lo, w[j]);
          hi = Math.max(hi, w[j]);
        }
        assertThat(s).isCloseTo((hi - lo) / 15, relative(1e-3));
        assertThat(Math.abs(w[at] - back[at])).as("int4g128 (%d, %d)", o, i).isLessThanOrEqualTo(s / 2 * (1 + 1e-3f));
        if (w[at] == 0f) assertThat(back[at]).as("zero stays exact").isEqualTo(0f);
      }
    }
  }

  @Test
  void finerGranularityGivesSmallerError() {
    int rows = 16, cols = 512;
    float[] w = weights(5, rows * cols);
    double q8 = mse(w, QuantFormat.Q8_0, rows, cols), i8 = mse(w, QuantFormat.INT8, rows, cols);
    double q4 = mse(w, QuantFormat.Q4_0, rows, cols);
    assertThat(q8).as("Q8_0 (blocks of 32) vs int8 per row").isLessThan(i8);
    assertThat(q8).as("8 bits vs 4 bits").isLessThan(q4 / 50);
  }

  private static double mse(float[] w, QuantFormat f, int rows, int cols) {
    float[] back = QuantizedMatrix.quantize(f, w, 0, rows, cols).dequantize();
    double s = 0;
    for (int i = 0; i < w.length; i++) s += (w[i] - back[i]) * (double) (w[i] - back[i]);
    return s / w.length;
  }

  @Test
  void packedBytesRoundTripForEveryFormat() {
    for (QuantFormat f : QuantFormat.values()) {
      int rows = 3, cols = 256;
      QuantizedMatrix m = QuantizedMatrix.quantize(f, weights(6, rows * cols), 0, rows, cols);
      byte[] packed = m.packed();
      assertThat((long) packed.length).as(f.id()).isEqualTo(f.packedBytes(rows, cols)).isEqualTo(m.byteSize());
      QuantizedMatrix back = QuantizedMatrix.fromPacked(f, rows, cols, packed);
      assertThat(back.dequantize()).as(f.id()).containsExactly(m.dequantize());
      assertThat(back.packed()).as(f.id()).containsExactly(packed);
    }
  }

  @Test
  void q4_0BlockIsLlamaCppsBlockQ4_0() {
    float[] w = new float[32];
    for (int i = 0; i < 32; i++) w[i] = i - 16;  // largest magnitude −16, so d = 2
    byte[] p = QuantizedMatrix.quantize(QuantFormat.Q4_0, w, 0, 1, 32).packed();
    assertThat(p).hasSize(18);
    assertThat(p[0]).as("fp16 2.0 = 0x4000, little-endian").isEqualTo((byte) 0x00);
    assertThat(p[1]).isEqualTo((byte) 0x40);
    for (int j = 0; j < 16; j++) {
      int lo = (int) Math.floor(w[j] / 2 + 8.5), hi = Math.min(15, (int) Math.floor(w[j + 16] / 2 + 8.5));
      assertThat(p[2 + j] & 0x0F).as("element %d in the low nibble of byte %d", j, j).isEqualTo(lo);
      assertThat((p[2 + j] >> 4) & 0x0F).as("element %d in the high nibble of byte %d", j + 16, j).isEqualTo(hi);
    }
  }

  @Test
  void q8_0BlockIsLlamaCppsBlockQ8_0() {
    float[] w = new float[32];
    for (int i = 0; i < 32; i++) w[i] = (i - 5) * 0.5f;  // max |x| = 13, d = 13/127
    byte[] p = QuantizedMatrix.quantize(QuantFormat.Q8_0, w, 0, 1, 32).packed();
    assertThat(p).hasSize(34);
    float d = Float.float16ToFloat((short) ((p[0] & 0xFF) | p[1] << 8));
    assertThat(d).isCloseTo(13f / 127, relative(1e-3));
    for (int i = 0; i < 32; i++) assertThat((int) p[2 + i]).isEqualTo(Math.round(w[i] / d));
  }

  @Test
  void allZeroMatrixStaysZero() {
    for (QuantFormat f : QuantFormat.values()) {
      float[] back = QuantizedMatrix.quantize(f, new float[2 * 128], 0, 2, 128).dequantize();
      for (float v : back) assertThat(v == 0f).as(f.id() + " gives " + v).isTrue();  // Q4_0 gives -0: d = 0 / -8
    }
  }

  @Test
  void badShapesAndBytesAreRejectedWithWhatWasExpected() {
    assertThatThrownBy(() -> QuantizedMatrix.quantize(QuantFormat.Q4_0, new float[300], 0, 3, 100))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple of the block size 32").hasMessageContaining("got 100");
    assertThatThrownBy(() -> QuantizedMatrix.quantize(QuantFormat.Q8_0, new float[48 * 2], 0, 2, 48))
        .hasMessageContaining("multiple of the block size 32, got 48");  // int4g128 takes 48 (one short group): ShortLastGroupTest
    assertThatThrownBy(() -> QuantizedMatrix.quantize(QuantFormat.Q8_0, new float[10], 0, 1, 32)).hasMessageContaining("the array has 10");
    assertThatThrownBy(() -> QuantizedMatrix.fromPacked(QuantFormat.Q8_0, 2, 64, new byte[100]))
        .hasMessageContaining("expected 136 packed bytes, got 100");
    byte[] bad = QuantizedMatrix.quantize(QuantFormat.INT4_G128, weights(7, 128), 0, 1, 128).packed();
    bad[2] = 16;
    assertThatThrownBy(() -> QuantizedMatrix.fromPacked(QuantFormat.INT4_G128, 1, 128, bad)).hasMessageContaining("zero point")
        .hasMessageContaining("expected 0..15");
    byte[] nan = QuantizedMatrix.quantize(QuantFormat.Q4_0, weights(8, 32), 0, 1, 32).packed();
    nan[0] = 0;
    nan[1] = (byte) 0x7E;  // fp16 NaN
    assertThatThrownBy(() -> QuantizedMatrix.fromPacked(QuantFormat.Q4_0, 1, 32, nan)).hasMessageContaining("expected a finite value");
    assertThatThrownBy(() -> QuantFormat.parse("q3_k")).hasMessageContaining("unknown quantization format 'q3_k'")
        .hasMessageContaining("q8_0, q4_0, int8, int4g128");
  }

  @Test
  void rowsComputesTheDequantizedProduct() {
    int rows = 9, cols = 128;
    float[] w = weights(9, rows * cols), x = weights(10, cols);
    for (QuantFormat f : QuantFormat.values()) {
      QuantizedMatrix m = QuantizedMatrix.quantize(f, w, 0, rows, cols);
      float[] dq = m.dequantize(), y = new float[rows];
      m.rows(x, 0, cols, 1, null, 0, y, 0, rows, 0, rows, false);
      for (int o = 0; o < rows; o++) {
        double e = 0;
        for (int i = 0; i < cols; i++) e += (double) dq[o * cols + i] * x[i];
        assertThat((double) y[o]).as(f.id()).isCloseTo(e, org.assertj.core.data.Offset.offset(1e-5));
      }
    }
  }

  private static float blockMax(float[] w, int off) {
    float m = 0;
    for (int i = 0; i < 32; i++) m = Math.max(m, Math.abs(w[off + i]));
    return m;
  }

  private static org.assertj.core.data.Percentage relative(double fraction) {
    return org.assertj.core.data.Percentage.withPercentage(fraction * 100);
  }
}
