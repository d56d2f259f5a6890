package dev.fathom.insight.sensitivity;

import dev.fathom.nn.Embedding;
import dev.fathom.nn.F;
import dev.fathom.nn.LayerNorm;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.nn.ModuleList;
import dev.fathom.nn.MultiHeadAttention;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * A small pre-LN transformer over bit tokens with a two-way head at every position, the model of
 * the sensitivity probe.
 *
 * <pre>
 *   h⁰ = E[tok] + P[pos]
 *   hˡ = hˡ⁻¹ + Attn(LN(hˡ⁻¹));  hˡ = hˡ + W₂·GELU(W₁·LN(hˡ) + b₁) + b₂      (l = 1..L)
 *   logits = Head(LN(hᴸ))
 * </pre>
 *
 * <p>Tokens: {@link #ZERO}, {@link #ONE}, {@link #CLS} (read out by the direct classifier at
 * position 0) and {@link #SEP} (between the input and the scratchpad). With {@code causal} the
 * attention is masked so position t sees only positions ≤ t (the scratchpad model).
 * Keys follow PyTorch's names: {@code tok_emb.weight}, {@code pos_emb.weight},
 * {@code blocks.0.ln_1.weight}, {@code blocks.0.attn.q_proj.weight}, {@code blocks.0.fc_1.weight},
 * {@code ln_f.weight}, {@code head.weight}.
 */
public final class BitTransformer extends Module {
  public static final int ZERO = 0, ONE = 1, CLS = 2, SEP = 3, VOCAB = 4;

  public final BitTransformerConfig config;
  public final boolean causal;
  private final Embedding tokEmb, posEmb;
  private final ModuleList<Block> blocks;
  private final LayerNorm lnF;
  private final Linear head;

  public BitTransformer(BitTransformerConfig config, boolean causal, Rng rng) {
    this.config = config;
    this.causal = causal;
    int d = config.dModel();
    tokEmb = child("tok_emb", new Embedding(VOCAB, d, rng));
    posEmb = child("pos_emb", new Embedding(config.maxLen(), d, rng));
    blocks = child("blocks", new ModuleList<>());
    for (int l = 0; l < config.numLayers(); l++) blocks.add(new Block(config, causal, rng));
    lnF = child("ln_f", norm(config));
    head = child("head", new Linear(d, 2, rng));
  }

  /**
   * @param ids token ids (B, T), INT64, T ≤ maxLen
   * @return logits (B, T, 2)
   * @throws ShapeException when ids are not (B, T) or T exceeds maxLen
   */
  @Override
  public Tensor forward(Tensor ids) {
    if (ids.dim() != 2 || ids.size(1) > config.maxLen()) {
      throw new ShapeException("BitTransformer: expected ids (B, T) with T <= " + config.maxLen() + ", got " + Shape.str(ids.shape()));
    }
    int t = ids.size(1);
    long[] pos = new long[t];
    for (int i = 0; i < t; i++) pos[i] = i;
    Tensor h = tokEmb.call(ids).add(posEmb.call(Tensor.ofLongs(pos, t)));  // (B, T, D) + (T, D)
    for (Block b : blocks) h = b.call(h);                                    // (B, T, D)
    return head.call(lnF.call(h));                                           // (B, T, 2)
  }

  private static LayerNorm norm(BitTransformerConfig c) {
    return new LayerNorm(new int[] {c.dModel()}, c.layerNormEps(), true);
  }

  /** One pre-LN block: attention and a GELU MLP, each added to the residual stream. */
  static final class Block extends Module {
    private final LayerNorm ln1, ln2;
    private final MultiHeadAttention attn;
    private final Linear fc1, fc2;

    Block(BitTransformerConfig c, boolean causal, Rng rng) {
      ln1 = child("ln_1", norm(c));
      attn = child("attn", new MultiHeadAttention(c.dModel(), c.numHeads(), c.numHeads(), causal, true, rng));
      ln2 = child("ln_2", norm(c));
      fc1 = child("fc_1", new Linear(c.dModel(), c.dimFeedforward(), rng));
      fc2 = child("fc_2", new Linear(c.dimFeedforward(), c.dModel(), rng));
    }

    /** (B, T, D) → (B, T, D). */
    @Override
    public Tensor forward(Tensor x) {
      x = x.add(attn.call(ln1.call(x)));
      return x.add(fc2.call(F.linearAct(ln2.call(x), fc1.weight, fc1.bias, F.Act.GELU)));
    }
  }
}
