package dev.fathom.tensor;

import dev.fathom.kernel.Parallel;

/**
 * Iterates a broadcast elementwise operation as contiguous "runs" along the innermost
 * (coalesced) dimension, so the per-element loops are simple and the per-run bookkeeping cheap.
 * Large iterations are split across the shared pool with static partitioning.
 */
final class Broadcast {
  private Broadcast() {}

  /** Body called once per run of {@code n} output elements starting at {@code outOff}. */
  interface RunBody {
    /**
     * @param offs start offset of the run in each operand
     * @param steps stride of each operand along the run (0 = broadcast, 1 = contiguous)
     */
    void run(int outOff, int[] offs, int[] steps, int n);
  }

  private static final int GRAIN = 1 << 15;

  /** Runs {@code body} over the output {@code shape} with each operand's broadcast strides. */
  static void forEachRun(int[] shape, int[][] strides, RunBody body) {
    int k = strides.length;
    // Coalesce: drop size-1 dims, merge a dim into the next when every operand is contiguous across them.
    int[] cs = new int[shape.length];
    int[][] cst = new int[k][shape.length];
    int r = 0;
    for (int d = 0; d < shape.length; d++) {
      if (shape[d] == 1) continue;
      if (r > 0) {
        boolean merge = true;
        for (int j = 0; j < k; j++) {
          if (cst[j][r - 1] != strides[j][d] * shape[d]) {
            merge = false;
            break;
          }
        }
        if (merge) {
          cs[r - 1] *= shape[d];
          for (int j = 0; j < k; j++) cst[j][r - 1] = strides[j][d];
          continue;
        }
      }
      cs[r] = shape[d];
      for (int j = 0; j < k; j++) cst[j][r] = strides[j][d];
      r++;
    }
    int total = Shape.numel(shape);
    if (total == 0) return;
    final int rank = r;
    final int inner = rank == 0 ? 1 : cs[rank - 1];
    final int outer = total / inner;
    final int[] steps = new int[k];
    for (int j = 0; j < k; j++) steps[j] = rank == 0 ? 0 : cst[j][rank - 1];
    if (outer == 1) {
      int pieces = Parallel.chunks(inner, GRAIN);
      Parallel.forRange(pieces, 1, (s, e) -> {
        int[] offs = new int[k];
        for (int p = s; p < e; p++) {
          int from = Parallel.chunkStart(inner, pieces, p), to = Parallel.chunkStart(inner, pieces, p + 1);
          for (int j = 0; j < k; j++) offs[j] = from * steps[j];
          body.run(from, offs, steps, to - from);
        }
      });
      return;
    }
    Parallel.forRange(outer, Math.max(1, GRAIN / inner), (s, e) -> {
      int[] offs = new int[k];
      for (int row = s; row < e; row++) {
        for (int j = 0; j < k; j++) offs[j] = 0;
        int rem = row;
        for (int d = rank - 2; d >= 0; d--) {
          int idx = rem % cs[d];
          rem /= cs[d];
          for (int j = 0; j < k; j++) offs[j] += idx * cst[j][d];
        }
        body.run(row * inner, offs, steps, inner);
      }
    });
  }
}
