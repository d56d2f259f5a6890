package dev.fathom.kernel;

import java.util.Objects;

/**
 * Argument checks shared by {@link Gemm} and {@link ScalarGemm}, so that both paths reject the
 * same calls with the same messages. Every message names the parameter, what was expected and
 * what came.
 */
final class GemmArgs {

  private GemmArgs() {}

  /**
   * Checks one {@code sgemm} call: dimensions, leading dimensions, offsets and that each array
   * holds the region the call describes.
   *
   * @throws IllegalArgumentException on a negative dimension or offset, a leading dimension
   *     smaller than the stored row, or an array shorter than its region
   * @throws NullPointerException when an array is null
   */
  static void check(String op, boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
    dims(op, m, n, k);
    operand(op, "a", "A", transA, m, k, a, aOff, lda, 0, 1);
    operand(op, "b", "B", transB, k, n, b, bOff, ldb, 0, 1);
    operand(op, "c", "C", false, m, n, c, cOff, ldc, 0, 1);
  }

  /**
   * Checks one {@code sgemmBatched} call: as {@link #check}, plus non-negative strides, every
   * batch entry inside its array, and C matrices of different entries that do not overlap.
   *
   * @throws IllegalArgumentException on any of the problems {@link #check} rejects, a negative
   *     batch or stride, or overlapping C matrices
   * @throws NullPointerException when an array is null
   */
  static void checkBatched(String op, int batch, boolean transA, boolean transB, int m, int n,
      int k, float[] a, int aOff, long strideA, int lda, float[] b, int bOff, long strideB,
      int ldb, float[] c, int cOff, long strideC, int ldc) {
    if (batch < 0) throw new IllegalArgumentException(op + ": batch must be >= 0, got " + batch);
    dims(op, m, n, k);
    stride(op, "strideA", strideA);
    stride(op, "strideB", strideB);
    stride(op, "strideC", strideC);
    operand(op, "a", "A", transA, m, k, a, aOff, lda, strideA, batch);
    operand(op, "b", "B", transB, k, n, b, bOff, ldb, strideB, batch);
    operand(op, "c", "C", false, m, n, c, cOff, ldc, strideC, batch);
    if (batch > 1 && m > 0 && n > 0) {
      long span = (long) (m - 1) * ldc + n;
      if (strideC < span) {
        throw new IllegalArgumentException(op + ": strideC must be >= " + span
            + " (the span of one " + m + "x" + n + " C with ldc " + ldc
            + ") so that the " + batch + " outputs do not overlap, got " + strideC);
      }
    }
  }

  private static void dims(String op, int m, int n, int k) {
    if (m < 0) throw new IllegalArgumentException(op + ": m must be >= 0, got " + m);
    if (n < 0) throw new IllegalArgumentException(op + ": n must be >= 0, got " + n);
    if (k < 0) throw new IllegalArgumentException(op + ": k must be >= 0, got " + k);
  }

  private static void stride(String op, String name, long s) {
    if (s < 0) throw new IllegalArgumentException(op + ": " + name + " must be >= 0, got " + s);
  }

  /**
   * Checks one operand {@code op(X)} of shape {@code rows x cols}; stored {@code cols x rows}
   * when {@code trans}. Entry {@code e} of a batch starts at {@code off + e * stride}.
   */
  private static void operand(String op, String arr, String mat, boolean trans, int rows,
      int cols, float[] x, int off, int ld, long stride, int batch) {
    Objects.requireNonNull(x, () -> op + ": array " + arr + " is null");
    int storedRows = trans ? cols : rows;
    int storedCols = trans ? rows : cols;
    String ldName = "ld" + arr;
    if (ld < Math.max(1, storedCols)) {
      throw new IllegalArgumentException(op + ": " + ldName + " must be >= "
          + Math.max(1, storedCols) + " (" + mat + " is stored " + storedRows + "x" + storedCols
          + (trans ? ", transposed" : "") + "), got " + ld);
    }
    if (off < 0) {
      throw new IllegalArgumentException(op + ": " + arr + "Off must be >= 0, got " + off);
    }
    if (storedRows == 0 || storedCols == 0 || batch == 0) return;
    long need = off + (long) (batch - 1) * stride + (long) (storedRows - 1) * ld + storedCols;
    if (need > x.length) {
      throw new IllegalArgumentException(op + ": array " + arr + " has " + x.length
          + " elements but " + mat + " (stored " + storedRows + "x" + storedCols + ", " + ldName
          + " " + ld + ", " + arr + "Off " + off
          + (batch > 1 ? ", " + batch + " entries " + stride + " apart" : "")
          + ") needs " + need);
    }
  }
}
