package dev.fathom.vision.models;

import dev.fathom.autograd.Function;
import dev.fathom.autograd.FunctionContext;
import dev.fathom.tensor.Tensor;

/**
 * The differentiable step of token pruning and merging: {@code out[n, dest[n,t]] += w[n,t] ·
 * x[n,t]} over (N, T, D) tokens, tokens with {@code dest = −1} dropped. Pruning is dest = the
 * kept rank with w = 1; merging gives merged tokens one destination with weights size /
 * (summed size), a size-weighted average. Backward: {@code gx[n,t] = w[n,t] · g[n, dest[n,t]]}.
 * Both directions cost O(N·T·D), unlike a (T', T) merge matrix product. {@link #select} is the
 * weight-1 case with distinct rows, as MAE uses it to pick visible, hidden and restored tokens.
 */
public final class TokenCombine extends Function {
  private final int[] dest;
  private final float[] weight;
  private final int outTokens;

  /**
   * @param dest (N·T) destination slot in [0, outTokens) of each token, or −1
   * @param weight (N·T) weight of each token in its slot
   */
  TokenCombine(int[] dest, float[] weight, int outTokens) {
    this.dest = dest;
    this.weight = weight;
    this.outTokens = outTokens;
  }

  /**
   * Rows {@code rows[i]} of image i's tokens, in the order given, with gradients:
   * (N, T, D) → (N, K, D). The rows of an image must be distinct indices in [0, T).
   *
   * @throws IllegalArgumentException when there is not one index row per image of the same length K,
   *     or an index is out of range or repeated
   */
  public static Tensor select(Tensor tokens, int[][] rows) {
    int n = tokens.size(0), t = tokens.size(1), k = rows.length == 0 ? 0 : rows[0].length;
    if (rows.length != n) throw new IllegalArgumentException("select: " + rows.length + " index rows for a batch of " + n);
    int[] dest = new int[n * t];
    java.util.Arrays.fill(dest, -1);
    for (int i = 0; i < n; i++) {
      if (rows[i].length != k) throw new IllegalArgumentException("select: row " + i + " has " + rows[i].length + " indices, expected " + k);
      for (int j = 0; j < k; j++) {
        int r = rows[i][j];
        if (r < 0 || r >= t) throw new IllegalArgumentException("select: index " + r + " of image " + i + " is outside [0, " + t + ")");
        if (dest[i * t + r] >= 0) throw new IllegalArgumentException("select: index " + r + " of image " + i + " is repeated");
        dest[i * t + r] = j;
      }
    }
    float[] weight = new float[n * t];
    java.util.Arrays.fill(weight, 1f);
    return new TokenCombine(dest, weight, k).apply(tokens);
  }

  @Override
  protected Tensor forward(FunctionContext ctx, Tensor... in) {
    Tensor x = in[0];                                   // (N, T, D)
    int n = x.size(0), t = x.size(1), d = x.size(2);
    float[] xs = x.data(), out = new float[n * outTokens * d];
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < t; i++) {
        int slot = dest[b * t + i];
        if (slot < 0) continue;
        float w = weight[b * t + i];
        int src = (b * t + i) * d, dst = (b * outTokens + slot) * d;
        for (int c = 0; c < d; c++) out[dst + c] += w * xs[src + c];
      }
    }
    return Tensor.of(out, n, outTokens, d);             // (N, T', D)
  }

  @Override
  protected Tensor[] backward(FunctionContext ctx, Tensor g) {
    int n = g.size(0), d = g.size(2), t = dest.length / n;
    float[] gs = g.data(), gx = new float[n * t * d];
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < t; i++) {
        int slot = dest[b * t + i];
        if (slot < 0) continue;
        float w = weight[b * t + i];
        int src = (b * outTokens + slot) * d, dst = (b * t + i) * d;
        for (int c = 0; c < d; c++) gx[dst + c] = w * gs[src + c];
      }
    }
    return new Tensor[] {Tensor.of(gx, n, t, d)};
  }
}
