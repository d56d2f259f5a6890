package dev.fathom.compress;

import dev.fathom.kernel.Gemm;

/**
 * The column sweep GPTQ and SparseGPT share (Frantar et al. 2023, Algorithm 1; Frantar &amp;
 * Alistarh 2023): for columns j = 0..in−1 in order, each weight w = W[r, j] is replaced by a target
 * value t (its grid point for GPTQ; 0 or itself for SparseGPT), and the error is spread over the
 * columns not yet processed by the optimal-brain-surgeon update
 * <pre>
 *   e_r = (w − t) / U_jj,   W[r, k] −= e_r · U_jk   for k > j
 * </pre>
 * with U the upper Cholesky factor of H⁻¹ ({@link InverseHessian}). Updates are lazy in blocks of
 * B columns: inside a block they are applied column by column, to the columns after the block
 * once per block as one product W[:, i2:] −= E·U[i1:i2, i2:] (E: rows × B errors).
 */
final class ObsSweep {
  /** Chooses the target of each weight; may look at the current (error-updated) weights first. */
  interface ColumnRule {
    /** Called before column {@code j} (in block [i1, i2)) is processed, with W as it is now. */
    void beforeColumn(float[] w, int rows, int cols, int j, int i1, int i2, InverseHessian hinv);

    /** The value weight (row, j), currently {@code w}, is set to. */
    float target(int row, int j, float w);
  }

  private ObsSweep() {}

  /**
   * Sweeps W (rows, cols) in place.
   *
   * @param blockSize B, columns per lazy block (128 in the papers)
   */
  static void run(float[] w, int rows, int cols, InverseHessian hinv, int blockSize, ColumnRule rule) {
    if (hinv.n() != cols) throw new IllegalArgumentException("inverse Hessian is " + hinv.n() + "x" + hinv.n() + ", expected " + cols + " columns");
    if (w.length != (long) rows * cols) throw new IllegalArgumentException("weights: expected " + rows + "x" + cols + " values, got " + w.length);
    float[] u = hinv.u();
    for (int j = 0; j < cols; j++) {
      if (hinv.dead()[j]) for (int r = 0; r < rows; r++) w[r * cols + j] = 0f;
    }
    float[] err = new float[rows * blockSize];
    for (int i1 = 0; i1 < cols; i1 += blockSize) {
      int i2 = Math.min(i1 + blockSize, cols), bs = i2 - i1;
      for (int j = i1; j < i2; j++) {
        rule.beforeColumn(w, rows, cols, j, i1, i2, hinv);
        float d = u[j * cols + j];
        for (int r = 0; r < rows; r++) {
          int row = r * cols;
          float x = w[row + j], t = rule.target(r, j, x);
          w[row + j] = t;
          float e = (x - t) / d;
          err[r * bs + (j - i1)] = e;
          if (e != 0f) for (int k = j + 1; k < i2; k++) w[row + k] -= e * u[j * cols + k];
        }
      }
      if (i2 < cols) Gemm.sgemm(false, false, rows, cols - i2, bs, -1f, err, 0, bs, u, i1 * cols + i2, cols, 1f, w, i2, cols);
    }
  }
}
