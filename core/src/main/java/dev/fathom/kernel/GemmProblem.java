package dev.fathom.kernel;

/**
 * One validated {@code sgemm} call, C = alpha * op(A) * op(B) + beta * C, as the internal paths
 * of {@link Gemm} receive it. Element addressing is in {@link #aRowStride()} and friends:
 * {@code op(A)(i,p) = a[aOff + i*aRowStride + p*aColStride]},
 * {@code op(B)(p,j) = b[bOff + p*bRowStride + j*bColStride]},
 * {@code C(i,j) = c[cOff + i*ldc + j]}.
 */
record GemmProblem(boolean transA, boolean transB, int m, int n, int k, float alpha,
    float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta,
    float[] c, int cOff, int ldc) {

  /** Distance in {@code a} between op(A)(i,p) and op(A)(i+1,p). */
  int aRowStride() {
    return transA ? 1 : lda;
  }

  /** Distance in {@code a} between op(A)(i,p) and op(A)(i,p+1). */
  int aColStride() {
    return transA ? lda : 1;
  }

  /** Distance in {@code b} between op(B)(p,j) and op(B)(p+1,j). */
  int bRowStride() {
    return transB ? 1 : ldb;
  }

  /** Distance in {@code b} between op(B)(p,j) and op(B)(p,j+1). */
  int bColStride() {
    return transB ? ldb : 1;
  }

  /** Multiply-adds the product takes: m·n·k. */
  long work() {
    return (long) m * n * k;
  }
}
