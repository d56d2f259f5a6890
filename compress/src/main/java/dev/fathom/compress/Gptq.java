package dev.fathom.compress;

import dev.fathom.quant.GroupGrid;

/**
 * GPTQ (Frantar, Ashkboos, Hoefler, Alistarh 2023, "GPTQ: Accurate Post-Training Quantization
 * for Generative Pre-trained Transformers"): quantizes W (out, in) column by column in input
 * order, each column to its grid point, and spreads each column's rounding error over the columns
 * not yet quantized with the inverse-Hessian update ({@link ObsSweep}), minimizing
 * ‖WX − ŴX‖² = tr((W − Ŵ) H (W − Ŵ)ᵀ)/2 for H = 2XᵀX/n greedily.
 *
 * <p>Groups: a group's step (scale, zero point) is fitted when the sweep reaches its first column,
 * from the weights as the updates have left them at that moment (the later columns of the group
 * included), and every column of the group is rounded with it; so the result lies exactly on the
 * format's stored grid (fp16 scales included). When the group size does not divide the
 * in-features, the last group of each row is short ({@link GroupGrid#groups}) and its step is
 * fitted the same way, over its own columns. Act-order (columns by decreasing H_jj) is not
 * implemented: with groups it needs a column permutation stored with the matrix.
 */
public final class Gptq {
  private Gptq() {}

  /**
   * @param w W (rows, cols) row-major; not modified
   * @param h H (cols, cols), e.g. {@link LinearStats#hessian}
   * @throws IllegalArgumentException if cols does not split into the grid's groups, or H does not fit
   */
  public static GridWeights quantize(float[] w, int rows, int cols, double[] h, GroupGrid grid, GptqConfig config) {
    grid.checkColumns(cols);
    InverseHessian hinv = InverseHessian.of(h, cols, config.dampening());
    float[] work = w.clone();
    int g = grid.groupSize(cols), perRow = grid.groups(cols);
    int[] codes = new int[rows * cols];
    GroupGrid.Step[] steps = new GroupGrid.Step[rows * perRow];
    ObsSweep.run(work, rows, cols, hinv, config.blockSize(), new ObsSweep.ColumnRule() {
      @Override
      public void beforeColumn(float[] cur, int rs, int cs, int j, int i1, int i2, InverseHessian u) {
        if (j % g != 0) return;
        int n = Math.min(g, cs - j);  // the short last group holds the remainder
        for (int r = 0; r < rs; r++) steps[r * perRow + j / g] = grid.fit(cur, r * cs + j, n);
      }

      @Override
      public float target(int row, int j, float x) {
        GroupGrid.Step st = steps[row * perRow + j / g];
        int q = grid.code(x, st);
        codes[row * cols + j] = q;
        return grid.value(q, st);
      }
    });
    return new GridWeights(grid, rows, cols, work, codes, steps);
  }
}
