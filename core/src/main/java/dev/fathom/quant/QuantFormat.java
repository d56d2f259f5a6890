package dev.fathom.quant;

import dev.fathom.io.EnumIds;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A storage format for a weight matrix W (out, in), quantized along the input dimension.
 *
 * <ul>
 *   <li>{@link #Q8_0}: llama.cpp's block_q8_0. Blocks of 32 weights: an fp16 scale d and 32
 *       int8 q; x = d·q with d = max|x| / 127. 34 bytes per block, 8.5 bits per weight.
 *   <li>{@link #Q4_0}: llama.cpp's block_q4_0. Blocks of 32: an fp16 d and 16 bytes of nibbles,
 *       byte j holding element j in its low nibble and element j + 16 in its high one;
 *       x = d·(q − 8) with d = m / −8, m the block's value of largest magnitude. 18 bytes per
 *       block, 4.5 bits per weight.
 *   <li>{@link #INT8}: symmetric int8 per output channel: per row a float32 scale s = max|x| / 127
 *       then the row's int8 values; x = s·q. 8 bits per weight plus 4 bytes per row.
 *   <li>{@link #INT4_G128}: asymmetric 4-bit groups of 128 along the input (as GPTQ and AWQ use):
 *       per group an fp16 scale s = (max − min) / 15, a zero point z in [0, 15] (one byte) and 64
 *       bytes of nibbles, byte j holding element j (low) and j + 64 (high); x = s·(q − z).
 *       67 bytes per group, 4.19 bits per weight. In-features need not be a multiple of 128: the
 *       last group of a row then holds the remainder r (1376 = 10·128 + 96) with its own fp16 scale
 *       and zero point and ⌈r/2⌉ nibble bytes, byte j holding element j (low) and j + ⌈r/2⌉ (high;
 *       the high nibble of the last byte is 0 padding when r is odd).
 * </ul>
 *
 * The Q8_0 and Q4_0 blocks are byte for byte those of ggml (little-endian fp16 first), so rows of
 * them can be written to or read from GGUF tensors of types 8 and 2 without conversion.
 */
public enum QuantFormat {
  Q8_0("q8_0", 32, 34),
  Q4_0("q4_0", 32, 18),
  INT8("int8", 1, 1),
  INT4_G128("int4g128", 128, 67);

  private final String id;
  private final int blockSize, blockBytes;

  QuantFormat(String id, int blockSize, int blockBytes) {
    this.id = id;
    this.blockSize = blockSize;
    this.blockBytes = blockBytes;
  }

  /** The name used in files and on the command line, e.g. {@code q4_0}. */
  public String id() {
    return id;
  }

  /** Weights per block (Q8_0, Q4_0) or group (int4g128) along the input; 1 for int8 (one scale per row). */
  public int blockSize() {
    return blockSize;
  }

  /** Bytes of one packed row of {@code cols} weights (int4g128: a short last group costs 3 + ⌈r/2⌉ bytes). */
  public long rowBytes(int cols) {
    if (this == INT8) return 4L + cols;
    int tail = this == INT4_G128 ? cols % blockSize : 0;
    return (long) (cols / blockSize) * blockBytes + (tail > 0 ? 3 + (tail + 1) / 2 : 0);
  }

  /** Whether the last block of a row may be short (int4g128 only; llama.cpp's q8_0/q4_0 blocks have no short form). */
  public boolean shortLastBlock() {
    return this == INT4_G128;
  }

  /** Bytes of the packed matrix (rows, cols). */
  public long packedBytes(int rows, int cols) {
    return rows * rowBytes(cols);
  }

  /**
   * Checks that a matrix (rows, cols) can be stored in this format.
   *
   * @throws IllegalArgumentException for a non-positive size or in-features not a multiple of the
   *     block size (q8_0, q4_0; int4g128 takes any in-features, see {@link #shortLastBlock})
   */
  public void checkShape(int rows, int cols) {
    if (rows < 1 || cols < 1) {
      throw new IllegalArgumentException(id + ": expected a matrix with positive sizes, got (" + rows + ", " + cols + ")");
    }
    if (cols % blockSize != 0 && !shortLastBlock()) {
      throw new IllegalArgumentException(id + ": in-features must be a multiple of the block size " + blockSize + ", got "
          + cols + " (matrix (" + rows + ", " + cols + "))");
    }
  }

  /** The names {@link #parse} accepts. */
  public static String knownNames() {
    return Arrays.stream(values()).map(QuantFormat::id).collect(Collectors.joining(", "));
  }

  /**
   * The format named {@code name} (case-insensitive).
   *
   * @throws IllegalArgumentException for an unknown name; the message lists the known ones
   */
  public static QuantFormat parse(String name) {
    return EnumIds.parse(values(), QuantFormat::id, name, "quantization format");
  }

  @Override
  public String toString() {
    return id;
  }
}
