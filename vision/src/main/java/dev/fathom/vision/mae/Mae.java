package dev.fathom.vision.mae;

import dev.fathom.nn.LayerNorm;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.nn.ModuleList;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.vision.models.Encoder;
import dev.fathom.vision.models.PositionEmbeddings;
import dev.fathom.vision.models.TokenCombine;
import dev.fathom.vision.models.Vit;
import dev.fathom.vision.models.VitBlock;
import dev.fathom.vision.models.VitConfig;
import dev.fathom.vision.ssl.SslMethod;
import java.util.List;

/**
 * A masked autoencoder around a {@link Vit} encoder. The encoder sees only the visible patches
 * (plus its class token), so with 75% masking it runs on a quarter of the tokens; a narrow decoder
 * gets the encoded visible tokens back in place, a shared learned mask token at every hidden
 * position, fixed 2-D sin-cos positions, and predicts each hidden patch's pixels.
 *
 * <p>State-dict names follow the reference implementation: {@code encoder.*} (the ViT's own
 * names), {@code decoder_embed}, {@code mask_token}, {@code decoder_blocks.i}, {@code decoder_norm},
 * {@code decoder_pred}. The decoder's positions are fixed and not saved.
 */
public final class Mae extends Module implements SslMethod {
  public final Vit encoder;
  public final MaeConfig config;
  public final Linear decoderEmbed, decoderPred;
  public final Tensor maskToken;
  public final ModuleList<VitBlock> decoderBlocks;
  public final LayerNorm decoderNorm;
  private final Tensor decoderPos;
  private final int patchSize, channels, gridH, gridW;
  private final Rng maskRng;

  public Mae(Vit encoder, MaeConfig config, Rng rng) {
    this.encoder = child("encoder", encoder);
    this.config = config;
    VitConfig v = encoder.config();
    this.patchSize = v.patchSize();
    this.channels = v.inChannels();
    this.gridH = v.imageSize() / patchSize;
    this.gridW = v.imageSize() / patchSize;
    this.maskRng = rng.split();
    int dd = config.decoderEmbedDim();
    this.decoderEmbed = child("decoder_embed", new Linear(v.dim(), dd, rng));
    this.maskToken = param("mask_token", Tensor.randn(rng, 1, 1, dd).mul(0.02f));
    this.decoderBlocks = child("decoder_blocks", new ModuleList<>());
    for (int i = 0; i < config.decoderDepth(); i++) decoderBlocks.add(new VitBlock(dd, config.decoderNumHeads(), (int) Math.round(v.mlpRatio() * dd), rng));
    this.decoderNorm = child("decoder_norm", new LayerNorm(dd));
    this.decoderPred = child("decoder_pred", new Linear(dd, patchSize * patchSize * channels, rng));
    Tensor grid = PositionEmbeddings.sincos2d(gridH, gridW, dd);
    this.decoderPos = Tensor.cat(List.of(Tensor.zeros(1, dd), grid), 0).reshape(1, gridH * gridW + 1, dd);
  }

  /** Patches per image. */
  public int numPatches() {
    return gridH * gridW;
  }

  /** Patch side in pixels. */
  public int patchSize() {
    return patchSize;
  }

  /**
   * Encodes the visible patches of {@code images} (N, C, H, W) and predicts every patch:
   * (N, L, p·p·C) in {@link Patches#patchify} order (normalized pixels when {@link MaeConfig#normPixLoss()}).
   */
  public Tensor reconstruct(Tensor images, PatchMask mask) {
    int n = images.size(0);
    if (mask.batch() != n || mask.patches() != numPatches()) {
      throw new IllegalArgumentException("mask is for " + mask.batch() + " images of " + mask.patches() + " patches, got "
          + n + " images of " + numPatches());
    }
    if (!encoder.tokenReduction().isNone()) {
      throw new IllegalStateException("MAE needs every visible token back from its encoder; switch the encoder's token reduction off (it is "
          + encoder.tokenReduction() + ")");
    }
    Tensor visible = TokenCombine.select(encoder.embedPatches(images), mask.keep());
    int d = visible.size(2);
    Tensor cls = encoder.clsTokenWithPos().expand(n, 1, d);
    Tensor latent = encoder.encodeTokens(Tensor.cat(List.of(cls, visible), 1));
    Tensor y = decoderEmbed.call(latent);
    int k = mask.visible(), l = numPatches(), dd = config.decoderEmbedDim();
    Tensor full = Tensor.cat(List.of(y, maskToken.expand(n, l - k, dd)), 1);
    Tensor x = TokenCombine.select(full, restoreOrder(mask)).add(decoderPos);
    for (VitBlock b : decoderBlocks) x = b.call(x);
    return decoderPred.call(decoderNorm.call(x)).narrow(1, 1, l);
  }

  /** Reconstructs under {@code mask} and returns the MAE loss on its hidden patches. */
  public Tensor loss(Tensor images, PatchMask mask) {
    return MaeLoss.loss(reconstruct(images, mask), Patches.patchify(images, patchSize), mask, config.normPixLoss());
  }

  /** A fresh random mask at the configured ratio for a batch of {@code n}. */
  public PatchMask randomMask(int n, Rng rng) {
    return PatchMask.random(n, numPatches(), config.maskRatio(), rng);
  }

  /** A batch's loss under a fresh random mask (one view per image: MAE needs no augmented pairs). */
  @Override
  public Tensor loss(Tensor views, int viewCount) {
    if (viewCount != 1) throw new IllegalArgumentException("MAE trains on one view per image, got " + viewCount);
    return loss(views, randomMask(views.size(0), maskRng));
  }

  @Override
  public int viewCount() {
    return 1;
  }

  @Override
  public String name() {
    return "mae";
  }

  @Override
  public Encoder encoder() {
    return encoder;
  }

  @Override
  public Module model() {
    return this;
  }

  @Override
  public Tensor forward(Tensor images) {
    throw new UnsupportedOperationException("Mae needs a mask: call loss(images, mask) or reconstruct(images, mask)");
  }

  /**
   * For each image, where each decoder position takes its token from the sequence
   * [cls, visible in keep order, mask tokens in hidden order]: position 0 is the class token,
   * position 1 + p is patch p.
   */
  private static int[][] restoreOrder(PatchMask mask) {
    int n = mask.batch(), l = mask.patches(), k = mask.visible();
    int[][] rows = new int[n][l + 1];
    for (int i = 0; i < n; i++) {
      int[] keep = mask.keep()[i], hidden = mask.hidden()[i];
      for (int j = 0; j < keep.length; j++) rows[i][1 + keep[j]] = 1 + j;
      for (int j = 0; j < hidden.length; j++) rows[i][1 + hidden[j]] = 1 + k + j;
    }
    return rows;
  }
}
