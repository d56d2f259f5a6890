package dev.fathom.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor as the safetensors format stores it: an element type, a row-major shape and the
 * little-endian bytes of its elements, with no ties to {@code dev.fathom.tensor}.
 *
 * <p>The data may be a heap copy (from the factories and {@link Safetensors#readAll}) or a slice
 * of a memory-mapped file (from {@link SafetensorsFile}), valid only until its file is closed. The
 * record keeps a read-only view of the segment it is given, and copies the shape on the way in
 * and on the way out, so nothing can change a tensor through it; whoever made the segment can.
 *
 * <p>{@link #equals} compares dtype, shape and data bytes; {@link #toString} shows no data.
 *
 * @param dtype element type
 * @param shape dimensions, outermost first; {@code []} for a scalar; a 0 makes the tensor empty
 * @param data exactly {@code numel() * dtype.byteSize()} bytes, little-endian (kept read-only)
 */
public record RawTensor(StDType dtype, long[] shape, MemorySegment data) {

  /** The largest array length the JVM reliably allocates. */
  static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  /**
   * Checks that the data holds exactly the elements of the shape.
   *
   * @throws IllegalArgumentException if a dimension is negative, the element count or byte count
   *     overflows a long, or {@code data.byteSize()} differs from {@code numel * dtype.byteSize()}
   * @throws NullPointerException if an argument is null
   */
  public RawTensor {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(data, "data");
    shape = shape.clone();
    data = data.asReadOnly();
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        throw new IllegalArgumentException(
            "RawTensor: dimension " + i + " of shape " + Arrays.toString(shape) + " is negative");
      }
    }
    long n = numelOf(shape);
    long bytes = n < 0 ? -1 : byteCount(n, dtype);
    if (bytes < 0) {
      throw new IllegalArgumentException(
          "RawTensor: shape " + Arrays.toString(shape) + " of " + dtype
              + " has more bytes than a long can count");
    }
    if (data.byteSize() != bytes) {
      throw new IllegalArgumentException(
          "RawTensor: shape " + Arrays.toString(shape) + " of " + dtype + " needs " + bytes
              + " bytes but the data has " + data.byteSize());
    }
  }

  /** A copy of the shape. */
  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Number of dimensions; 0 for a scalar. */
  public int rank() {
    return shape.length;
  }

  /** Number of elements: the product of the shape (1 for a scalar, 0 if a dimension is 0). */
  public long numel() {
    return numelOf(shape);
  }

  /** Size of the data in bytes. */
  public long byteSize() {
    return data.byteSize();
  }

  // ---- conversions ----------------------------------------------------------------------------

  /**
   * The elements as floats, converted from any dtype: F64 and wide integers round to nearest,
   * F16 through {@link Float#float16ToFloat}, BF16 and F8 exactly, BOOL as 0 or 1.
   *
   * @return a new array of {@link #numel()} floats in row-major order
   * @throws IllegalStateException if the tensor has more elements than a Java array can hold, or
   *     its mapped file is closed
   */
  public float[] toFloatArray() {
    return ElementCodec.toFloats(dtype, data, arrayLength("toFloatArray"));
  }

  /**
   * The elements of an integer or BOOL tensor as longs (BOOL as 0 or 1).
   *
   * @return a new array of {@link #numel()} longs in row-major order
   * @throws IllegalStateException if the dtype is a floating-point type, the tensor has more
   *     elements than a Java array can hold, or its mapped file is closed
   * @throws ArithmeticException if a U64 element exceeds {@link Long#MAX_VALUE}
   */
  public long[] toLongArray() {
    requireInteger("toLongArray");
    long[] out = ElementCodec.toLongsUnchecked(dtype, data, arrayLength("toLongArray"));
    if (dtype == StDType.U64) {
      for (int i = 0; i < out.length; i++) {
        if (out[i] < 0) {
          throw new ArithmeticException(
              "RawTensor.toLongArray: U64 element " + i + " is " + Long.toUnsignedString(out[i])
                  + ", above the long maximum " + Long.MAX_VALUE);
        }
      }
    }
    return out;
  }

  /**
   * The elements of an integer or BOOL tensor as ints (BOOL as 0 or 1).
   *
   * @return a new array of {@link #numel()} ints in row-major order
   * @throws IllegalStateException if the dtype is a floating-point type, the tensor has more
   *     elements than a Java array can hold, or its mapped file is closed
   * @throws ArithmeticException if an element (of I64, U32 or U64) lies outside the int range
   */
  public int[] toIntArray() {
    requireInteger("toIntArray");
    int n = arrayLength("toIntArray");
    int[] out = new int[n];
    switch (dtype) {
      case I32 -> MemorySegment.copy(data, ElementCodec.I32_LE, 0, out, 0, n);
      case I64, U64, U32 -> {
        long[] l = ElementCodec.toLongsUnchecked(dtype, data, n);
        for (int i = 0; i < n; i++) {
          if ((int) l[i] != l[i]) {
            String v = dtype == StDType.U64 ? Long.toUnsignedString(l[i]) : Long.toString(l[i]);
            throw new ArithmeticException(
                "RawTensor.toIntArray: " + dtype + " element " + i + " is " + v
                    + ", outside the int range");
          }
          out[i] = (int) l[i];
        }
      }
      default -> {
        long[] l = ElementCodec.toLongsUnchecked(dtype, data, n);
        for (int i = 0; i < n; i++) {
          out[i] = (int) l[i];
        }
      }
    }
    return out;
  }

  /**
   * A copy of the raw little-endian bytes.
   *
   * @throws IllegalStateException if the data is larger than a Java array can hold, or its
   *     mapped file is closed
   */
  public byte[] toByteArray() {
    if (data.byteSize() > MAX_ARRAY) {
      throw new IllegalStateException(
          "RawTensor.toByteArray: " + data.byteSize() + " bytes do not fit a Java array (at most "
              + MAX_ARRAY + ")");
    }
    return data.toArray(ValueLayout.JAVA_BYTE);
  }

  private void requireInteger(String method) {
    if (dtype.isFloatingPoint()) {
      throw new IllegalStateException(
          "RawTensor." + method + ": expected an integer or BOOL dtype, got " + dtype
              + "; use toFloatArray");
    }
  }

  private int arrayLength(String method) {
    long n = numel();
    if (n > MAX_ARRAY) {
      throw new IllegalStateException(
          "RawTensor." + method + ": " + n + " elements of shape " + Arrays.toString(shape)
              + " do not fit a Java array (at most " + MAX_ARRAY + ")");
    }
    return (int) n;
  }

  // ---- factories ------------------------------------------------------------------------------

  /**
   * An F32 tensor holding a copy of the values.
   *
   * @param shape dimensions; their product must equal {@code v.length}
   * @param v elements in row-major order
   * @throws IllegalArgumentException if the shape does not match the number of values
   */
  public static RawTensor ofFloats(long[] shape, float[] v) {
    return ofFloats(StDType.F32, shape, v);
  }

  /**
   * A tensor of {@code target} type holding the values, encoded with round-to-nearest-even
   * (F16 through {@link Float#floatToFloat16}; BF16 keeps the upper 16 bits after rounding,
   * NaN stays NaN; F64 is exact).
   *
   * @param target F64, F32, F16 or BF16
   * @param shape dimensions; their product must equal {@code v.length}
   * @param v elements in row-major order
   * @throws IllegalArgumentException if the target is another dtype or the shape does not match
   */
  public static RawTensor ofFloats(StDType target, long[] shape, float[] v) {
    checkCount("ofFloats", shape, v.length);
    byte[] bytes = ElementCodec.encodeFloats(target, v);
    return new RawTensor(target, shape, MemorySegment.ofArray(bytes));
  }

  /**
   * An I64 tensor holding the values.
   *
   * @param shape dimensions; their product must equal {@code v.length}
   * @param v elements in row-major order
   * @throws IllegalArgumentException if the shape does not match the number of values
   */
  public static RawTensor ofLongs(long[] shape, long[] v) {
    checkCount("ofLongs", shape, v.length);
    byte[] out = new byte[Math.multiplyExact(v.length, 8)];
    MemorySegment.copy(v, 0, MemorySegment.ofArray(out), ElementCodec.I64_LE, 0, v.length);
    return new RawTensor(StDType.I64, shape, MemorySegment.ofArray(out));
  }

  /**
   * An I32 tensor holding the values.
   *
   * @param shape dimensions; their product must equal {@code v.length}
   * @param v elements in row-major order
   * @throws IllegalArgumentException if the shape does not match the number of values
   */
  public static RawTensor ofInts(long[] shape, int[] v) {
    checkCount("ofInts", shape, v.length);
    byte[] out = new byte[Math.multiplyExact(v.length, 4)];
    MemorySegment.copy(v, 0, MemorySegment.ofArray(out), ElementCodec.I32_LE, 0, v.length);
    return new RawTensor(StDType.I32, shape, MemorySegment.ofArray(out));
  }

  /**
   * A tensor of any dtype from a copy of its little-endian bytes.
   *
   * @param dtype element type
   * @param shape dimensions
   * @param bytes exactly {@code numel * dtype.byteSize()} bytes
   * @throws IllegalArgumentException if the byte count does not match the shape
   */
  public static RawTensor ofBytes(StDType dtype, long[] shape, byte[] bytes) {
    return new RawTensor(dtype, shape, MemorySegment.ofArray(bytes.clone()));
  }

  private static void checkCount(String method, long[] shape, int count) {
    long n = numelOf(shape);
    // n < 0 (a negative dimension or an overflow) is reported by the constructor.
    if (n >= 0 && n != count) {
      throw new IllegalArgumentException(
          "RawTensor." + method + ": shape " + Arrays.toString(shape) + " has " + n
              + " elements but " + count + " values came");
    }
  }

  // ---- helpers shared with the header parser --------------------------------------------------

  /**
   * Product of non-negative dimensions: 0 if any is 0, -1 if the product overflows a long.
   * Negative dimensions must be rejected before calling.
   */
  static long numelOf(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d == 0) {
        return 0;
      }
    }
    for (long d : shape) {
      if (d < 0) {
        return -1;
      }
      long hi = Math.multiplyHigh(n, d);
      long lo = n * d;
      if (hi != 0 || lo < 0) {
        return -1;
      }
      n = lo;
    }
    return n;
  }

  /** {@code numel * dtype.byteSize()}, or -1 if that overflows a long. */
  static long byteCount(long numel, StDType dtype) {
    long hi = Math.multiplyHigh(numel, dtype.byteSize());
    long lo = numel * dtype.byteSize();
    return hi != 0 || lo < 0 ? -1 : lo;
  }

  /** A copy of this tensor whose data lives on the heap (or off-heap when above 2 GiB). */
  RawTensor detached() {
    long size = data.byteSize();
    MemorySegment copy =
        size <= MAX_ARRAY
            ? MemorySegment.ofArray(new byte[(int) size])
            : Arena.ofAuto().allocate(size, 8);
    MemorySegment.copy(data, 0, copy, 0, size);
    return new RawTensor(dtype, shape, copy);
  }

  // ---- value semantics ------------------------------------------------------------------------

  /** Equal when dtype, shape and every data byte are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof RawTensor r
        && dtype == r.dtype
        && Arrays.equals(shape, r.shape)
        && data.mismatch(r.data) == -1;
  }

  @Override
  public int hashCode() {
    return 31 * dtype.hashCode() + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return "RawTensor[" + dtype + " " + Arrays.toString(shape) + ", " + data.byteSize() + " bytes]";
  }
}
