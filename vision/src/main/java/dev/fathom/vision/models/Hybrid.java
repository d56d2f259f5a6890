package dev.fathom.vision.models;

import dev.fathom.tensor.Rng;

/**
 * A hybrid convolution-stem transformer (Dosovitskiy et al. 2021, section 3.1; Xiao et al. 2021,
 * "Early Convolutions Help Transformers See Better"): a small conv stem ({@code patch_embed.backbone},
 * {@code patch_embed.proj}) turns the image into a coarse feature map whose cells are the tokens,
 * then the same class token, positions, blocks and norm as {@link Vit}. The stem gives the
 * tokens locality and overlap that a linear patch embedding lacks.
 */
public final class Hybrid extends Vit {
  private final HybridConfig hybridConfig;
  private final ConvStem stem;

  public Hybrid(HybridConfig config, Rng rng) {
    this(config, new ConvStem(config.inChannels(), config.stemChannels(), config.dim(), rng), rng);
  }

  private Hybrid(HybridConfig config, ConvStem stem, Rng rng) {
    super(config.vit(), stem, rng);
    this.hybridConfig = config;
    this.stem = stem;
  }

  public HybridConfig hybridConfig() {
    return hybridConfig;
  }

  /** The conv stem's multiply-adds per image. */
  @Override
  protected long embedMacs() {
    return stem.macs(hybridConfig.imageSize());
  }
}
