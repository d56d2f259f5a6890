package dev.fathom.cli;

import dev.fathom.vision.models.VitConfig;
import picocli.CommandLine.Option;

/** The transformer sizes shared by {@code train --model vit|hybrid} and {@code ssl pretrain --method mae}. */
final class VitSizeOptions {
  @Option(names = "--patch", defaultValue = "4", description = "vit, mae: patch size (default: ${DEFAULT-VALUE})")
  int patch;

  @Option(names = "--dim", defaultValue = "64", description = "vit, hybrid, mae: token width (default: ${DEFAULT-VALUE})")
  int dim;

  @Option(names = "--depth", defaultValue = "4", description = "vit, hybrid, mae: transformer blocks (default: ${DEFAULT-VALUE})")
  int depth;

  @Option(names = "--heads", defaultValue = "4", description = "vit, hybrid, mae: attention heads (default: ${DEFAULT-VALUE})")
  int heads;

  @Option(names = "--mlp-ratio", defaultValue = "2", description = "vit, hybrid, mae: MLP width over token width (default: ${DEFAULT-VALUE})")
  double mlpRatio;

  /** A ViT of these sizes for square images of {@code size} with {@code channels}. */
  VitConfig vit(int size, int channels, String positions) {
    return new VitConfig(size, patch, channels, dim, depth, heads, mlpRatio, positions);
  }
}
