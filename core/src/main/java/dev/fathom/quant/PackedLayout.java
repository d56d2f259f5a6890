package dev.fathom.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The packed bytes of each {@link QuantFormat} (little-endian), block by block in row order:
 * Q8_0 [fp16 d][32 × int8], Q4_0 [fp16 d][16 nibble bytes], int8 per row [f32 s][cols × int8],
 * int4g128 per group [fp16 s][u8 z][64 nibble bytes], a short last group of r weights
 * [fp16 s][u8 z][⌈r/2⌉ nibble bytes]. The in-memory value bytes are the same bytes without the
 * scales, row after row, so the value bytes of block b follow those of block b − 1.
 */
final class PackedLayout {
  private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

  private PackedLayout() {}

  static byte[] pack(QuantizedMatrix m) {
    QuantFormat f = m.format();
    byte[] out = new byte[(int) f.packedBytes(m.rows(), m.cols())];
    MemorySegment seg = MemorySegment.ofArray(out);
    int blocks = m.scales.length, perRow = QuantizedMatrix.blocksPerRow(f, m.cols());
    long at = 0;
    for (int b = 0, qAt = 0; b < blocks; b++) {
      int valueBytes = valueBytesOfBlock(f, m.cols(), b % perRow);
      if (f == QuantFormat.INT8) {
        seg.set(F32, at, m.scales[b]);
        at += 4;
      } else {
        seg.set(F16, at, Float.floatToFloat16(m.scales[b]));
        at += 2;
      }
      if (f == QuantFormat.INT4_G128) out[(int) at++] = m.zeros[b];
      System.arraycopy(m.q, qAt, out, (int) at, valueBytes);
      at += valueBytes;
      qAt += valueBytes;
    }
    return out;
  }

  static QuantizedMatrix unpack(QuantFormat f, int rows, int cols, byte[] in) {
    MemorySegment seg = MemorySegment.ofArray(in);
    int perRow = QuantizedMatrix.blocksPerRow(f, cols), blocks = rows * perRow;
    byte[] q = new byte[Math.toIntExact(QuantizedMatrix.valueBytes(f, rows, cols))];
    float[] scales = new float[blocks];
    byte[] zeros = f == QuantFormat.INT4_G128 ? new byte[blocks] : null;
    long at = 0;
    for (int b = 0, qAt = 0; b < blocks; b++) {
      int valueBytes = valueBytesOfBlock(f, cols, b % perRow);
      float s;
      if (f == QuantFormat.INT8) {
        s = seg.get(F32, at);
        at += 4;
      } else {
        s = Float.float16ToFloat(seg.get(F16, at));
        at += 2;
      }
      if (!Float.isFinite(s)) {
        throw new IllegalArgumentException(f + " (" + rows + ", " + cols + "): scale of block " + b + " is " + s + ", expected a finite value");
      }
      scales[b] = s;
      if (zeros != null) {
        byte z = in[(int) at++];
        if (z < 0 || z > 15) {
          throw new IllegalArgumentException(f + " (" + rows + ", " + cols + "): zero point of group " + b + " is " + (z & 0xFF)
              + ", expected 0..15");
        }
        zeros[b] = z;
      }
      System.arraycopy(in, (int) at, q, qAt, valueBytes);
      at += valueBytes;
      qAt += valueBytes;
    }
    return new QuantizedMatrix(f, rows, cols, q, scales, zeros);
  }

  /** Value bytes that follow the scale of block {@code b} of a row: 32, 16, the row, 64 (⌈r/2⌉ for a short last group of r). */
  private static int valueBytesOfBlock(QuantFormat f, int cols, int b) {
    return switch (f) {
      case Q8_0 -> 32;
      case Q4_0 -> 16;
      case INT8 -> cols;
      case INT4_G128 -> (Math.min(128, cols - b * 128) + 1) / 2;
    };
  }
}
