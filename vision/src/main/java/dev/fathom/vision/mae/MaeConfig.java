package dev.fathom.vision.mae;

/**
 * The MAE-specific settings around a ViT encoder (names as the reference implementation's
 * {@code models_mae.py}).
 *
 * @param maskRatio share of patches hidden from the encoder (0.75 in the paper)
 * @param decoderEmbedDim width of the decoder
 * @param decoderDepth decoder blocks
 * @param decoderNumHeads decoder attention heads
 * @param normPixLoss standardize each target patch before the loss
 */
public record MaeConfig(double maskRatio, int decoderEmbedDim, int decoderDepth, int decoderNumHeads, boolean normPixLoss) {
  public MaeConfig {
    if (!(maskRatio >= 0 && maskRatio < 1)) throw new IllegalArgumentException("maskRatio must be in [0, 1), got " + maskRatio);
    if (decoderEmbedDim <= 0 || decoderDepth <= 0 || decoderNumHeads <= 0) {
      throw new IllegalArgumentException("decoder sizes must be positive, got dim " + decoderEmbedDim + ", depth " + decoderDepth
          + ", heads " + decoderNumHeads);
    }
    if (decoderEmbedDim % decoderNumHeads != 0) {
      throw new IllegalArgumentException("decoderEmbedDim " + decoderEmbedDim + " is not divisible by decoderNumHeads " + decoderNumHeads);
    }
  }

  /** The paper's recipe scaled to small images: 75% masking, a 2-block decoder of width 64, normalized pixels. */
  public static MaeConfig small() {
    return new MaeConfig(0.75, 64, 2, 4, true);
  }
}
