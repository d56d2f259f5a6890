package dev.fathom.llm;

import dev.fathom.nn.Module;
import dev.fathom.nn.RMSNorm;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/** One pre-norm decoder layer: h = x + attn(norm(x)); out = h + mlp(norm(h)). */
public final class LlamaDecoderLayer extends Module {
  final RMSNorm inputLayernorm, postAttentionLayernorm;
  final LlamaAttention selfAttn;
  final LlamaMlp mlp;

  LlamaDecoderLayer(LlamaConfig c, int index, Rotary rope, Rng rng) {
    this.selfAttn = child("self_attn", new LlamaAttention(c, index, rope, rng));
    this.mlp = child("mlp", new LlamaMlp(c, rng));
    this.inputLayernorm = child("input_layernorm", new RMSNorm(c.hiddenSize(), c.rmsNormEps()));
    this.postAttentionLayernorm = child("post_attention_layernorm", new RMSNorm(c.hiddenSize(), c.rmsNormEps()));
  }

  @Override
  public Tensor forward(Tensor x) {
    Tensor h = x.add(selfAttn.call(inputLayernorm.call(x)));
    return h.add(mlp.call(postAttentionLayernorm.call(h)));
  }
}
