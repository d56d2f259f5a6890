package dev.fathom.kernel;

/** Temporary naive GEMM (replaced by the packed Vector API kernel). */
public final class Gemm {
  private Gemm() {}

  public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float s = 0;
        for (int p = 0; p < k; p++) {
          float x = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
          float y = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
          s += x * y;
        }
        int ci = cOff + i * ldc + j;
        c[ci] = alpha * s + (beta == 0 ? 0 : beta * c[ci]);
      }
    }
  }

  public static void sgemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, long strideA, int lda, float[] b, int bOff, long strideB, int ldb,
      float beta, float[] c, int cOff, long strideC, int ldc) {
    for (int q = 0; q < batch; q++) {
      sgemm(transA, transB, m, n, k, alpha, a, (int) (aOff + q * strideA), lda, b, (int) (bOff + q * strideB), ldb,
          beta, c, (int) (cOff + q * strideC), ldc);
    }
  }
}
