package dev.fathom.vision.models;

import java.util.Arrays;

/**
 * Sizes of a small {@link ResNet}: a 3×3 stem conv to {@code widths[0]} channels, then one stage
 * per entry of {@code widths}, stage i made of {@code blocksPerStage[i]} basic blocks of width
 * {@code widths[i]}; every stage after the first halves the resolution in its first block.
 *
 * @param inChannels image channels (1 for Fashion-MNIST, 3 for RGB)
 * @param widths channels per stage
 * @param blocksPerStage basic blocks per stage (same length as widths)
 */
public record ResNetConfig(int inChannels, int[] widths, int[] blocksPerStage) {
  public ResNetConfig {
    if (inChannels <= 0) throw new IllegalArgumentException("ResNetConfig: inChannels must be > 0, got " + inChannels);
    if (widths == null || blocksPerStage == null || widths.length == 0) {
      throw new IllegalArgumentException("ResNetConfig: need at least one stage, got widths " + Arrays.toString(widths));
    }
    if (widths.length != blocksPerStage.length) {
      throw new IllegalArgumentException("ResNetConfig: widths and blocksPerStage must have the same length, got "
          + widths.length + " widths " + Arrays.toString(widths) + " and " + blocksPerStage.length + " block counts "
          + Arrays.toString(blocksPerStage));
    }
    if (Arrays.stream(widths).anyMatch(w -> w <= 0) || Arrays.stream(blocksPerStage).anyMatch(b -> b <= 0)) {
      throw new IllegalArgumentException("ResNetConfig: widths and block counts must be > 0, got widths " + Arrays.toString(widths)
          + ", blocksPerStage " + Arrays.toString(blocksPerStage));
    }
    widths = widths.clone();
    blocksPerStage = blocksPerStage.clone();
  }

  /** The default for 28×28 / 32×32 images: widths 16, 32, 64, one block per stage (about 0.17 M parameters). */
  public static ResNetConfig small(int inChannels) {
    return new ResNetConfig(inChannels, new int[] {16, 32, 64}, new int[] {1, 1, 1});
  }

  @Override
  public int[] widths() {
    return widths.clone();
  }

  @Override
  public int[] blocksPerStage() {
    return blocksPerStage.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResNetConfig c && c.inChannels == inChannels && Arrays.equals(c.widths, widths)
        && Arrays.equals(c.blocksPerStage, blocksPerStage);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * inChannels + Arrays.hashCode(widths)) + Arrays.hashCode(blocksPerStage);
  }

  @Override
  public String toString() {
    return "ResNetConfig[inChannels=" + inChannels + ", widths=" + Arrays.toString(widths) + ", blocksPerStage="
        + Arrays.toString(blocksPerStage) + "]";
  }
}
