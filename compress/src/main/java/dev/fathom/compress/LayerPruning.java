package dev.fathom.compress;

/**
 * Pruning one weight matrix W (rows, cols) in place by each method: magnitude, Wanda and SparseGPT.
 * Unstructured sparsity removes exactly round(p·rows·cols) weights; n:m leaves n non-zeros in every
 * m consecutive weights of each row.
 */
public final class LayerPruning {
  private LayerPruning() {}

  /**
   * Magnitude: the smallest |W_ij| of the whole matrix (scope layer), of each output row (scope
   * row) or of each group of m (n:m).
   */
  public static void magnitude(float[] w, int rows, int cols, PruneConfig c) {
    float[] score = new float[w.length];
    for (int i = 0; i < w.length; i++) score[i] = Math.abs(w[i]);
    apply(w, select(score, rows, cols, c));
  }

  /**
   * Wanda (Sun, Liu, Bair, Kolter 2024, "A Simple and Effective Pruning Approach for Large Language
   * Models"): score |W_ij|·‖X_j‖₂, the smallest of each output row (the paper's default), of the
   * whole matrix (scope layer) or of each group of m go.
   *
   * @param norms ‖X_j‖₂ per input channel ({@link LinearStats#columnNorms})
   */
  public static void wanda(float[] w, int rows, int cols, double[] norms, PruneConfig c) {
    if (norms.length != cols) throw new IllegalArgumentException("Wanda: expected " + cols + " activation norms, got " + norms.length);
    float[] score = new float[w.length];
    for (int r = 0; r < rows; r++) for (int j = 0; j < cols; j++) score[r * cols + j] = (float) (Math.abs(w[r * cols + j]) * norms[j]);
    apply(w, select(score, rows, cols, c));
  }

  /** The weights to remove by score within the config's comparison group (never global: that spans matrices). */
  private static boolean[] select(float[] score, int rows, int cols, PruneConfig c) {
    if (c.structured()) return PruningMasks.nOfM(score, rows, cols, c.keep(), c.group());
    return switch (c.scope()) {
      case ROW -> PruningMasks.perRow(score, rows, cols, c.sparsity());
      case LAYER -> {
        boolean[] mask = new boolean[score.length];
        PruningMasks.lowest(score, 0, score.length, PruningMasks.share(c.sparsity(), 0, score.length), mask, 0);
        yield mask;
      }
      case GLOBAL -> throw new IllegalArgumentException("global scope spans all projections; prune one matrix with scope layer or row");
    };
  }

  /**
   * SparseGPT (Frantar &amp; Alistarh 2023, "SparseGPT: Massive Language Models Can Be Accurately
   * Pruned in One-Shot"): the column sweep of {@link ObsSweep} with target 0 for pruned weights
   * and the OBS update of the columns after them. Unstructured: when a block of B columns starts,
   * the block's share of weights with the smallest w²/[H⁻¹]_jj² (weights as updated so far, over all
   * rows of the block) is pruned. n:m: at the start of each group of m columns, the m − n smallest
   * of each row's group.
   *
   * @param h H (cols, cols) from calibration inputs
   */
  public static void sparseGpt(float[] w, int rows, int cols, double[] h, PruneConfig c, GptqConfig sweep) {
    if (c.structured()) {
      PruningMasks.checkGroups(cols, c.group());
      if (sweep.blockSize() % c.group() != 0) {
        throw new IllegalArgumentException("SparseGPT: block size " + sweep.blockSize() + " is not a multiple of the pattern's group " + c.group());
      }
    }
    InverseHessian hinv = InverseHessian.of(h, cols, sweep.dampening());
    int bsMax = sweep.blockSize();
    boolean[] mask = new boolean[rows * bsMax];
    float[] score = new float[rows * bsMax];
    int[] block = {0, 0};  // the block the mask belongs to: [i1, i2)
    ObsSweep.run(w, rows, cols, hinv, bsMax, new ObsSweep.ColumnRule() {
      @Override
      public void beforeColumn(float[] cur, int rs, int cs, int j, int i1, int i2, InverseHessian u) {
        int bs = i2 - i1;
        if (j == i1) {
          block[0] = i1;
          block[1] = i2;
          java.util.Arrays.fill(mask, false);
        }
        if (!c.structured() && j == i1) {
          for (int r = 0; r < rs; r++) {
            for (int k = 0; k < bs; k++) {
              float d = u.diag(i1 + k), x = cur[r * cs + i1 + k];
              score[r * bs + k] = x * x / (d * d);
            }
          }
          PruningMasks.lowest(score, 0, rs * bs, PruningMasks.share(c.sparsity(), (long) rs * i1, (long) rs * i2), mask, 0);
        } else if (c.structured() && j % c.group() == 0) {
          int m = c.group();
          for (int r = 0; r < rs; r++) {
            for (int k = 0; k < m; k++) {
              float d = u.diag(j + k), x = cur[r * cs + j + k];
              score[k] = x * x / (d * d);
            }
            PruningMasks.lowest(score, 0, m, m - c.keep(), mask, r * bs + (j - i1));
          }
        }
      }

      @Override
      public float target(int row, int j, float x) {
        return mask[row * (block[1] - block[0]) + (j - block[0])] ? 0f : x;
      }
    });
  }

  private static void apply(float[] w, boolean[] mask) {
    for (int i = 0; i < w.length; i++) if (mask[i]) w[i] = 0f;
  }
}
