package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The int8×int8 kernels against their scalar twin (bit for bit: integer sums) and against float math on dequantized values. */
class Int8KernelsTest {
  private static final int[] SIZES = {1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1023, 1376};

  private static byte[] codes(SplittableRandom r, int n, boolean extreme) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) b[i] = (byte) (extreme ? (r.nextBoolean() ? 127 : -127) : r.nextInt(-127, 128));
    return b;
  }

  @Test
  void dotEqualsScalarTwinAndTheIntegerSumAtAwkwardSizesAndOffsets() {
    SplittableRandom r = new SplittableRandom(1);
    for (int n : SIZES) {
      for (boolean extreme : new boolean[] {false, true}) {
        byte[] a = codes(r, n + 5, extreme), b = codes(r, n + 3, extreme);
        long exact = 0;
        for (int i = 0; i < n; i++) exact += (long) a[5 + i] * b[3 + i];
        int v = Int8Kernels.dot(a, 5, b, 3, n);
        assertThat(v).as("n=%d", n).isEqualTo(ScalarInt8Kernels.dot(a, 5, b, 3, n));
        assertThat((long) v).as("n=%d", n).isEqualTo(exact);
      }
    }
  }

  @Test
  void w8a8EqualsScalarTwinBitForBitAndFloatMathOnDequantizedValues() {
    SplittableRandom r = new SplittableRandom(2);
    for (int in : new int[] {1, 7, 9, 33, 512, 1023}) {
      for (int batch : new int[] {1, 2, 5}) {
        int out = 9;
        byte[] qx = codes(r, batch * in, false), qw = codes(r, out * in, false);
        float[] sx = new float[batch], sw = new float[out], bias = new float[out + 2];
        for (int i = 0; i < batch; i++) sx[i] = (float) r.nextDouble(1e-3, 1);
        for (int i = 0; i < out; i++) sw[i] = (float) r.nextDouble(1e-3, 1);
        for (int i = 0; i < bias.length; i++) bias[i] = (float) r.nextGaussian();
        int stride = out + 3;
        float[] y = new float[batch * stride + 1], ys = new float[batch * stride + 1];
        for (int i = 0; i < y.length; i++) y[i] = ys[i] = (float) r.nextGaussian();
        float[] before = y.clone();
        Int8Kernels.w8a8(qx, sx, batch, qw, sw, in, null, 0, y, 1, stride, 2, out, true);
        ScalarInt8Kernels.w8a8(qx, sx, batch, qw, sw, in, null, 0, ys, 1, stride, 2, out, true);
        assertThat(y).as("in=%d batch=%d", in, batch).containsExactly(ys);
        for (int t = 0; t < batch; t++) {
          for (int o = 0; o < out; o++) {
            int yi = 1 + t * stride + o;
            if (o < 2) {
              assertThat(y[yi]).isEqualTo(before[yi]);
              continue;
            }
            double ref = 0;  // float64 math on the dequantized values s·q
            for (int i = 0; i < in; i++) ref += ((double) sx[t] * qx[t * in + i]) * ((double) sw[o] * qw[o * in + i]);
            double got = y[yi] - (double) before[yi];
            // one int -> float rounding and the rescale's two roundings, then the accumulate's
            assertThat(got).as("in=%d batch=%d t=%d o=%d", in, batch, t, o)
                .isCloseTo(ref, org.assertj.core.data.Offset.offset(4e-7 * Math.abs(ref) + Math.ulp(y[yi]) + 1e-12));
          }
        }
        Int8Kernels.w8a8(qx, sx, batch, qw, sw, in, bias, 1, y, 1, stride, 0, out, false);
        ScalarInt8Kernels.w8a8(qx, sx, batch, qw, sw, in, bias, 1, ys, 1, stride, 0, out, false);
        assertThat(y).containsExactly(ys);
      }
    }
  }
}
