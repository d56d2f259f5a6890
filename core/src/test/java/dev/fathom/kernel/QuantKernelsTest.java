package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Parity of the quantized matrix-vector kernels with their scalar twins and with a float64 reference. */
class QuantKernelsTest {
  private static final int[] ROWS = {1, 7, 9, 33};
  private static final int[] BATCHES = {1, 2, QuantKernels.FUSED_ROWS + 1};

  @FunctionalInterface
  interface Kernel {
    void run(byte[] q, float[] s, byte[] z, int in, float[] x, int xOff, int xStride, int batch, float[] bias, int bOff, float[] y,
        int yOff, int yStride, int o0, int o1, boolean accumulate);
  }

  @FunctionalInterface
  interface Weight {
    double at(byte[] q, float[] s, byte[] z, int in, int o, int i);
  }

  /** Decoded weights, written out from the format definitions independently of both kernels. */
  private static final Weight Q8 = (q, s, z, in, o, i) -> (double) s[o * (in / 32) + i / 32] * q[o * in + i];
  private static final Weight Q4 = (q, s, z, in, o, i) -> {
    int b = i / 32, j = i % 32, v = q[o * (in / 2) + b * 16 + j % 16] & 0xFF;
    return (double) s[o * (in / 32) + b] * ((j < 16 ? v & 15 : v >> 4) - 8);
  };
  private static final Weight I8 = (q, s, z, in, o, i) -> (double) s[o] * q[o * in + i];
  /** int4g128 with a short last group of r = in mod 128: its h = ⌈r/2⌉ bytes hold element j low and j + h high. */
  private static final Weight I4 = (q, s, z, in, o, i) -> {
    int groups = (in + 127) / 128, g = i / 128, j = i % 128, n = Math.min(128, in - g * 128), h = (n + 1) / 2;
    int v = q[o * ((in + 1) / 2) + g * 64 + j % h] & 0xFF;
    return (double) s[o * groups + g] * ((j < h ? v & 15 : v >> 4) - z[o * groups + g]);
  };

  @Test
  void q8_0MatchesScalarAndReference() {
    check("q8_0", new int[] {32, 96, 160, 1056}, 32, 1, false,
        (q, s, z, in, x, xo, xs, n, bi, bo, y, yo, ys, o0, o1, acc) -> QuantKernels.q8_0(q, s, in, x, xo, xs, n, bi, bo, y, yo, ys, o0, o1, acc),
        (q, s, z, in, x, xo, xs, n, bi, bo, y, yo, ys, o0, o1, acc) -> ScalarQuantKernels.q8_0(q, s, in, x, xo, xs, n, bi, bo, y, yo, ys, o0, o1,
            acc), Q8);
  }

  @Test
  void q4_0MatchesScalarAndReference() {
    check("q4_0", new int[] {32, 96, 160, 1056, 1376}, 32, 2, false,
        (q, s, z, in, x, xo, xs, n, bi, bo, y, yo, ys, o0, o1, acc) -> QuantKernels.q4_0(q, s, in, x, xo, xs, n, bi, bo, y, yo, ys, o0, o1, acc),
        (q, s, z, in, x, xo, xs, n, bi, bo, y, yo, ys, o0, o1, acc) -> ScalarQuantKernels.q4_0(q, s, in, x, xo, xs, n, bi, bo, y, yo, ys, o0, o1,
            acc), Q4);
  }

  @Test
  void int8MatchesScalarAndReference() {
    check("int8", new int[] {1, 7, 8, 9, 17, 33, 1023}, 0, 1, false,
        (q, s, z, in, x, xo, xs, n, bi, bo, y, yo, ys, o0, o1, acc) -> QuantKernels.int8(q, s, in, x, xo, xs, n, bi, bo, y, yo, ys, o0, o1, acc),
        (q, s, z, in, x, xo, xs, n, bi, bo, y, yo, ys, o0, o1, acc) -> ScalarQuantKernels.int8(q, s, in, x, xo, xs, n, bi, bo, y, yo, ys, o0, o1,
            acc), I8);
  }

  @Test
  void int4g128MatchesScalarAndReference() {
    check("int4g128", new int[] {128, 384, 1408}, 128, 2, true, QuantKernels::int4g128, ScalarQuantKernels::int4g128, I4);
  }

  /** A short last group: 1376 = 10·128 + 96 (base's down_proj), 200 = 128 + 72, 129 = 128 + 1, 127 and 1 (one short group only), 161 (odd r = 33). */
  @Test
  void int4g128WithAShortLastGroupMatchesScalarAndReference() {
    check("int4g128-short", new int[] {1376, 200, 129, 127, 161, 1}, 128, 2, true, QuantKernels::int4g128, ScalarQuantKernels::int4g128, I4);
  }

  /**
   * Random values, scales and zero points for each size; y starts non-zero so that accumulate and
   * overwrite differ; a bias, offsets and strides on x and y, and a row range that skips the first
   * and last rows when there are several.
   */
  private static void check(String name, int[] ins, int block, int perByte, boolean zeros, Kernel vec, Kernel ref, Weight w) {
    SplittableRandom rnd = new SplittableRandom(name.hashCode());
    for (int in : ins) {
      for (int rows : ROWS) {
        for (int batch : BATCHES) {
          byte[] q = new byte[rows * (perByte == 2 ? (in + 1) / 2 : in)];  // int4g128: ⌈in/2⌉ bytes per row
          for (int i = 0; i < q.length; i++) q[i] = (byte) (perByte == 2 ? rnd.nextInt(256) : rnd.nextInt(-127, 128));
          float[] s = new float[block == 0 ? rows : rows * ((in + block - 1) / block)];
          for (int i = 0; i < s.length; i++) s[i] = (float) rnd.nextDouble(-0.05, 0.05);
          byte[] z = zeros ? new byte[s.length] : null;
          if (zeros) for (int i = 0; i < z.length; i++) z[i] = (byte) rnd.nextInt(16);
          int xOff = 3, xStride = in + 5, yOff = 2, yStride = rows + 3, bOff = 1;
          float[] x = new float[xOff + batch * xStride], bias = new float[bOff + rows];
          for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextDouble(-2, 2);
          for (int i = 0; i < bias.length; i++) bias[i] = (float) rnd.nextDouble(-1, 1);
          int o0 = rows > 2 ? 1 : 0, o1 = rows > 2 ? rows - 1 : rows;
          for (boolean acc : new boolean[] {false, true}) {
            float[] y0 = new float[yOff + batch * yStride];
            for (int i = 0; i < y0.length; i++) y0[i] = (float) rnd.nextDouble(-1, 1);
            float[] yv = y0.clone(), yr = y0.clone();
            vec.run(q, s, z, in, x, xOff, xStride, batch, bias, bOff, yv, yOff, yStride, o0, o1, acc);
            ref.run(q, s, z, in, x, xOff, xStride, batch, bias, bOff, yr, yOff, yStride, o0, o1, acc);
            for (int r = 0; r < batch; r++) {
              for (int o = 0; o < rows; o++) {
                int yi = yOff + r * yStride + o;
                String at = name + " in=" + in + " rows=" + rows + " batch=" + batch + " acc=" + acc + " y[" + r + "," + o + "]";
                if (o < o0 || o >= o1) {
                  assertThat(yv[yi]).as(at + " outside the row range").isEqualTo(y0[yi]);
                  assertThat(yr[yi]).as(at + " outside the row range (scalar)").isEqualTo(y0[yi]);
                  continue;
                }
                double exact = bias[bOff + o] + (acc ? y0[yi] : 0), mag = Math.abs(exact);
                for (int i = 0; i < in; i++) {
                  double t = w.at(q, s, z, in, o, i) * x[xOff + r * xStride + i];
                  exact += t;
                  mag += Math.abs(t);
                }
                double tol = 1e-5 * mag + 1e-6;
                assertThat((double) yv[yi]).as(at + " vector").isCloseTo(exact, org.assertj.core.data.Offset.offset(tol));
                assertThat((double) yr[yi]).as(at + " scalar").isCloseTo(exact, org.assertj.core.data.Offset.offset(tol));
              }
            }
          }
        }
      }
    }
  }

  /** Dequantizing is one float multiply per weight, so it equals the float-rounded exact product. */
  @Test
  void dequantizedRowsMatchTheDefinitions() {
    SplittableRandom rnd = new SplittableRandom(5);
    int in = 256, rows = 3;
    byte[] q8 = new byte[rows * in], q4 = new byte[rows * in / 2], z = new byte[rows * in / 128];
    for (int i = 0; i < q8.length; i++) q8[i] = (byte) rnd.nextInt(-127, 128);
    for (int i = 0; i < q4.length; i++) q4[i] = (byte) rnd.nextInt(256);
    for (int i = 0; i < z.length; i++) z[i] = (byte) rnd.nextInt(16);
    float[] s32 = new float[rows * in / 32], s128 = new float[rows * in / 128], sRow = new float[rows];
    for (float[] s : new float[][] {s32, s128, sRow}) for (int i = 0; i < s.length; i++) s[i] = (float) rnd.nextDouble(-1, 1);
    float[] out = new float[in + 4];
    for (int o = 0; o < rows; o++) {
      QuantKernels.dequantizeQ8_0(q8, s32, in, o, out, 4);
      for (int i = 0; i < in; i++) assertThat(out[4 + i]).isEqualTo((float) Q8.at(q8, s32, null, in, o, i));
      QuantKernels.dequantizeQ4_0(q4, s32, in, o, out, 4);
      for (int i = 0; i < in; i++) assertThat(out[4 + i]).isEqualTo((float) Q4.at(q4, s32, null, in, o, i));
      QuantKernels.dequantizeInt8(q8, sRow, in, o, out, 4);
      for (int i = 0; i < in; i++) assertThat(out[4 + i]).isEqualTo((float) I8.at(q8, sRow, null, in, o, i));
      QuantKernels.dequantizeInt4g128(q4, s128, z, in, o, out, 4);
      for (int i = 0; i < in; i++) assertThat(out[4 + i]).isEqualTo((float) I4.at(q4, s128, z, in, o, i));
    }
    for (int n : new int[] {1376, 129, 127}) {  // short last groups
      byte[] qs = new byte[rows * ((n + 1) / 2)], zs = new byte[rows * ((n + 127) / 128)];
      float[] ss = new float[zs.length], row = new float[n + 4];
      for (int i = 0; i < qs.length; i++) qs[i] = (byte) rnd.nextInt(256);
      for (int i = 0; i < zs.length; i++) {
        zs[i] = (byte) rnd.nextInt(16);
        ss[i] = (float) rnd.nextDouble(-1, 1);
      }
      for (int o = 0; o < rows; o++) {
        QuantKernels.dequantizeInt4g128(qs, ss, zs, n, o, row, 4);
        for (int i = 0; i < n; i++) assertThat(row[4 + i]).as("in=%d o=%d i=%d", n, o, i).isEqualTo((float) I4.at(qs, ss, zs, n, o, i));
      }
    }
  }
}
