package dev.fathom.vision.models;

import dev.fathom.nn.F;
import dev.fathom.nn.LayerNorm;
import dev.fathom.nn.Module;
import dev.fathom.nn.MultiHeadAttention;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * A pre-norm transformer block: {@code x ← x + attn(norm1(x))}, then
 * {@code x ← x + mlp(norm2(x))} with a GELU MLP (Dosovitskiy et al. 2021). The attention is core's
 * {@link MultiHeadAttention} ({@code attn.q_proj}, {@code attn.k_proj}, {@code attn.v_proj},
 * {@code attn.o_proj}); the block calls its projections and {@link F#scaledDotProductAttention}
 * (the tiled kernel) itself, so token pruning and merging can read the queries and keys and act
 * between the attention and the MLP.
 */
public final class VitBlock extends Module {
  public final int dim, heads;
  private final LayerNorm norm1, norm2;
  private final MultiHeadAttention attn;
  private final Mlp mlp;

  public VitBlock(int dim, int heads, int mlpHidden, Rng rng) {
    this.dim = dim;
    this.heads = heads;
    this.norm1 = child("norm1", new LayerNorm(new int[] {dim}, 1e-6, true));
    this.attn = child("attn", new MultiHeadAttention(dim, heads, heads, false, true, rng));
    this.norm2 = child("norm2", new LayerNorm(new int[] {dim}, 1e-6, true));
    this.mlp = child("mlp", new Mlp(dim, mlpHidden, rng));
  }

  /** @param x tokens (N, T, D) @return (N, T, D) */
  @Override
  public Tensor forward(Tensor x) {
    return forward(x, -1, null);
  }

  /**
   * The block with token reduction after its attention.
   *
   * @param x tokens (N, T, D)
   * @param layer this block's index, for the schedule
   * @param tokens the forward pass's token schedule, or null for none
   * @return (N, T', D), T' ≤ T
   */
  Tensor forward(Tensor x, int layer, TokenSchedule tokens) {
    if (x.dim() != 3 || x.size(2) != dim) {
      throw new ShapeException("VitBlock(" + dim + "): expected tokens (N, T, " + dim + "), got " + Shape.str(x.shape()));
    }
    int n = x.size(0), t = x.size(1), dh = dim / heads;
    Tensor h = norm1.call(x);
    Tensor q = attn.qProj.call(h).reshape(n, t, heads, dh).transpose(1, 2);  // (N, H, T, Dh)
    Tensor k = attn.kProj.call(h).reshape(n, t, heads, dh).transpose(1, 2);  // (N, H, T, Dh)
    Tensor v = attn.vProj.call(h).reshape(n, t, heads, dh).transpose(1, 2);  // (N, H, T, Dh)
    Tensor bias = tokens == null ? null : tokens.attentionBias(t);           // (N, 1, 1, T) or null
    Tensor y = F.scaledDotProductAttention(q, k, v, false, bias);             // (N, H, T, Dh)
    x = x.add(attn.oProj.call(y.transpose(1, 2).reshape(n, t, dim)));        // (N, T, D)
    if (tokens != null) x = tokens.afterAttention(layer, x, q, k);           // (N, T', D)
    return x.add(mlp.call(norm2.call(x)));
  }

  /** The attention, for initialization and inspection. */
  public MultiHeadAttention attn() {
    return attn;
  }
}
