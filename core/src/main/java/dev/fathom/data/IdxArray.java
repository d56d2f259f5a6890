package dev.fathom.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An n-dimensional array read from an IDX file (the format of MNIST and Fashion-MNIST), kept as
 * the file stores it: its dimensions, its element type code and its payload bytes in big-endian
 * order, row-major (the last dimension varies fastest).
 *
 * <p>Element types, by the code in the third header byte: {@link #U8} 0x08 unsigned byte,
 * {@link #I8} 0x09 signed byte, {@link #I16} 0x0B 16-bit int, {@link #I32} 0x0C 32-bit int,
 * {@link #F32} 0x0D float, {@link #F64} 0x0E double.
 *
 * <p>The arrays are shared, not copied: the record is a view of what the reader produced.
 *
 * @param dims the dimensions, e.g. {@code [10000, 28, 28]}; each at least 0
 * @param dataType one of the type codes above
 * @param data the payload, {@code size() * elementSize(dataType)} bytes, big-endian
 */
public record IdxArray(int[] dims, byte dataType, byte[] data) {
  /** Unsigned byte (0x08). */
  public static final byte U8 = 0x08;
  /** Signed byte (0x09). */
  public static final byte I8 = 0x09;
  /** Big-endian 16-bit signed integer (0x0B). */
  public static final byte I16 = 0x0B;
  /** Big-endian 32-bit signed integer (0x0C). */
  public static final byte I32 = 0x0C;
  /** Big-endian IEEE 754 32-bit float (0x0D). */
  public static final byte F32 = 0x0D;
  /** Big-endian IEEE 754 64-bit float (0x0E). */
  public static final byte F64 = 0x0E;

  /**
   * Checks that the payload length matches the dimensions and type.
   *
   * @throws IllegalArgumentException if the type is unknown, a dimension is negative, or the
   *     payload length is not {@code size() * elementSize(dataType)}
   */
  public IdxArray {
    if (dims == null || data == null) {
      throw new IllegalArgumentException("IdxArray: dims and data must not be null");
    }
    int elementSize = elementSize(dataType);
    if (elementSize < 0) {
      throw new IllegalArgumentException(
          String.format("IdxArray: unknown data type 0x%02x", dataType & 0xFF));
    }
    long count = 1;
    for (int d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException(
            "IdxArray: negative dimension in " + Arrays.toString(dims));
      }
      count = Math.multiplyExact(count, (long) d);
    }
    long bytes = Math.multiplyExact(count, (long) elementSize);
    if (bytes != data.length) {
      throw new IllegalArgumentException(
          "IdxArray: dims " + Arrays.toString(dims) + " of type " + typeName(dataType) + " need "
              + bytes + " bytes, data has " + data.length);
    }
  }

  /**
   * Wraps unsigned bytes, e.g. images or class labels.
   *
   * @param dims the dimensions
   * @param values the payload, one byte per element
   * @return the array, sharing {@code values}
   */
  public static IdxArray ofU8(int[] dims, byte[] values) {
    return new IdxArray(dims, U8, values);
  }

  /**
   * Encodes floats as an {@link #F32} array.
   *
   * @param dims the dimensions
   * @param values one value per element
   * @return the array
   */
  public static IdxArray ofFloats(int[] dims, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 4));
    b.asFloatBuffer().put(values);
    return new IdxArray(dims, F32, b.array());
  }

  /**
   * Encodes ints as an {@link #I32} array.
   *
   * @param dims the dimensions
   * @param values one value per element
   * @return the array
   */
  public static IdxArray ofInts(int[] dims, int[] values) {
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 4));
    b.asIntBuffer().put(values);
    return new IdxArray(dims, I32, b.array());
  }

  /**
   * The size in bytes of one element of a type.
   *
   * @param dataType a type code
   * @return 1, 2, 4 or 8, or -1 if the code is not an IDX type
   */
  public static int elementSize(byte dataType) {
    return switch (dataType) {
      case U8, I8 -> 1;
      case I16 -> 2;
      case I32, F32 -> 4;
      case F64 -> 8;
      default -> -1;
    };
  }

  /**
   * A short name for a type code, for messages.
   *
   * @param dataType a type code
   * @return "u8", "i8", "i16", "i32", "f32", "f64" or "0x.." for an unknown code
   */
  public static String typeName(byte dataType) {
    return switch (dataType) {
      case U8 -> "u8";
      case I8 -> "i8";
      case I16 -> "i16";
      case I32 -> "i32";
      case F32 -> "f32";
      case F64 -> "f64";
      default -> String.format("0x%02x", dataType & 0xFF);
    };
  }

  /**
   * The number of elements: the product of the dimensions.
   *
   * @return the element count
   */
  public int size() {
    return data.length / elementSize(dataType);
  }

  /**
   * The elements as floats (u8 as 0..255, unscaled; f64 rounded to float).
   *
   * @return a new array of {@link #size()} values
   */
  public float[] toFloats() {
    int n = size();
    float[] out = new float[n];
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
    switch (dataType) {
      case U8 -> {
        for (int i = 0; i < n; i++) {
          out[i] = data[i] & 0xFF;
        }
      }
      case I8 -> {
        for (int i = 0; i < n; i++) {
          out[i] = data[i];
        }
      }
      case I16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getShort(2 * i);
        }
      }
      case I32 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getInt(4 * i);
        }
      }
      case F32 -> b.asFloatBuffer().get(out);
      default -> {
        for (int i = 0; i < n; i++) {
          out[i] = (float) b.getDouble(8 * i);
        }
      }
    }
    return out;
  }

  /**
   * The elements as ints; only for the integer types.
   *
   * @return a new array of {@link #size()} values (u8 as 0..255)
   * @throws IllegalStateException if the type is f32 or f64
   */
  public int[] toInts() {
    int n = size();
    int[] out = new int[n];
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
    switch (dataType) {
      case U8 -> {
        for (int i = 0; i < n; i++) {
          out[i] = data[i] & 0xFF;
        }
      }
      case I8 -> {
        for (int i = 0; i < n; i++) {
          out[i] = data[i];
        }
      }
      case I16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getShort(2 * i);
        }
      }
      case I32 -> b.asIntBuffer().get(out);
      default ->
          throw new IllegalStateException(
              "toInts: IDX type " + typeName(dataType) + " is not an integer type; use toFloats");
    }
    return out;
  }

  /**
   * Encodes this array as an IDX file: magic {@code 00 00 type ndim}, the dimensions as
   * big-endian 32-bit ints, then the payload.
   *
   * @return the file's bytes (uncompressed)
   */
  public byte[] toBytes() {
    ByteBuffer b =
        ByteBuffer.allocate(Math.addExact(4 + 4 * dims.length, data.length));
    b.put((byte) 0).put((byte) 0).put(dataType).put((byte) dims.length);
    for (int d : dims) {
      b.putInt(d);
    }
    b.put(data);
    return b.array();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdxArray other
        && dataType == other.dataType
        && Arrays.equals(dims, other.dims)
        && Arrays.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(dims) + dataType) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "IdxArray[" + typeName(dataType) + " " + Arrays.toString(dims) + "]";
  }
}
