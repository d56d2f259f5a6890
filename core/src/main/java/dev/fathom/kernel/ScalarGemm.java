package dev.fathom.kernel;

/**
 * Plain scalar single-precision matrix multiply: the reference twin of {@link Gemm}, with the
 * same signatures, the same argument checks and the same BLAS semantics.
 *
 * <p>Each element is {@code C(i,j) = alpha * s + beta * C(i,j)} with
 * {@code s = sum_p op(A)(i,p) * op(B)(p,j)} accumulated in float, in order of increasing
 * {@code p}; when {@code beta == 0} the old C is not read (NaNs in it vanish, as in BLAS), and
 * when {@code alpha == 0} or {@code k == 0} A and B are not read (C = beta * C). It is
 * single-threaded and uses no Vector API, so it is the ground truth in parity tests and the path
 * taken when {@link Kernels#scalarOnly()} is set.
 */
public final class ScalarGemm {

  private ScalarGemm() {}

  /**
   * C = alpha * op(A) * op(B) + beta * C; op(A) is m×k, op(B) is k×n, C is m×n, all row-major.
   *
   * <p>Addressing: {@code op(A)(i,p) = a[aOff + i*lda + p]}, or {@code a[aOff + p*lda + i]} when
   * {@code transA} (A stored k×m); {@code op(B)(p,j) = b[bOff + p*ldb + j]}, or
   * {@code b[bOff + j*ldb + p]} when {@code transB}; {@code C(i,j) = c[cOff + i*ldc + j]}.
   *
   * @param transA whether A is stored transposed (k×m)
   * @param transB whether B is stored transposed (n×k)
   * @param m rows of op(A) and C
   * @param n columns of op(B) and C
   * @param k columns of op(A), rows of op(B); with k == 0, C = beta * C
   * @throws IllegalArgumentException on a negative dimension or offset, a leading dimension
   *     smaller than the stored row, or an array shorter than the region it is said to hold
   * @throws NullPointerException when an array is null
   */
  public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    GemmArgs.check("sgemm", transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }

  /**
   * A batch of independent products: for {@code e} in {@code [0, batch)},
   * C_e = alpha * op(A_e) * op(B_e) + beta * C_e, where operand {@code X_e} starts at
   * {@code xOff + e * strideX}. A stride of 0 broadcasts that operand (A or B) to every entry.
   *
   * @param batch number of products
   * @param strideA distance between consecutive A matrices in {@code a}; 0 = the same A for all
   * @param strideB distance between consecutive B matrices in {@code b}; 0 = the same B for all
   * @param strideC distance between consecutive C matrices in {@code c}; must keep them apart
   * @throws IllegalArgumentException on any problem {@link #sgemm} rejects, a negative batch or
   *     stride, an entry past the end of its array, or C matrices that overlap
   * @throws NullPointerException when an array is null
   */
  public static void sgemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, long strideA, int lda, float[] b, int bOff, long strideB,
      int ldb, float beta, float[] c, int cOff, long strideC, int ldc) {
    GemmArgs.checkBatched("sgemmBatched", batch, transA, transB, m, n, k, a, aOff, strideA, lda,
        b, bOff, strideB, ldb, c, cOff, strideC, ldc);
    for (int e = 0; e < batch; e++) {
      gemm(transA, transB, m, n, k, alpha, a, (int) (aOff + e * strideA), lda,
          b, (int) (bOff + e * strideB), ldb, beta, c, (int) (cOff + e * strideC), ldc);
    }
  }

  private static void gemm(boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    if (k == 0 || alpha == 0f) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          int ci = cOff + i * ldc + j;
          c[ci] = beta == 0f ? 0f : beta * c[ci];
        }
      }
      return;
    }
    int ars = transA ? 1 : lda, acs = transA ? lda : 1;
    int brs = transB ? 1 : ldb, bcs = transB ? ldb : 1;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float s = 0f;
        int ai = aOff + i * ars, bj = bOff + j * bcs;
        for (int p = 0; p < k; p++) {
          s += a[ai + p * acs] * b[bj + p * brs];
        }
        int ci = cOff + i * ldc + j;
        c[ci] = beta == 0f ? alpha * s : alpha * s + beta * c[ci];
      }
    }
  }
}
