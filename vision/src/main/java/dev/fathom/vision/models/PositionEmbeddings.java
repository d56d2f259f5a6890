package dev.fathom.vision.models;

import dev.fathom.tensor.Tensor;

/**
 * Fixed position embeddings. {@link #sincos2d} is the 2-D sine-cosine table of MAE (He et al.
 * 2022), itself the 1-D table of "Attention Is All You Need" applied to each grid axis: half of
 * the channels encode the column, half the row.
 */
public final class PositionEmbeddings {
  private PositionEmbeddings() {}

  /**
   * The 2-D sine-cosine table for a gridH × gridW grid of tokens, in row-major token order
   * (token p = i·gridW + j sits in row i, column j). With D = dim and ω_k = 10000^(−k/(D/4)) for
   * k &lt; D/4, token p's row is
   * {@code [sin(j·ω_k)]_k, [cos(j·ω_k)]_k, [sin(i·ω_k)]_k, [cos(i·ω_k)]_k}
   * (the column first, as MAE's {@code get_2d_sincos_pos_embed}, whose first grid is the width).
   *
   * @param dim token width, divisible by 4
   * @return (gridH·gridW, dim), not requiring grad
   * @throws IllegalArgumentException when a size is not positive or dim is not divisible by 4
   */
  public static Tensor sincos2d(int gridH, int gridW, int dim) {
    if (gridH <= 0 || gridW <= 0 || dim <= 0 || dim % 4 != 0) {
      throw new IllegalArgumentException("sincos2d: need positive grid sizes and dim divisible by 4, got grid " + gridH + "x" + gridW
          + ", dim " + dim);
    }
    int quarter = dim / 4;
    double[] omega = new double[quarter];
    for (int k = 0; k < quarter; k++) omega[k] = 1.0 / Math.pow(10000, (double) k / quarter);
    float[] out = new float[gridH * gridW * dim];
    for (int i = 0; i < gridH; i++) {
      for (int j = 0; j < gridW; j++) {
        int base = (i * gridW + j) * dim;
        for (int k = 0; k < quarter; k++) {
          out[base + k] = (float) Math.sin(j * omega[k]);
          out[base + quarter + k] = (float) Math.cos(j * omega[k]);
          out[base + 2 * quarter + k] = (float) Math.sin(i * omega[k]);
          out[base + 3 * quarter + k] = (float) Math.cos(i * omega[k]);
        }
      }
    }
    return Tensor.of(out, gridH * gridW, dim);
  }
}
