package dev.fathom.xai.attention;

import dev.fathom.nn.Embedding;
import dev.fathom.nn.F;
import dev.fathom.nn.Init;
import dev.fathom.nn.LayerNorm;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.nn.ModuleList;
import dev.fathom.nn.MultiHeadAttention;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;
import java.util.List;

/**
 * A small encoder-only transformer that classifies token sequences from a [CLS] position, laid
 * out as ViT (Dosovitskiy et al. 2021) with timm's parameter names: a learned {@code cls_token}
 * prepended to the token embeddings, learned {@code pos_embed}, pre-norm {@code blocks}
 * (x + attn(norm1(x)), then x + mlp(norm2(x)) with GELU), a final {@code norm}, and a linear
 * {@code head} on the [CLS] position. Its attention layers are core {@link MultiHeadAttention}s,
 * so {@link AttentionRecorder} sees them; position 0 of their (T + 1) × (T + 1) attention is
 * [CLS] and token i sits at position i + 1.
 */
public final class TransformerClassifier extends Module {
  public final TransformerClassifierConfig config;
  final Embedding tokEmbed;
  final Tensor clsToken, posEmbed;
  final ModuleList<Block> blocks;
  final LayerNorm norm;
  final Linear head;

  /**
   * Builds the model with seeded initialization (embeddings N(0, 1) as PyTorch, [CLS] and
   * positions N(0, 0.02²) as timm, linear layers PyTorch's default).
   *
   * @param config the shape
   * @param rng the initialization's randomness
   */
  public TransformerClassifier(TransformerClassifierConfig config, Rng rng) {
    this.config = config;
    int d = config.embedDim();
    tokEmbed = child("tok_embed", new Embedding(config.vocabSize(), d, rng));
    clsToken = param("cls_token", Init.normal(Tensor.zeros(1, 1, d), 0, 0.02, rng));
    posEmbed = param("pos_embed", Init.normal(Tensor.zeros(1, config.maxLen() + 1, d), 0, 0.02, rng));
    blocks = child("blocks", new ModuleList<>());
    for (int i = 0; i < config.numLayers(); i++) blocks.add(new Block(config, rng));
    norm = child("norm", new LayerNorm(d));
    head = child("head", new Linear(d, config.numClasses(), rng));
  }

  /**
   * Class logits.
   *
   * @param ids (B, T) integer token ids, T &le; maxLen
   * @return (B, numClasses) logits
   * @throws ShapeException if ids are not (B, T) with T &le; maxLen
   */
  @Override
  public Tensor forward(Tensor ids) {
    if (ids.dim() != 2 || ids.size(1) > config.maxLen() || ids.size(1) < 1) {
      throw new ShapeException("TransformerClassifier: expected ids (B, T) with 1 <= T <= " + config.maxLen() + ", got "
          + Shape.str(ids.shape()));
    }
    int b = ids.size(0), t = ids.size(1), d = config.embedDim();
    Tensor x = tokEmbed.call(ids);                                        // (B, T, D)
    x = Tensor.cat(List.of(clsToken.expand(b, 1, d), x), 1);              // (B, T+1, D)
    x = x.add(posEmbed.narrow(1, 0, t + 1));
    for (Block block : blocks) x = block.call(x);
    Tensor cls = norm.call(x).narrow(1, 0, 1).reshape(b, d);              // (B, D)
    return head.call(cls);                                                // (B, C)
  }

  /** Pre-norm encoder block: x + attn(norm1(x)), then x + fc2(gelu(fc1(norm2(x)))). */
  static final class Block extends Module {
    final LayerNorm norm1, norm2;
    final MultiHeadAttention attn;
    final Linear fc1, fc2;

    Block(TransformerClassifierConfig c, Rng rng) {
      int d = c.embedDim();
      norm1 = child("norm1", new LayerNorm(d));
      attn = child("attn", new MultiHeadAttention(d, c.numHeads(), c.numHeads(), false, true, rng));
      norm2 = child("norm2", new LayerNorm(d));
      fc1 = child("fc1", new Linear(d, c.ffDim(), rng));
      fc2 = child("fc2", new Linear(c.ffDim(), d, rng));
    }

    @Override
    public Tensor forward(Tensor x) {                                     // (B, T, D) → (B, T, D)
      x = x.add(attn.call(norm1.call(x)));
      return x.add(fc2.call(F.gelu(fc1.call(norm2.call(x)))));
    }
  }
}
