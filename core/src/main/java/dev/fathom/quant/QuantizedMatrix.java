package dev.fathom.quant;

import dev.fathom.kernel.QuantKernels;
import java.util.Objects;

/**
 * A weight matrix W (out, in) held in a {@link QuantFormat}: the quantized values, one scale per
 * block, group or row, and (int4g128) one zero point per group. Immutable once made.
 *
 * <p>Made by {@link #quantize} (round to nearest) or {@link #fromPacked} (a checkpoint's bytes);
 * {@link #rows} computes y = W·x on the quantized values directly, {@link #dequantize} and
 * {@link #dequantizeRow} give floats back.
 */
public final class QuantizedMatrix {

  /*
   * Design. In memory the values and the scales live in separate arrays (values in the file's
   * nibble order, scales already widened from fp16 to float), so the kernels stream bytes with
   * vector loads and read one float per block, instead of decoding fp16 inside the hot loop. The
   * packed bytes of the file (PackedLayout) interleave them block by block, as ggml does. Memory
   * per weight is that of the file, within a few per cent.
   */

  private final QuantFormat format;
  private final int rows, cols;
  final byte[] q;
  final float[] scales;
  final byte[] zeros;

  QuantizedMatrix(QuantFormat format, int rows, int cols, byte[] q, float[] scales, byte[] zeros) {
    this.format = Objects.requireNonNull(format, "format");
    format.checkShape(rows, cols);
    this.rows = rows;
    this.cols = cols;
    long values = valueBytes(format, rows, cols);
    long nScales = (long) rows * blocksPerRow(format, cols);
    if (q.length != values || scales.length != nScales || (format == QuantFormat.INT4_G128) != (zeros != null)
        || (zeros != null && zeros.length != nScales)) {
      throw new IllegalArgumentException(format + " (" + rows + ", " + cols + "): expected " + values + " value bytes and " + nScales
          + " scales, got " + q.length + " and " + scales.length);
    }
    this.q = q;
    this.scales = scales;
    this.zeros = zeros;
  }

  /**
   * Quantizes W by rounding to nearest (per format: see {@link QuantFormat}).
   *
   * @param w row-major (rows, cols) from {@code off}
   * @throws IllegalArgumentException if the shape does not suit the format or w is too short
   */
  public static QuantizedMatrix quantize(QuantFormat format, float[] w, int off, int rows, int cols) {
    format.checkShape(rows, cols);
    if (off < 0 || off + (long) rows * cols > w.length) {
      throw new IllegalArgumentException(format + ": expected " + (long) rows * cols + " weights from offset " + off + ", the array has "
          + w.length);
    }
    return RoundToNearest.quantize(format, w, off, rows, cols);
  }

  /**
   * A matrix from integer codes and the steps of its groups, as a method that picks its own codes
   * (GPTQ) produces them: element (o, i) is {@code steps[o·G + i/g].scale·(codes[o·cols + i] − zero)}
   * for groups of g = {@link GroupGrid#groupSize} (G per row).
   *
   * @param codes (rows, cols) row-major: −127..127 for q8_0 and int8, 0..15 for q4_0 and int4g128
   * @param steps one per group, row by row; zero point 8 for q4_0, 0 for q8_0 and int8
   * @throws IllegalArgumentException for a shape the format cannot store, wrong lengths, a code
   *     outside the format's range or a step it cannot store
   */
  public static QuantizedMatrix fromCodes(QuantFormat format, int rows, int cols, int[] codes, GroupGrid.Step[] steps) {
    format.checkShape(rows, cols);
    return PackedCodes.pack(format, rows, cols, codes, steps);
  }

  /**
   * Reads the packed bytes of a checkpoint (layout in {@link QuantFormat}).
   *
   * @throws IllegalArgumentException if the length does not match (rows, cols) in this format, or a
   *     scale is not finite, or a zero point is outside [0, 15]
   */
  public static QuantizedMatrix fromPacked(QuantFormat format, int rows, int cols, byte[] packed) {
    format.checkShape(rows, cols);
    long want = format.packedBytes(rows, cols);
    if (packed.length != want) {
      throw new IllegalArgumentException(format + " (" + rows + ", " + cols + "): expected " + want + " packed bytes, got "
          + packed.length);
    }
    return PackedLayout.unpack(format, rows, cols, packed);
  }

  /** The packed bytes a checkpoint stores ({@link QuantFormat#packedBytes} of them). */
  public byte[] packed() {
    return PackedLayout.pack(this);
  }

  public QuantFormat format() {
    return format;
  }

  /** Output features (rows of W). */
  public int rows() {
    return rows;
  }

  /** Input features (columns of W). */
  public int cols() {
    return cols;
  }

  /** Bytes of the packed form, what the matrix costs on disk. */
  public long byteSize() {
    return format.packedBytes(rows, cols);
  }

  /** The scale of block/group {@code b} of row {@code o} (for int8, of the row: b is ignored). */
  public float scale(int o, int b) {
    return format == QuantFormat.INT8 ? scales[o] : scales[o * blocksPerRow(format, cols) + b];
  }

  /** Bytes of the values alone (no scales): one per weight, half a byte per weight for the nibble formats (int4g128: ⌈cols/2⌉ per row). */
  static long valueBytes(QuantFormat f, int rows, int cols) {
    return switch (f) {
      case Q8_0, INT8 -> (long) rows * cols;
      case Q4_0 -> (long) rows * cols / 2;
      case INT4_G128 -> (long) rows * ((cols + 1) / 2);
    };
  }

  /** Scales per row: 1 for int8, ⌈cols / block⌉ otherwise (int4g128's short last group has its own). */
  static int blocksPerRow(QuantFormat f, int cols) {
    return f == QuantFormat.INT8 ? 1 : (cols + f.blockSize() - 1) / f.blockSize();
  }

  /** Writes row {@code o} of the dequantized matrix to {@code out[off..off + cols)}. */
  public void dequantizeRow(int o, float[] out, int off) {
    Objects.checkIndex(o, rows);
    Objects.checkFromIndexSize(off, cols, out.length);
    switch (format) {
      case Q8_0 -> QuantKernels.dequantizeQ8_0(q, scales, cols, o, out, off);
      case Q4_0 -> QuantKernels.dequantizeQ4_0(q, scales, cols, o, out, off);
      case INT8 -> QuantKernels.dequantizeInt8(q, scales, cols, o, out, off);
      case INT4_G128 -> QuantKernels.dequantizeInt4g128(q, scales, zeros, cols, o, out, off);
    }
  }

  /** The dequantized matrix (rows, cols) as a new row-major array. */
  public float[] dequantize() {
    float[] out = new float[Math.multiplyExact(rows, cols)];
    dequantizeInto(out, 0);
    return out;
  }

  /** Writes the dequantized matrix (rows, cols), row-major, to {@code out[off..)}. */
  public void dequantizeInto(float[] out, int off) {
    Objects.checkFromIndexSize(off, Math.multiplyExact(rows, cols), out.length);
    for (int o = 0; o < rows; o++) dequantizeRow(o, out, off + o * cols);
  }

  /**
   * y = W·x (+ bias) for output rows o in [o0, o1) and inputs r in [0, batch), on the quantized
   * values (no dequantized copy of W):
   * {@code y[yOff + r·yStride + o] (+)= bias[bOff + o] + Σ_i W[o, i] · x[xOff + r·xStride + i]}.
   * Single-threaded; callers split the rows.
   *
   * @param bias null for none
   * @param accumulate add to y instead of overwriting it
   */
  public void rows(float[] x, int xOff, int xStride, int batch, float[] bias, int bOff, float[] y, int yOff, int yStride, int o0,
      int o1, boolean accumulate) {
    if (o0 < 0 || o1 > rows || o0 > o1) throw new IndexOutOfBoundsException("rows [" + o0 + ", " + o1 + ") of " + rows);
    switch (format) {
      case Q8_0 -> QuantKernels.q8_0(q, scales, cols, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
      case Q4_0 -> QuantKernels.q4_0(q, scales, cols, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
      case INT8 -> QuantKernels.int8(q, scales, cols, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
      case INT4_G128 -> QuantKernels.int4g128(q, scales, zeros, cols, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1,
          accumulate);
    }
  }

  @Override
  public String toString() {
    return "QuantizedMatrix[" + format + ", (" + rows + ", " + cols + "), " + byteSize() + " bytes]";
  }
}
