package dev.fathom.llm;

import dev.fathom.nn.Embedding;
import dev.fathom.nn.Module;
import dev.fathom.nn.ModuleList;
import dev.fathom.nn.RMSNorm;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/**
 * The decoder stack without the head (Hugging Face's {@code LlamaModel}, registered as
 * {@code model}): token embeddings, the layers and the final norm.
 */
public final class LlamaModel extends Module {
  final Embedding embedTokens;
  final ModuleList<LlamaDecoderLayer> layers;
  final RMSNorm norm;

  LlamaModel(LlamaConfig c, Rotary rope, Rng rng) {
    this.embedTokens = child("embed_tokens", new Embedding(c.vocabSize(), c.hiddenSize(), rng));
    LlamaInit.normal(embedTokens.weight, c.initializerRange(), rng);
    this.layers = child("layers", new ModuleList<>());
    for (int i = 0; i < c.numHiddenLayers(); i++) layers.add(new LlamaDecoderLayer(c, i, rope, rng));
    this.norm = child("norm", new RMSNorm(c.hiddenSize(), c.rmsNormEps()));
  }

  /** ids (B, T) int64 → final hidden states (B, T, hidden). */
  @Override
  public Tensor forward(Tensor ids) {
    Tensor h = embedTokens.call(ids);
    for (LlamaDecoderLayer layer : layers) h = layer.call(h);
    return norm.call(h);
  }

  public Embedding embedTokens() {
    return embedTokens;
  }

  public ModuleList<LlamaDecoderLayer> layers() {
    return layers;
  }

  public RMSNorm norm() {
    return norm;
  }
}
