package dev.fathom.vision.models;

import java.util.ArrayList;
import java.util.List;

/**
 * Analytic forward FLOPs of the transformer blocks, 2 × the multiply-adds of their matrix
 * products, per image. A block that attends over T tokens and passes T' to its MLP costs
 * <pre>
 *   4·T·D²            q, k, v and output projections
 * + 2·T²·D            scores q·kᵀ and the weighted sum of the values
 * + 2·T'·D·Dmlp       fc1 and fc2
 * + T·D               (the pruning block only) class-token attention over heads, recomputed for the ranking
 * + (|A|−1)·|B|·Dh    (merging blocks) cosine similarities of ToMe's bipartite matching, |A| = ⌈T/2⌉, |B| = ⌊T/2⌋
 * </pre>
 * multiply-adds. Elementwise work (norms, softmax, GELU, residuals, averaging merged tokens) is
 * O(T·D) and left out, as in the ToMe and EViT papers' counts.
 */
final class VitFlops {
  private VitFlops() {}

  /** Tokens entering each block's attention under the reduction, then the number leaving the last block. */
  static List<Integer> tokenCounts(int depth, TokenReduction r, int tokens) {
    List<Integer> counts = new ArrayList<>();
    int t = tokens;
    for (int layer = 0; layer < depth; layer++) {
      counts.add(t);
      t = afterReduction(layer, r, t);
    }
    counts.add(t);
    return counts;
  }

  private static int afterReduction(int layer, TokenReduction r, int t) {
    if (r.prunes() && layer == r.pruneLayer()) t = 1 + r.keptPatches(t - 1);
    if (r.merges()) t -= r.merged(t);
    return t;
  }

  /** FLOPs (2 × multiply-adds) of all blocks for one image entering with {@code tokens} tokens. */
  static long blocks(VitConfig c, TokenReduction r, int tokens) {
    long d = c.dim(), hidden = c.mlpHidden(), dh = d / c.heads();
    long macs = 0;
    int t = tokens;
    for (int layer = 0; layer < c.depth(); layer++) {
      long tt = t;
      macs += 4 * tt * d * d + 2 * tt * tt * d;
      if (r.prunes() && layer == r.pruneLayer()) {
        macs += tt * d;
        t = 1 + r.keptPatches(t - 1);
      }
      if (r.merges() && r.merged(t) > 0) {
        long a = (t + 1) / 2, b = t / 2;
        macs += (a - 1) * b * dh;
        t -= r.merged(t);
      }
      macs += 2L * t * d * hidden;
    }
    return 2 * macs;
  }
}
