package dev.fathom.vision.models;

import dev.fathom.nn.Init;
import dev.fathom.nn.LayerNorm;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.nn.ModuleList;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A Vision Transformer (Dosovitskiy et al. 2021): images → patch tokens ({@code patch_embed}) +
 * positions ({@code pos_embed}, learned or fixed 2-D sin-cos), a class token ({@code cls_token})
 * in front, {@code depth} pre-norm {@link VitBlock}s ({@code blocks.<i>}), a final LayerNorm
 * ({@code norm}). {@link #forward} returns the normalized class token (N, D); a classifier puts
 * a linear head on it. Names follow timm's {@code VisionTransformer}.
 *
 * <p>Pieces for masked autoencoders and other token-level users: {@link #embedPatches} (patch
 * tokens with their positions), {@link #clsTokenWithPos}, and {@link #encodeTokens} (blocks and
 * final norm over any token sequence, e.g. the class token and a subset of patches).
 *
 * <p>{@link #tokenReduction(TokenReduction)} switches on token pruning or ToMe merging for
 * later forwards; {@link #flops()} counts the forward under the current setting.
 */
public class Vit extends Encoder {
  private final VitConfig config;
  private final Tensor clsToken, posEmbed;
  private final Module patchEmbed;
  private final ModuleList<VitBlock> blocks;
  private final LayerNorm norm;
  private TokenReduction reduction = TokenReduction.none();
  private List<Integer> lastTokenCounts = List.of();

  /** A ViT with a linear patch embedding; Linear weights Xavier-uniform, biases zero, cls and learned positions N(0, 0.02²) as in MAE. */
  public Vit(VitConfig config, Rng rng) {
    this(config, new PatchEmbed(config.inChannels(), config.patchSize(), config.dim(), rng), rng);
  }

  /**
   * A ViT whose tokens come from {@code patchEmbed}, a module mapping (N, C, S, S) images to
   * (N, P, D) tokens with P = config.numPatches() (the hybrid's conv stem).
   */
  protected Vit(VitConfig config, Module patchEmbed, Rng rng) {
    this.config = config;
    int d = config.dim(), p = config.numPatches();
    this.clsToken = param("cls_token", Init.normal(Tensor.zeros(1, 1, d), 0, 0.02, rng));
    this.posEmbed = config.positions().equals(VitConfig.LEARNED)
        ? param("pos_embed", Init.normal(Tensor.zeros(1, p + 1, d), 0, 0.02, rng))
        : buffer("pos_embed", Tensor.cat(List.of(Tensor.zeros(1, d), PositionEmbeddings.sincos2d(config.gridSize(), config.gridSize(), d)), 0)
            .reshape(1, p + 1, d));
    this.patchEmbed = child("patch_embed", patchEmbed);
    this.blocks = child("blocks", new ModuleList<>());
    for (int i = 0; i < config.depth(); i++) blocks.add(new VitBlock(d, config.heads(), config.mlpHidden(), rng));
    this.norm = child("norm", new LayerNorm(new int[] {d}, 1e-6, true));
    for (Module m : blocks.namedModules().values()) {
      if (m instanceof Linear l) {
        Init.xavierUniform(l.weight, 1, rng);
        if (l.bias != null) Init.zeros(l.bias);
      }
    }
  }

  public VitConfig config() {
    return config;
  }

  @Override
  public int featureDim() {
    return config.dim();
  }

  /** @param images (N, C, S, S) @return the normalized class token (N, D) */
  @Override
  public Tensor forward(Tensor images) {
    Tensor patches = embedPatches(images);                                  // (N, P, D)
    int n = patches.size(0), d = config.dim();
    Tensor cls = clsTokenWithPos().expand(n, 1, d);                         // (N, 1, D)
    Tensor out = encodeTokens(Tensor.cat(List.of(cls, patches), 1));       // (N, T', D)
    return out.narrow(1, 0, 1).reshape(n, d);                               // (N, D)
  }

  /**
   * Patch tokens with their position embeddings added.
   *
   * @param images (N, inChannels, imageSize, imageSize)
   * @return (N, P, D), token p = row·gridSize + column
   */
  public Tensor embedPatches(Tensor images) {
    int s = config.imageSize();
    if (images.dim() != 4 || images.size(1) != config.inChannels() || images.size(2) != s || images.size(3) != s) {
      throw new ShapeException(getClass().getSimpleName() + ": expected images (N, " + config.inChannels() + ", " + s + ", " + s + "), got "
          + Shape.str(images.shape()));
    }
    Tensor tokens = patchEmbed.call(images);                                // (N, P, D)
    return tokens.add(posEmbed.narrow(1, 1, config.numPatches()));
  }

  /** The class token plus its position embedding: (1, 1, D). */
  public Tensor clsTokenWithPos() {
    return clsToken.add(posEmbed.narrow(1, 0, 1));
  }

  /**
   * Runs the blocks (with the current token reduction) and the final LayerNorm over any token
   * sequence, e.g. the class token followed by a subset of patch tokens.
   *
   * @param tokens (N, T, D), T ≥ 1; with pruning or merging on, token 0 must be the class token
   * @return (N, T', D), T' = T without token reduction
   */
  public Tensor encodeTokens(Tensor tokens) {
    if (tokens.dim() != 3 || tokens.size(2) != config.dim() || tokens.size(1) == 0) {
      throw new ShapeException(getClass().getSimpleName() + ": expected tokens (N, T, " + config.dim() + "), got " + Shape.str(tokens.shape()));
    }
    TokenSchedule schedule = reduction.isNone() ? null : new TokenSchedule(reduction, tokens.size(0));
    Tensor x = tokens;
    for (int i = 0; i < blocks.size(); i++) x = blocks.get(i).forward(x, i, schedule);
    List<Integer> counts = new ArrayList<>(schedule == null ? List.of() : schedule.counts());
    if (schedule == null) for (int i = 0; i < blocks.size(); i++) counts.add(tokens.size(1));
    counts.add(x.size(1));
    lastTokenCounts = List.copyOf(counts);
    return norm.call(x);
  }

  /**
   * Sets the token pruning / merging of later forwards.
   *
   * @throws IllegalArgumentException when pruning names a block past the last
   */
  public Vit tokenReduction(TokenReduction r) {
    if (r.prunes() && r.pruneLayer() >= config.depth()) {
      throw new IllegalArgumentException("token pruning after block " + r.pruneLayer() + ", but the model has blocks 0.."
          + (config.depth() - 1));
    }
    this.reduction = r;
    return this;
  }

  public TokenReduction tokenReduction() {
    return reduction;
  }

  /** Tokens that entered each block's attention in the last forward, then the number that left the last block. */
  public List<Integer> lastTokenCounts() {
    return lastTokenCounts;
  }

  /** Forward FLOPs per image under the current token reduction (see {@link VitFlops}); a classifier head is not included. */
  public long flops() {
    return 2 * embedMacs() + VitFlops.blocks(config, reduction, config.numPatches() + 1);
  }

  /** Multiply-adds of the patch embedding per image: P · D · C·p². */
  protected long embedMacs() {
    long pp = (long) config.patchSize() * config.patchSize();
    return (long) config.numPatches() * config.dim() * config.inChannels() * pp;
  }

  /** The blocks, for inspection. */
  public List<VitBlock> blocks() {
    List<VitBlock> out = new ArrayList<>();
    for (VitBlock b : blocks) out.add(b);
    return out;
  }
}
