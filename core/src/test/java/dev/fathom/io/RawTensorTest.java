package dev.fathom.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Conversions and validation of {@link RawTensor}. Expected half-precision bits are derived by
 * hand from the IEEE 754 binary16 and bfloat16 layouts; the comment beside each says how.
 */
class RawTensorTest {

  private static short[] shortsOf(RawTensor t) {
    ByteBuffer b = ByteBuffer.wrap(t.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
    short[] out = new short[b.remaining() / 2];
    b.asShortBuffer().get(out);
    return out;
  }

  private static short s(int bits) {
    return (short) bits;
  }

  @Test
  void f16EncodingRoundsToNearestEven() {
    float[] v = {
      1.0f, // 0 01111 0000000000
      -2.5f, // 1 10000 0100000000
      65504f, // largest finite: 0 11110 1111111111
      0x1p-24f, // smallest subnormal
      0x1p-14f, // smallest normal
      65520f, // halfway between 65504 and 65536 (overflow): ties to even -> inf
      1f + 0x1p-11f, // halfway between 1 and 1+2^-10: ties to even -> 1
      1f + 3 * 0x1p-11f, // halfway between 1+2^-10 and 1+2^-9: ties to even -> 1+2^-9
      0x1p-25f, // half the smallest subnormal: ties to even -> +0
      3 * 0x1p-25f, // 1.5 smallest subnormals: ties to even -> 2 subnormal steps
      -0.0f,
      Float.NEGATIVE_INFINITY
    };
    RawTensor t = RawTensor.ofFloats(StDType.F16, new long[] {v.length}, v);
    assertThat(t.byteSize()).isEqualTo(2L * v.length);
    assertThat(shortsOf(t))
        .containsExactly(
            s(0x3C00), s(0xC100), s(0x7BFF), s(0x0001), s(0x0400), s(0x7C00), s(0x3C00),
            s(0x3C02), s(0x0000), s(0x0002), s(0x8000), s(0xFC00));
    assertThat(t.toFloatArray())
        .containsExactly(
            1.0f, -2.5f, 65504f, 0x1p-24f, 0x1p-14f, Float.POSITIVE_INFINITY, 1.0f,
            1f + 0x1p-9f, 0f, 0x1p-23f, -0.0f, Float.NEGATIVE_INFINITY);
    assertThat(Float.floatToRawIntBits(t.toFloatArray()[10])).isEqualTo(0x80000000);
  }

  @Test
  void bf16EncodingRoundsToNearestEven() {
    float[] v = {
      1.0f, // 0x3F800000 -> upper half 0x3F80
      -2.5f, // 0xC0200000
      1f + 0x1p-8f, // 0x3F808000: exactly halfway, lsb 0 -> 0x3F80
      1f + 3 * 0x1p-8f, // 0x3F818000: halfway, lsb 1 -> rounds up to 0x3F82
      1f + 0x1p-8f + 0x1p-20f, // above halfway -> 0x3F81
      Float.MAX_VALUE, // 0x7F7FFFFF: lower half above halfway, carries into the exponent -> inf
      0x1p-130f, // float subnormal 0x00080000 -> 0x0008
      -0.0f,
      Float.NaN
    };
    RawTensor t = RawTensor.ofFloats(StDType.BF16, new long[] {3, 3}, v);
    short[] bits = shortsOf(t);
    assertThat(java.util.Arrays.copyOf(bits, 8))
        .containsExactly(
            s(0x3F80), s(0xC020), s(0x3F80), s(0x3F82), s(0x3F81), s(0x7F80), s(0x0008),
            s(0x8000));
    assertThat(bits[8] & 0x7F80).isEqualTo(0x7F80);
    assertThat(bits[8] & 0x007F).isNotZero();
    float[] back = t.toFloatArray();
    assertThat(back)
        .startsWith(1.0f, -2.5f, 1.0f, 1f + 0x1p-6f, 1f + 0x1p-7f, Float.POSITIVE_INFINITY, 0x1p-130f);
    assertThat(Float.isNaN(back[8])).isTrue();
  }

  @Test
  void f32AndF64AreExact() {
    float[] v = {0.1f, -3.25e38f, Float.MIN_VALUE, 7f};
    RawTensor f32 = RawTensor.ofFloats(new long[] {2, 2}, v);
    assertThat(f32.dtype()).isEqualTo(StDType.F32);
    assertThat(f32.toFloatArray()).containsExactly(v);
    RawTensor f64 = RawTensor.ofFloats(StDType.F64, new long[] {4}, v);
    assertThat(f64.byteSize()).isEqualTo(32);
    assertThat(f64.toFloatArray()).containsExactly(v);
    // Little-endian: 7f = 0x40E00000 is the last element, bytes 00 00 E0 40.
    byte[] raw = f32.toByteArray();
    assertThat(new byte[] {raw[12], raw[13], raw[14], raw[15]})
        .containsExactly(0x00, 0x00, 0xE0, 0x40);
  }

  @Test
  void eightBitFloatsDecode() {
    RawTensor e4m3 =
        RawTensor.ofBytes(
            StDType.F8_E4M3, new long[] {6}, bytes(0x38, 0xB8, 0x7E, 0x01, 0x7F, 0x08));
    // 0x38 = 0 0111 000: 2^0; 0x7E = 0 1111 110: 1.75 * 2^8; 0x01: 1/8 * 2^-6; 0x7F: NaN;
    // 0x08 = 0 0001 000: 2^-6.
    float[] a = e4m3.toFloatArray();
    assertThat(a).startsWith(1f, -1f, 448f, 0x1p-9f);
    assertThat(Float.isNaN(a[4])).isTrue();
    assertThat(a[5]).isEqualTo(0x1p-6f);

    RawTensor e5m2 =
        RawTensor.ofBytes(StDType.F8_E5M2, new long[] {4}, bytes(0x3C, 0x7B, 0x7C, 0x01));
    // The upper byte of binary16: 0x3C00 = 1, 0x7B00 = 57344, 0x7C00 = inf, 0x0100 = 2^-16.
    assertThat(e5m2.toFloatArray()).containsExactly(1f, 57344f, Float.POSITIVE_INFINITY, 0x1p-16f);

    RawTensor e8m0 = RawTensor.ofBytes(StDType.F8_E8M0, new long[] {4}, bytes(127, 0, 254, 255));
    float[] c = e8m0.toFloatArray();
    assertThat(c).startsWith(1f, 0x1p-127f, 0x1p127f);
    assertThat(Float.isNaN(c[3])).isTrue();
  }

  @Test
  void integerConversions() {
    RawTensor i64 = RawTensor.ofLongs(new long[] {3}, new long[] {-1, 1L << 40, 5});
    assertThat(i64.dtype()).isEqualTo(StDType.I64);
    assertThat(i64.toLongArray()).containsExactly(-1, 1L << 40, 5);
    assertThat(i64.toFloatArray()).containsExactly(-1f, 0x1p40f, 5f);
    assertThatThrownBy(i64::toIntArray)
        .isInstanceOf(ArithmeticException.class)
        .hasMessageContaining("I64 element 1 is 1099511627776");

    RawTensor i32 = RawTensor.ofInts(new long[] {2}, new int[] {Integer.MIN_VALUE, 9});
    assertThat(i32.dtype()).isEqualTo(StDType.I32);
    assertThat(i32.toIntArray()).containsExactly(Integer.MIN_VALUE, 9);
    assertThat(i32.toLongArray()).containsExactly(Integer.MIN_VALUE, 9);

    RawTensor u8 = RawTensor.ofBytes(StDType.U8, new long[] {3}, bytes(0, 200, 255));
    assertThat(u8.toIntArray()).containsExactly(0, 200, 255);
    RawTensor i8 = RawTensor.ofBytes(StDType.I8, new long[] {3}, bytes(0, 200, 255));
    assertThat(i8.toIntArray()).containsExactly(0, -56, -1);
    RawTensor u16 = RawTensor.ofBytes(StDType.U16, new long[] {1}, bytes(0xFF, 0xFF));
    assertThat(u16.toLongArray()).containsExactly(65535);
    RawTensor i16 = RawTensor.ofBytes(StDType.I16, new long[] {1}, bytes(0xFF, 0xFF));
    assertThat(i16.toIntArray()).containsExactly(-1);
    RawTensor u32 = RawTensor.ofBytes(StDType.U32, new long[] {1}, bytes(0xFF, 0xFF, 0xFF, 0xFF));
    assertThat(u32.toLongArray()).containsExactly(4294967295L);
    assertThatThrownBy(u32::toIntArray).isInstanceOf(ArithmeticException.class);

    RawTensor u64 =
        RawTensor.ofBytes(StDType.U64, new long[] {1}, bytes(-1, -1, -1, -1, -1, -1, -1, -1));
    assertThat(u64.toFloatArray()).containsExactly(0x1p64f);
    assertThatThrownBy(u64::toLongArray)
        .isInstanceOf(ArithmeticException.class)
        .hasMessageContaining("18446744073709551615");

    RawTensor bool = RawTensor.ofBytes(StDType.BOOL, new long[] {3}, bytes(0, 1, 7));
    assertThat(bool.toIntArray()).containsExactly(0, 1, 1);
    assertThat(bool.toFloatArray()).containsExactly(0f, 1f, 1f);
  }

  @Test
  void integerAccessOnFloatsIsRejected() {
    RawTensor f = RawTensor.ofFloats(new long[] {1}, new float[] {1f});
    assertThatThrownBy(f::toIntArray)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("F32");
    assertThatThrownBy(f::toLongArray).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void scalarAndEmpty() {
    RawTensor scalar = RawTensor.ofFloats(new long[] {}, new float[] {4f});
    assertThat(scalar.rank()).isZero();
    assertThat(scalar.numel()).isEqualTo(1);
    assertThat(scalar.toFloatArray()).containsExactly(4f);
    RawTensor empty = RawTensor.ofFloats(new long[] {3, 0}, new float[0]);
    assertThat(empty.numel()).isZero();
    assertThat(empty.byteSize()).isZero();
    assertThat(empty.toFloatArray()).isEmpty();
  }

  @Test
  void constructorValidates() {
    MemorySegment twenty = MemorySegment.ofArray(new byte[20]);
    assertThatThrownBy(() -> new RawTensor(StDType.F32, new long[] {2, 3}, twenty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("RawTensor: shape [2, 3] of F32 needs 24 bytes but the data has 20");
    MemorySegment none = MemorySegment.ofArray(new byte[0]);
    assertThatThrownBy(() -> new RawTensor(StDType.U8, new long[] {-1}, none))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
    assertThatThrownBy(
            () -> new RawTensor(StDType.F64, new long[] {1L << 61}, none))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more bytes than a long");
    assertThatThrownBy(() -> RawTensor.ofFloats(new long[] {2, 2}, new float[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("RawTensor.ofFloats: shape [2, 2] has 4 elements but 3 values came");
    assertThatThrownBy(() -> RawTensor.ofFloats(StDType.I32, new long[] {1}, new float[1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got I32");
  }

  @Test
  void valueSemanticsAndDefensiveCopies() {
    long[] shape = {2};
    byte[] raw = bytes(1, 2);
    RawTensor a = RawTensor.ofBytes(StDType.U8, shape, raw);
    shape[0] = 99;
    raw[0] = 42;
    assertThat(a.shape()).containsExactly(2);
    a.shape()[0] = 7;
    assertThat(a.shape()).containsExactly(2);
    assertThat(a.toByteArray()).containsExactly(1, 2);
    assertThat(a.data().isReadOnly()).isTrue();
    RawTensor b = RawTensor.ofBytes(StDType.U8, new long[] {2}, bytes(1, 2));
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(RawTensor.ofBytes(StDType.I8, new long[] {2}, bytes(1, 2)));
    assertThat(a).isNotEqualTo(RawTensor.ofBytes(StDType.U8, new long[] {2}, bytes(1, 3)));
    assertThat(a.toString()).isEqualTo("RawTensor[U8 [2], 2 bytes]");
  }

  @Test
  void dtypeNames() {
    assertThat(StDType.parse("BF16")).isEqualTo(StDType.BF16);
    assertThat(StDType.F64.byteSize()).isEqualTo(8);
    assertThat(StDType.BOOL.byteSize()).isEqualTo(1);
    assertThat(StDType.F8_E4M3.isFloatingPoint()).isTrue();
    assertThat(StDType.U32.isInteger()).isTrue();
    assertThat(StDType.BOOL.isInteger()).isFalse();
    assertThatThrownBy(() -> StDType.parse("f32"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown safetensors dtype 'f32'")
        .hasMessageContaining("F32");
  }

  static byte[] bytes(int... v) {
    byte[] out = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (byte) v[i];
    }
    return out;
  }
}
