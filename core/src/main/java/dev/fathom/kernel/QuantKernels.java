package dev.fathom.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix-vector products y = W·x (+ bias) with W in a quantized format (see
 * {@code dev.fathom.quant.QuantFormat}) and x, y float, reading the quantized bytes directly:
 * each group of L bytes is widened to L float lanes (sign-extend, convert), multiplied into x
 * with fused multiply-adds, and the lane partials of a block are scaled once per block:
 * {@code acc += d_b · Σ_{i in b} q_i x_i}. The decode step of an LLM is memory-bound, so reading
 * 8.5 or 4.5 bits per weight instead of 32 is the speed-up. {@link ScalarQuantKernels} holds
 * the scalar twin of each; every call goes there when {@link Kernels#scalarOnly()} is set.
 *
 * <p>Arrays as {@code dev.fathom.quant.QuantizedMatrix} holds them: {@code q} the values (int8,
 * or nibbles in ggml's order), {@code s} one float scale per block/group (per row for int8),
 * {@code z} the int4g128 zero points. W is (out, in) row-major. For more than {@link #FUSED_ROWS}
 * inputs at once (a prompt's prefill) each weight row is dequantized once into a per-thread
 * buffer and dotted with every input: the widening then costs once per row, not once per input.
 */
public final class QuantKernels {
  private static final VectorSpecies<Float> F = Kernels.F;
  private static final int L = F.length();
  /** Byte lanes that widen to one float vector; the kernels need 8 or 16 of them (AVX2, AVX-512). */
  private static final VectorSpecies<Byte> B = L >= 8 && L <= 16 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;
  private static final boolean VECTOR = B != null && !Kernels.scalarOnly();
  /** Inputs per call up to which each input is dotted with the quantized row itself. */
  static final int FUSED_ROWS = 4;
  private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

  private static final int Q8_0 = 0, Q4_0 = 1, INT8 = 2, INT4 = 3;

  private QuantKernels() {}

  /** Q8_0: {@code W[o, i] = s[o·in/32 + i/32] · q[o·in + i]}. Rows o in [o0, o1), inputs r in [0, batch). */
  public static void q8_0(byte[] q, float[] s, int in, float[] x, int xOff, int xStride, int batch, float[] bias, int bOff, float[] y,
      int yOff, int yStride, int o0, int o1, boolean accumulate) {
    if (!VECTOR) {
      ScalarQuantKernels.q8_0(q, s, in, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
      return;
    }
    rows(Q8_0, q, s, null, in, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
  }

  /** Q4_0: {@code W[o, b·32 + j] = s[o·in/32 + b] · (nibble − 8)}, low nibbles j < 16, high j ≥ 16. */
  public static void q4_0(byte[] q, float[] s, int in, float[] x, int xOff, int xStride, int batch, float[] bias, int bOff, float[] y,
      int yOff, int yStride, int o0, int o1, boolean accumulate) {
    if (!VECTOR) {
      ScalarQuantKernels.q4_0(q, s, in, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
      return;
    }
    rows(Q4_0, q, s, null, in, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
  }

  /** int8 per output channel: {@code W[o, i] = s[o] · q[o·in + i]}. */
  public static void int8(byte[] q, float[] s, int in, float[] x, int xOff, int xStride, int batch, float[] bias, int bOff, float[] y,
      int yOff, int yStride, int o0, int o1, boolean accumulate) {
    if (!VECTOR) {
      ScalarQuantKernels.int8(q, s, in, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
      return;
    }
    rows(INT8, q, s, null, in, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
  }

  /** int4g128: {@code W[o, g·128 + j] = s[o·in/128 + g] · (nibble − z[...])}, low nibbles j < 64, high j ≥ 64. */
  public static void int4g128(byte[] q, float[] s, byte[] z, int in, float[] x, int xOff, int xStride, int batch, float[] bias, int bOff,
      float[] y, int yOff, int yStride, int o0, int o1, boolean accumulate) {
    if (!VECTOR) {
      ScalarQuantKernels.int4g128(q, s, z, in, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
      return;
    }
    rows(INT4, q, s, z, in, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
  }

  private static void rows(int fmt, byte[] q, float[] s, byte[] z, int in, float[] x, int xOff, int xStride, int batch, float[] bias,
      int bOff, float[] y, int yOff, int yStride, int o0, int o1, boolean accumulate) {
    float[] row = batch > FUSED_ROWS ? scratch(in) : null;
    for (int o = o0; o < o1; o++) {
      if (row != null) dequantize(fmt, q, s, z, in, o, row, 0);
      for (int r = 0; r < batch; r++) {
        int xb = xOff + r * xStride;
        float v = row != null ? dot(row, x, xb, in) : switch (fmt) {
          case Q8_0 -> dotQ8_0(q, s, in, o, x, xb);
          case Q4_0 -> dotQ4_0(q, s, in, o, x, xb);
          case INT8 -> dotInt8(q, s, in, o, x, xb);
          default -> dotInt4(q, s, z, in, o, x, xb);
        };
        if (bias != null) v += bias[bOff + o];
        int yi = yOff + r * yStride + o;
        y[yi] = accumulate ? y[yi] + v : v;
      }
    }
  }

  private static float[] scratch(int n) {
    float[] a = ROW.get();
    if (a.length < n) {
      a = new float[n];
      ROW.set(a);
    }
    return a;
  }

  private static void dequantize(int fmt, byte[] q, float[] s, byte[] z, int in, int o, float[] out, int off) {
    switch (fmt) {
      case Q8_0 -> dequantizeQ8_0(q, s, in, o, out, off);
      case Q4_0 -> dequantizeQ4_0(q, s, in, o, out, off);
      case INT8 -> dequantizeInt8(q, s, in, o, out, off);
      default -> dequantizeInt4g128(q, s, z, in, o, out, off);
    }
  }

  private static FloatVector widen(ByteVector v) {
    return (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
  }

  private static float dotQ8_0(byte[] q, float[] s, int in, int o, float[] x, int xb) {
    int nb = in / 32, qo = o * in, so = o * nb;
    FloatVector acc = FloatVector.zero(F);
    for (int b = 0; b < nb; b++, qo += 32, xb += 32) {
      FloatVector p = FloatVector.zero(F);
      for (int c = 0; c < 32; c += L) p = widen(ByteVector.fromArray(B, q, qo + c)).fma(FloatVector.fromArray(F, x, xb + c), p);
      acc = p.fma(FloatVector.broadcast(F, s[so + b]), acc);
    }
    return VecMath.foldLanes(acc);
  }

  private static float dotQ4_0(byte[] q, float[] s, int in, int o, float[] x, int xb) {
    int nb = in / 32, qo = o * (in / 2), so = o * nb;
    FloatVector acc = FloatVector.zero(F);
    for (int b = 0; b < nb; b++, qo += 16, xb += 32) {
      FloatVector p = FloatVector.zero(F);
      for (int c = 0; c < 16; c += L) {
        ByteVector v = ByteVector.fromArray(B, q, qo + c);
        p = widen(v.and((byte) 0x0F).sub((byte) 8)).fma(FloatVector.fromArray(F, x, xb + c), p);
        p = widen(v.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F).sub((byte) 8)).fma(FloatVector.fromArray(F, x, xb + 16 + c), p);
      }
      acc = p.fma(FloatVector.broadcast(F, s[so + b]), acc);
    }
    return VecMath.foldLanes(acc);
  }

  private static float dotInt8(byte[] q, float[] s, int in, int o, float[] x, int xb) {
    int qo = o * in, bound = B.loopBound(in), i = 0;
    FloatVector acc = FloatVector.zero(F);
    for (; i < bound; i += L) acc = widen(ByteVector.fromArray(B, q, qo + i)).fma(FloatVector.fromArray(F, x, xb + i), acc);
    float t = VecMath.foldLanes(acc);
    for (; i < in; i++) t = Math.fma(q[qo + i], x[xb + i], t);
    return s[o] * t;
  }

  private static float dotInt4(byte[] q, float[] s, byte[] z, int in, int o, float[] x, int xb) {
    int ng = in / 128, qo = o * (in / 2), so = o * ng;
    FloatVector acc = FloatVector.zero(F);
    for (int g = 0; g < ng; g++, qo += 64, xb += 128) {
      byte zero = z[so + g];
      FloatVector p = FloatVector.zero(F);
      for (int c = 0; c < 64; c += L) {
        ByteVector v = ByteVector.fromArray(B, q, qo + c);
        p = widen(v.and((byte) 0x0F).sub(zero)).fma(FloatVector.fromArray(F, x, xb + c), p);
        p = widen(v.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F).sub(zero)).fma(FloatVector.fromArray(F, x, xb + 64 + c), p);
      }
      acc = p.fma(FloatVector.broadcast(F, s[so + g]), acc);
    }
    return VecMath.foldLanes(acc);
  }

  /** {@code Σ a[i] · x[xb + i]} for i in [0, n): lane partials with fma, a halving fold, the tail in order. */
  private static float dot(float[] a, float[] x, int xb, int n) {
    int bound = F.loopBound(n), i = 0;
    FloatVector acc = FloatVector.zero(F);
    for (; i < bound; i += L) acc = FloatVector.fromArray(F, a, i).fma(FloatVector.fromArray(F, x, xb + i), acc);
    float t = VecMath.foldLanes(acc);
    for (; i < n; i++) t = Math.fma(a[i], x[xb + i], t);
    return t;
  }

  /** Row o of a Q8_0 matrix as floats, to {@code out[off..off + in)}. */
  public static void dequantizeQ8_0(byte[] q, float[] s, int in, int o, float[] out, int off) {
    int nb = in / 32;
    for (int b = 0; b < nb; b++) {
      float d = s[o * nb + b];
      for (int j = 0; j < 32; j++) out[off + b * 32 + j] = d * q[o * in + b * 32 + j];
    }
  }

  /** Row o of a Q4_0 matrix as floats. */
  public static void dequantizeQ4_0(byte[] q, float[] s, int in, int o, float[] out, int off) {
    int nb = in / 32;
    for (int b = 0; b < nb; b++) {
      float d = s[o * nb + b];
      int qo = o * (in / 2) + b * 16, ob = off + b * 32;
      for (int j = 0; j < 16; j++) {
        out[ob + j] = d * ((q[qo + j] & 0x0F) - 8);
        out[ob + j + 16] = d * (((q[qo + j] >> 4) & 0x0F) - 8);
      }
    }
  }

  /** Row o of an int8 per-channel matrix as floats. */
  public static void dequantizeInt8(byte[] q, float[] s, int in, int o, float[] out, int off) {
    float so = s[o];
    for (int i = 0; i < in; i++) out[off + i] = so * q[o * in + i];
  }

  /** Row o of an int4g128 matrix as floats. */
  public static void dequantizeInt4g128(byte[] q, float[] s, byte[] z, int in, int o, float[] out, int off) {
    int ng = in / 128;
    for (int g = 0; g < ng; g++) {
      float d = s[o * ng + g];
      int zero = z[o * ng + g], qo = o * (in / 2) + g * 64, ob = off + g * 128;
      for (int j = 0; j < 64; j++) {
        out[ob + j] = d * ((q[qo + j] & 0x0F) - zero);
        out[ob + j + 64] = d * (((q[qo + j] >> 4) & 0x0F) - zero);
      }
    }
  }
}
