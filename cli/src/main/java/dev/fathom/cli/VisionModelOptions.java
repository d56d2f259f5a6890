package dev.fathom.cli;

import dev.fathom.vision.models.HybridConfig;
import dev.fathom.vision.models.ImageClassifierConfig;
import dev.fathom.vision.models.ResNetConfig;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The size options of {@code fathom train --model vit|hybrid|resnet}. */
final class VisionModelOptions {
  @Mixin
  VitSizeOptions sizes;

  @Option(names = "--positions", defaultValue = "learned", description = "vit, hybrid: learned or sincos (default: ${DEFAULT-VALUE})")
  String positions;

  @Option(names = "--stem", defaultValue = "12,24", split = ",", description = "hybrid: channels of the stride-2 stem convs (default: ${DEFAULT-VALUE})")
  int[] stem;

  @Option(names = "--widths", defaultValue = "16,32,64", split = ",", description = "resnet: channels per stage (default: ${DEFAULT-VALUE})")
  int[] widths;

  @Option(names = "--blocks", defaultValue = "1,1,1", split = ",", description = "resnet: basic blocks per stage (default: ${DEFAULT-VALUE})")
  int[] blocks;

  /** The checkpoint config for {@code model} on images of {@code inputShape}; bad sizes become a CliException. */
  ImageClassifierConfig config(String model, int[] inputShape, List<String> classNames, String data) {
    try {
      int c = inputShape[0], size = inputShape[1];
      if (!"resnet".equals(model) && inputShape[1] != inputShape[2]) {
        throw new IllegalArgumentException("vit and hybrid need square images, got " + Arrays.toString(inputShape));
      }
      return switch (model) {
        case "vit" -> new ImageClassifierConfig(model, inputShape, classNames.size(), classNames, data,
            sizes.vit(size, c, positions), null, null);
        case "hybrid" -> new ImageClassifierConfig(model, inputShape, classNames.size(), classNames, data, null,
            new HybridConfig(size, c, stem, sizes.dim, sizes.depth, sizes.heads, sizes.mlpRatio, positions), null);
        default -> new ImageClassifierConfig(model, inputShape, classNames.size(), classNames, data, null, null,
            new ResNetConfig(c, widths, blocks));
      };
    } catch (IllegalArgumentException e) {
      throw new CliException("--model " + model + ": " + e.getMessage(), 2);
    }
  }
}
