package dev.fathom.llm;

import dev.fathom.nn.CausalDepthwiseConv1d;
import dev.fathom.nn.F;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * Causal self-attention of a Llama layer: q/k/v/o projections (Hugging Face names), rotary
 * positions on q and k, grouped-query heads, and the config's variant ({@link AttentionType}):
 * full attention, optionally with a sliding window, runs the exact tiled kernel (memory linear in
 * T, and with a window time linear in T·window too); block-sparse attention runs the same kernel
 * over the blocks its layer's {@link LlamaConfig#blockLayout pattern} shows each query block;
 * linear attention runs the elu + 1 state walk
 * without rotary positions (its causal sum already orders the tokens, and rotating before a
 * positive feature map would not make scores relative). With {@code conv_kernel_size} K the q, k
 * and v projections first pass through depthwise causal convolutions over the last K positions
 * (Primer, So et al. 2021), parameters {@code q_conv.weight} etc. of shape (channels, 1, K).
 */
public final class LlamaAttention extends Module {
  private final LlamaConfig config;
  private final int index;
  private final Rotary rope;
  final Linear qProj, kProj, vProj, oProj;
  /** Hybrid layers: depthwise causal convolutions over time on the q, k and v projections; null otherwise. */
  final CausalDepthwiseConv1d qConv, kConv, vConv;

  LlamaAttention(LlamaConfig c, int index, Rotary rope, Rng rng) {
    this.config = c;
    this.index = index;
    this.rope = rope;
    int d = c.hiddenSize(), q = c.numAttentionHeads() * c.headDim(), kv = c.numKeyValueHeads() * c.headDim();
    this.qProj = child("q_proj", LlamaInit.linear(d, q, c.qkvBias(), c, rng));
    this.kProj = child("k_proj", LlamaInit.linear(d, kv, c.qkvBias(), c, rng));
    this.vProj = child("v_proj", LlamaInit.linear(d, kv, c.qkvBias(), c, rng));
    this.oProj = child("o_proj", LlamaInit.linear(q, d, c.oBias(), c, rng));
    int kw = c.convKernel();  // identity at the start: the hybrid begins as plain attention
    this.qConv = kw == 0 ? null : child("q_conv", CausalDepthwiseConv1d.identity(q, kw, false));
    this.kConv = kw == 0 ? null : child("k_conv", CausalDepthwiseConv1d.identity(kv, kw, false));
    this.vConv = kw == 0 ? null : child("v_conv", CausalDepthwiseConv1d.identity(kv, kw, false));
  }

  /**
   * One attention layer on its own (with rotary tables for the config's context), as layer
   * {@code index} of a model would be: for benchmarks of a layer at long T.
   */
  public static LlamaAttention standalone(LlamaConfig c, int index, Rng rng) {
    return new LlamaAttention(c, index, new Rotary(c), rng);
  }

  /** x (B, T, hidden) → (B, T, hidden), positions 0..T−1. */
  @Override
  public Tensor forward(Tensor x) {
    if (x.dim() != 3 || x.size(2) != config.hiddenSize()) {
      throw new ShapeException("LlamaAttention: expected (B, T, " + config.hiddenSize() + "), got " + Shape.str(x.shape()));
    }
    int b = x.size(0), t = x.size(1), h = config.numAttentionHeads(), hkv = config.numKeyValueHeads(), dh = config.headDim();
    Tensor q = qProj.call(x), k = kProj.call(x), v = vProj.call(x);  // (B, T, ·)
    if (qConv != null) {  // mix each channel over the last K positions (Primer's multi-dconv-head attention)
      q = qConv.call(q);
      k = kConv.call(k);
      v = vConv.call(v);
    }
    q = q.reshape(b, t, h, dh);
    k = k.reshape(b, t, hkv, dh);
    v = v.reshape(b, t, hkv, dh).transpose(1, 2);  // (B, Hkv, T, Dh)
    Tensor y;
    if (config.attention() == AttentionType.LINEAR) {
      y = F.linearAttention(q.transpose(1, 2), k.transpose(1, 2), v);
    } else {
      q = RopeOps.apply(q, rope, 0).transpose(1, 2);  // (B, H, T, Dh)
      k = RopeOps.apply(k, rope, 0).transpose(1, 2);  // (B, Hkv, T, Dh)
      int w = config.window();
      if (config.attention() == AttentionType.BLOCK_SPARSE) {
        y = F.blockSparseAttention(q, k, v, config.blockLayout(index));  // tiled over the visible blocks only
      } else if (w > 0 && w < t) {
        y = F.slidingWindowAttention(q, k, v, w);  // tiled: memory and time grow with T·w
      } else {
        y = F.scaledDotProductAttention(q, k, v, true, null);
      }
    }
    return oProj.call(y.transpose(1, 2).reshape(b, t, h * dh));
  }
}
