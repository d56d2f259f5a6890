package dev.fathom.io;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The element types of the safetensors format, under the names its header uses ({@code "F32"},
 * {@code "BF16"}, ...), with their sizes in bytes. Every value is stored little-endian.
 *
 * <p>The sub-byte types of recent safetensors versions ({@code F4}, {@code F6_E2M3},
 * {@code F6_E3M2}) are not supported: a header that names them is reported as an unknown dtype.
 */
public enum StDType {
  /** IEEE 754 binary64. */
  F64(8, Kind.FLOAT),
  /** IEEE 754 binary32. */
  F32(4, Kind.FLOAT),
  /** IEEE 754 binary16 (half precision). */
  F16(2, Kind.FLOAT),
  /** bfloat16: the upper 16 bits of a binary32. */
  BF16(2, Kind.FLOAT),
  /** 8-bit float, 5 exponent bits and 2 mantissa bits (the upper byte of a binary16). */
  F8_E5M2(1, Kind.FLOAT),
  /** 8-bit float, 4 exponent bits (bias 7) and 3 mantissa bits, no infinities (E4M3FN). */
  F8_E4M3(1, Kind.FLOAT),
  /** 8-bit power-of-two scale, 2^(e - 127), 0xFF is NaN (the MX block-scale type). */
  F8_E8M0(1, Kind.FLOAT),
  /** Signed 64-bit integer. */
  I64(8, Kind.SIGNED),
  /** Signed 32-bit integer. */
  I32(4, Kind.SIGNED),
  /** Signed 16-bit integer. */
  I16(2, Kind.SIGNED),
  /** Signed 8-bit integer. */
  I8(1, Kind.SIGNED),
  /** Unsigned 64-bit integer. */
  U64(8, Kind.UNSIGNED),
  /** Unsigned 32-bit integer. */
  U32(4, Kind.UNSIGNED),
  /** Unsigned 16-bit integer. */
  U16(2, Kind.UNSIGNED),
  /** Unsigned 8-bit integer. */
  U8(1, Kind.UNSIGNED),
  /** Boolean, one byte per element: 0 is false, anything else true. */
  BOOL(1, Kind.BOOL);

  /** How the bits of an element are read. */
  enum Kind {
    FLOAT,
    SIGNED,
    UNSIGNED,
    BOOL
  }

  private static final Map<String, StDType> BY_NAME = new HashMap<>();

  static {
    for (StDType t : values()) {
      BY_NAME.put(t.name(), t);
    }
  }

  private final int byteSize;
  private final Kind kind;

  StDType(int byteSize, Kind kind) {
    this.byteSize = byteSize;
    this.kind = kind;
  }

  /** Size of one element in bytes. */
  public int byteSize() {
    return byteSize;
  }

  /** True for the floating-point types (F64 ... F8_E8M0). */
  public boolean isFloatingPoint() {
    return kind == Kind.FLOAT;
  }

  /** True for the signed and unsigned integer types (not BOOL). */
  public boolean isInteger() {
    return kind == Kind.SIGNED || kind == Kind.UNSIGNED;
  }

  Kind kind() {
    return kind;
  }

  /**
   * The type for a safetensors dtype name; names are case-sensitive as in the format.
   *
   * @param name a header dtype such as {@code "F32"}
   * @return the matching type
   * @throws IllegalArgumentException if the name is not one of {@link #knownNames()}
   */
  public static StDType parse(String name) {
    StDType t = lookup(name);
    if (t == null) {
      throw new IllegalArgumentException(
          "unknown safetensors dtype '" + name + "'; expected one of " + knownNames());
    }
    return t;
  }

  /** The type for a name, or null when there is none. */
  static StDType lookup(String name) {
    return name == null ? null : BY_NAME.get(name);
  }

  /** The supported dtype names, comma-separated, for error messages. */
  public static String knownNames() {
    return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
  }
}
