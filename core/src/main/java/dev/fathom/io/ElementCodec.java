package dev.fathom.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Conversions between little-endian element bytes and Java arrays, for {@link RawTensor}.
 *
 * <p>Every layout is unaligned: safetensors puts the data region right after the header, and a
 * file from another writer need not align tensors to their element size. Bulk copies through
 * {@link MemorySegment#copy(MemorySegment, ValueLayout, long, Object, int, int)} swap bytes
 * where the platform is big-endian and are plain memory copies otherwise.
 */
final class ElementCodec {

  static final ValueLayout.OfDouble F64_LE =
      ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfFloat F32_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfLong I64_LE =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfInt I32_LE =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfShort I16_LE =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;

  private ElementCodec() {}

  // ---- decoding -------------------------------------------------------------------------------

  /** All n elements of {@code s} (of type {@code t}) as floats, rounded where needed. */
  static float[] toFloats(StDType t, MemorySegment s, int n) {
    float[] out = new float[n];
    switch (t) {
      case F32 -> MemorySegment.copy(s, F32_LE, 0, out, 0, n);
      case F64 -> {
        double[] d = new double[n];
        MemorySegment.copy(s, F64_LE, 0, d, 0, n);
        for (int i = 0; i < n; i++) {
          out[i] = (float) d[i];
        }
      }
      case F16 -> {
        short[] h = shorts(s, n);
        for (int i = 0; i < n; i++) {
          out[i] = Float.float16ToFloat(h[i]);
        }
      }
      case BF16 -> {
        short[] h = shorts(s, n);
        for (int i = 0; i < n; i++) {
          out[i] = bf16ToFloat(h[i]);
        }
      }
      case F8_E5M2 -> {
        for (int i = 0; i < n; i++) {
          out[i] = e5m2ToFloat(s.get(I8, i));
        }
      }
      case F8_E4M3 -> {
        for (int i = 0; i < n; i++) {
          out[i] = e4m3ToFloat(s.get(I8, i));
        }
      }
      case F8_E8M0 -> {
        for (int i = 0; i < n; i++) {
          out[i] = e8m0ToFloat(s.get(I8, i));
        }
      }
      case U64 -> {
        long[] l = longs(s, n);
        for (int i = 0; i < n; i++) {
          out[i] = unsignedToFloat(l[i]);
        }
      }
      default -> {
        long[] l = toLongsUnchecked(t, s, n);
        for (int i = 0; i < n; i++) {
          out[i] = (float) l[i];
        }
      }
    }
    return out;
  }

  /**
   * All n elements of an integer or BOOL tensor as longs; U64 elements above
   * {@link Long#MAX_VALUE} come back as their two's-complement bits.
   */
  static long[] toLongsUnchecked(StDType t, MemorySegment s, int n) {
    long[] out;
    switch (t) {
      case I64, U64 -> out = longs(s, n);
      case I32 -> {
        out = new long[n];
        for (int i = 0; i < n; i++) {
          out[i] = s.get(I32_LE, 4L * i);
        }
      }
      case U32 -> {
        out = new long[n];
        for (int i = 0; i < n; i++) {
          out[i] = Integer.toUnsignedLong(s.get(I32_LE, 4L * i));
        }
      }
      case I16 -> {
        out = new long[n];
        for (int i = 0; i < n; i++) {
          out[i] = s.get(I16_LE, 2L * i);
        }
      }
      case U16 -> {
        out = new long[n];
        for (int i = 0; i < n; i++) {
          out[i] = Short.toUnsignedLong(s.get(I16_LE, 2L * i));
        }
      }
      case I8 -> {
        out = new long[n];
        for (int i = 0; i < n; i++) {
          out[i] = s.get(I8, i);
        }
      }
      case U8 -> {
        out = new long[n];
        for (int i = 0; i < n; i++) {
          out[i] = Byte.toUnsignedLong(s.get(I8, i));
        }
      }
      case BOOL -> {
        out = new long[n];
        for (int i = 0; i < n; i++) {
          out[i] = s.get(I8, i) != 0 ? 1 : 0;
        }
      }
      default -> throw new IllegalStateException("dtype " + t + " is not an integer type");
    }
    return out;
  }

  private static short[] shorts(MemorySegment s, int n) {
    short[] h = new short[n];
    MemorySegment.copy(s, I16_LE, 0, h, 0, n);
    return h;
  }

  private static long[] longs(MemorySegment s, int n) {
    long[] l = new long[n];
    MemorySegment.copy(s, I64_LE, 0, l, 0, n);
    return l;
  }

  /** An unsigned 64-bit value, rounded to the nearest float. */
  private static float unsignedToFloat(long v) {
    if (v >= 0) {
      return (float) v;
    }
    // Halve with the lost bit kept as a sticky bit, so the single rounding to float stays exact.
    return 2f * (float) ((v >>> 1) | (v & 1));
  }

  /** bfloat16 bits to float: the bits are the upper half of a binary32. */
  static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }

  /** F8_E5M2 bits to float: the bits are the upper byte of a binary16. */
  static float e5m2ToFloat(byte bits) {
    return Float.float16ToFloat((short) ((bits & 0xFF) << 8));
  }

  /** F8_E4M3 (E4M3FN) bits to float: bias 7, subnormals, S.1111.111 is NaN, no infinity. */
  static float e4m3ToFloat(byte bits) {
    int b = bits & 0xFF;
    int sign = b >>> 7;
    int exp = (b >>> 3) & 0xF;
    int man = b & 0x7;
    float mag;
    if (exp == 0xF && man == 0x7) {
      return Float.NaN;
    } else if (exp == 0) {
      mag = man * 0x1p-9f; // (man / 8) * 2^-6
    } else {
      mag = Math.scalb(1f + man / 8f, exp - 7);
    }
    return sign == 0 ? mag : -mag;
  }

  /** F8_E8M0 bits to float: 2^(e - 127), 0xFF is NaN. */
  static float e8m0ToFloat(byte bits) {
    int e = bits & 0xFF;
    if (e == 0xFF) {
      return Float.NaN;
    }
    // 2^-127 is a float subnormal, which scalb represents exactly.
    return Math.scalb(1f, e - 127);
  }

  // ---- encoding -------------------------------------------------------------------------------

  /** Float to bfloat16 bits, rounding to nearest, ties to even; NaN stays a (quiet) NaN. */
  static short floatToBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    int lsb = (bits >>> 16) & 1;
    return (short) ((bits + 0x7FFF + lsb) >>> 16);
  }

  /** The values as little-endian {@code target} (F64, F32, F16 or BF16) in a new array. */
  static byte[] encodeFloats(StDType target, float[] v) {
    byte[] out = new byte[Math.multiplyExact(v.length, target.byteSize())];
    MemorySegment s = MemorySegment.ofArray(out);
    switch (target) {
      case F32 -> MemorySegment.copy(v, 0, s, F32_LE, 0, v.length);
      case F64 -> {
        for (int i = 0; i < v.length; i++) {
          s.set(F64_LE, 8L * i, v[i]);
        }
      }
      case F16 -> {
        for (int i = 0; i < v.length; i++) {
          s.set(I16_LE, 2L * i, Float.floatToFloat16(v[i]));
        }
      }
      case BF16 -> {
        for (int i = 0; i < v.length; i++) {
          s.set(I16_LE, 2L * i, floatToBf16(v[i]));
        }
      }
      default ->
          throw new IllegalArgumentException(
              "RawTensor.ofFloats: target dtype must be F64, F32, F16 or BF16, got " + target);
    }
    return out;
  }
}
