package dev.fathom.tensor;

/** Element types of a {@link Tensor}: float32 is the working type, int64/int32 hold indices. */
public enum DType {
  FLOAT32(4),
  INT64(8),
  INT32(4);

  private final int byteSize;

  DType(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /** True for the integer index types. */
  public boolean isInteger() {
    return this != FLOAT32;
  }
}
