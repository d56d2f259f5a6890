package dev.fathom.vision.models;

import java.util.Arrays;

/**
 * Sizes of a {@link Hybrid}: a conv stem of {@code stemChannels.length} 3×3 stride-2
 * conv-BN-ReLU layers (so the feature map is imageSize / 2^k per side, 7×7 for 28×28 images and
 * two layers), whose cells become tokens of width {@code dim}, then ViT blocks as in {@link VitConfig}.
 *
 * @param imageSize image height and width; divisible by 2^stemChannels.length
 * @param inChannels image channels
 * @param stemChannels output channels of each stem conv
 * @param dim token width
 * @param depth transformer blocks
 * @param heads attention heads; must divide dim
 * @param mlpRatio MLP hidden width over dim
 * @param positions "learned" or "sincos"
 */
public record HybridConfig(int imageSize, int inChannels, int[] stemChannels, int dim, int depth, int heads, double mlpRatio, String positions) {
  public HybridConfig {
    if (stemChannels == null || stemChannels.length == 0 || stemChannels.length > 8 || Arrays.stream(stemChannels).anyMatch(c -> c <= 0)) {
      throw new IllegalArgumentException("HybridConfig: stemChannels must be 1 to 8 positive channel counts, got " + Arrays.toString(stemChannels));
    }
    if (imageSize <= 0 || imageSize % (1 << stemChannels.length) != 0) {
      throw new IllegalArgumentException("HybridConfig: " + stemChannels.length + " stride-2 stem convs need imageSize divisible by "
          + (1 << stemChannels.length) + ", got imageSize " + imageSize);
    }
    stemChannels = stemChannels.clone();
    vit(imageSize, inChannels, stemChannels, dim, depth, heads, mlpRatio, positions);  // validates the transformer part
  }

  /** The transformer part as a ViT config whose "patch" is the stem's total stride 2^k. */
  public VitConfig vit() {
    return vit(imageSize, inChannels, stemChannels, dim, depth, heads, mlpRatio, positions);
  }

  private static VitConfig vit(int imageSize, int inChannels, int[] stem, int dim, int depth, int heads, double mlpRatio, String positions) {
    return new VitConfig(imageSize, 1 << stem.length, inChannels, dim, depth, heads, mlpRatio, positions);
  }

  @Override
  public int[] stemChannels() {
    return stemChannels.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HybridConfig c && vit().equals(c.vit()) && Arrays.equals(stemChannels, c.stemChannels);
  }

  @Override
  public int hashCode() {
    return 31 * vit().hashCode() + Arrays.hashCode(stemChannels);
  }

  @Override
  public String toString() {
    return "HybridConfig[stemChannels=" + Arrays.toString(stemChannels) + ", " + vit() + "]";
  }
}
