package dev.fathom.cli;

import dev.fathom.vision.mae.MaeConfig;
import dev.fathom.vision.models.VitConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of {@code fathom ssl pretrain --method mae}: the ViT encoder's sizes, the MAE decoder and masking. */
final class MaeOptions {
  @Mixin
  VitSizeOptions sizes;

  @Option(names = "--mask-ratio", defaultValue = "0.75", description = "mae: share of patches hidden from the encoder (default: ${DEFAULT-VALUE})")
  double maskRatio;

  @Option(names = "--decoder-dim", defaultValue = "64", description = "mae: decoder width (default: ${DEFAULT-VALUE})")
  int decoderDim;

  @Option(names = "--decoder-depth", defaultValue = "2", description = "mae: decoder blocks (default: ${DEFAULT-VALUE})")
  int decoderDepth;

  @Option(names = "--decoder-heads", defaultValue = "4", description = "mae: decoder heads (default: ${DEFAULT-VALUE})")
  int decoderHeads;

  @Option(names = "--norm-pix-loss", description = "mae: standardize each target patch (the paper's variant); scores are then in that space")
  boolean normPixLoss;

  /** The encoder's config for square images of {@code size} with {@code channels}; fixed sin-cos positions as in MAE. */
  VitConfig vit(int channels, int size) {
    return sizes.vit(size, channels, VitConfig.SINCOS);
  }

  MaeConfig mae() {
    return new MaeConfig(maskRatio, decoderDim, decoderDepth, decoderHeads, normPixLoss);
  }
}
