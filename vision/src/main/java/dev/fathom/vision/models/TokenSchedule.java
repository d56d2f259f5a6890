package dev.fathom.vision.models;

import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bookkeeping of one forward pass under a {@link TokenReduction}: each token's size (how many
 * patches it stands for), the token counts each block saw, and the pruning and merging steps that
 * run after a block's attention. Decisions (which tokens to keep, which to merge) are made on the
 * detached queries and keys; the values flow through the differentiable {@link TokenCombine}.
 */
final class TokenSchedule {
  private final TokenReduction plan;
  private final int batch;
  private float[] sizes;  // (N·T), null while every token has size 1
  private final List<Integer> counts = new ArrayList<>();

  TokenSchedule(TokenReduction plan, int batch) {
    this.plan = plan;
    this.batch = batch;
  }

  /** Additive attention bias log(size) of each key, (N, 1, 1, T), or null when not needed. */
  Tensor attentionBias(int t) {
    if (!plan.proportionalAttention() || sizes == null) return null;
    float[] b = new float[sizes.length];
    for (int i = 0; i < b.length; i++) b[i] = (float) Math.log(sizes[i]);
    return Tensor.of(b, batch, 1, 1, t);
  }

  /**
   * Prunes (in block pruneLayer) and merges after a block's attention.
   *
   * @param x tokens after the attention residual (N, T, D)
   * @param q queries (N, H, T, Dh), k keys (N, H, T, Dh) of that attention
   * @return the remaining tokens (N, T', D)
   */
  Tensor afterAttention(int layer, Tensor x, Tensor q, Tensor k) {
    counts.add(x.size(1));
    if (plan.prunes() && layer == plan.pruneLayer()) x = prune(x, q, k);
    if (plan.merges()) x = merge(x, k);
    return x;
  }

  /** Tokens entering each block's attention so far. */
  List<Integer> counts() {
    return List.copyOf(counts);
  }

  private float size(int flat) {
    return sizes == null ? 1f : sizes[flat];
  }

  /** Class-token attention averaged over heads, (N·T) (entry 0 of each row is the class token's own). */
  static float[] clsAttention(Tensor q, Tensor k) {
    int n = q.size(0), h = q.size(1), t = q.size(2), dh = q.size(3);
    float[] qs = q.data(), ks = k.data(), out = new float[n * t];
    double scale = 1 / Math.sqrt(dh);
    double[] logits = new double[t];
    for (int b = 0; b < n; b++) {
      for (int head = 0; head < h; head++) {
        int qo = ((b * h + head) * t) * dh;   // query of token 0
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < t; j++) {
          int ko = ((b * h + head) * t + j) * dh;
          double s = 0;
          for (int c = 0; c < dh; c++) s += qs[qo + c] * ks[ko + c];
          logits[j] = s * scale;
          max = Math.max(max, logits[j]);
        }
        double z = 0;
        for (int j = 0; j < t; j++) z += logits[j] = Math.exp(logits[j] - max);
        for (int j = 0; j < t; j++) out[b * t + j] += (float) (logits[j] / z / h);
      }
    }
    return out;
  }

  /** Keeps the class token and the top-k patch tokens by class-token attention, in their original order. */
  private Tensor prune(Tensor x, Tensor q, Tensor k) {
    int t = x.size(1), keep = plan.keptPatches(t - 1);
    float[] attn = clsAttention(q, k);
    int[] dest = new int[batch * t];
    float[] weight = new float[batch * t], newSizes = new float[batch * (keep + 1)];
    for (int b = 0; b < batch; b++) {
      final int row = b * t;
      Integer[] order = new Integer[t - 1];
      for (int j = 0; j < t - 1; j++) order[j] = j + 1;
      Arrays.sort(order, (i, j) -> Float.compare(attn[row + j], attn[row + i]));  // descending, stable
      boolean[] kept = new boolean[t];
      kept[0] = true;
      for (int j = 0; j < keep; j++) kept[order[j]] = true;
      int slot = 0;
      for (int j = 0; j < t; j++) {
        dest[row + j] = kept[j] ? slot : -1;
        weight[row + j] = 1;
        if (kept[j]) newSizes[b * (keep + 1) + slot++] = size(row + j);
      }
    }
    sizes = newSizes;
    return new TokenCombine(dest, weight, keep + 1).apply(x);
  }

  /**
   * ToMe's bipartite soft matching: tokens at even positions form set A, odd positions set B;
   * each A token's best partner is the B token of highest cosine similarity (keys averaged over
   * heads); the r A tokens with the best partners merge into them (size-weighted average), the
   * class token (position 0) never does. Survivors keep their original order.
   */
  private Tensor merge(Tensor x, Tensor k) {
    int t = x.size(1), r = plan.merged(t);
    if (r == 0) return x;
    float[] metric = meanKeysNormalized(k);   // (N, T, Dh)
    int dh = k.size(3), na = (t + 1) / 2, nb = t / 2, outT = t - r;
    int[] dest = new int[batch * t];
    float[] weight = new float[batch * t], newSizes = new float[batch * outT];
    for (int b = 0; b < batch; b++) {
      int row = b * t;
      float[] best = new float[na];
      int[] partner = new int[na];
      for (int a = 0; a < na; a++) {
        best[a] = Float.NEGATIVE_INFINITY;
        if (a == 0) continue;               // the class token is protected
        int ao = (row + 2 * a) * dh;
        for (int j = 0; j < nb; j++) {
          int bo = (row + 2 * j + 1) * dh;
          float s = 0;
          for (int c = 0; c < dh; c++) s += metric[ao + c] * metric[bo + c];
          if (s > best[a]) {
            best[a] = s;
            partner[a] = 2 * j + 1;
          }
        }
      }
      Integer[] order = new Integer[na];
      for (int a = 0; a < na; a++) order[a] = a;
      Arrays.sort(order, (i, j) -> Float.compare(best[j], best[i]));
      int[] into = new int[t];                // token -> token it is merged into (itself if it survives)
      for (int i = 0; i < t; i++) into[i] = i;
      for (int m = 0; m < r; m++) into[2 * order[m]] = partner[order[m]];
      int[] slotOf = new int[t];
      int slot = 0;
      for (int i = 0; i < t; i++) slotOf[i] = into[i] == i ? slot++ : -1;
      for (int i = 0; i < t; i++) {
        int s = slotOf[into[i]];
        dest[row + i] = s;
        newSizes[b * outT + s] += size(row + i);
      }
      for (int i = 0; i < t; i++) weight[row + i] = size(row + i) / newSizes[b * outT + dest[row + i]];
    }
    sizes = newSizes;
    return new TokenCombine(dest, weight, outT).apply(x);
  }

  /** Keys averaged over heads and scaled to unit length: (N·T·Dh). */
  private static float[] meanKeysNormalized(Tensor k) {
    int n = k.size(0), h = k.size(1), t = k.size(2), dh = k.size(3);
    float[] ks = k.data(), m = new float[n * t * dh];
    for (int b = 0; b < n; b++) {
      for (int head = 0; head < h; head++) {
        for (int i = 0; i < t; i++) {
          int src = ((b * h + head) * t + i) * dh, dst = (b * t + i) * dh;
          for (int c = 0; c < dh; c++) m[dst + c] += ks[src + c];
        }
      }
    }
    for (int i = 0; i < n * t; i++) {
      double norm = 0;
      for (int c = 0; c < dh; c++) norm += m[i * dh + c] * m[i * dh + c];
      float inv = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
      for (int c = 0; c < dh; c++) m[i * dh + c] *= inv;
    }
    return m;
  }
}
