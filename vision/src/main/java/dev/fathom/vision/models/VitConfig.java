package dev.fathom.vision.models;

/**
 * Sizes of a Vision Transformer (Dosovitskiy et al. 2021, "An Image is Worth 16x16 Words"):
 * images of {@code imageSize}² pixels cut into non-overlapping {@code patchSize}² patches, each a
 * token of width {@code dim}, through {@code depth} pre-norm blocks of {@code heads} heads and an
 * MLP of hidden width {@code mlpRatio·dim}.
 *
 * @param imageSize image height and width in pixels
 * @param patchSize patch height and width; must divide imageSize
 * @param inChannels image channels
 * @param dim token width D
 * @param depth number of blocks
 * @param heads attention heads; must divide dim
 * @param mlpRatio MLP hidden width over dim (4 in the paper)
 * @param positions "learned" (trainable, normal std 0.02) or "sincos" (fixed 2-D sine-cosine as in MAE; dim divisible by 4)
 */
public record VitConfig(int imageSize, int patchSize, int inChannels, int dim, int depth, int heads, double mlpRatio, String positions) {
  public static final String LEARNED = "learned", SINCOS = "sincos";

  public VitConfig {
    if (imageSize <= 0 || patchSize <= 0 || inChannels <= 0 || dim <= 0 || depth <= 0 || heads <= 0) {
      throw new IllegalArgumentException("VitConfig: imageSize, patchSize, inChannels, dim, depth and heads must be > 0, got imageSize "
          + imageSize + ", patchSize " + patchSize + ", inChannels " + inChannels + ", dim " + dim + ", depth " + depth + ", heads " + heads);
    }
    if (imageSize % patchSize != 0) {
      throw new IllegalArgumentException("VitConfig: patchSize must divide imageSize, got imageSize " + imageSize + " and patchSize "
          + patchSize + " (remainder " + imageSize % patchSize + ")");
    }
    if (dim % heads != 0) {
      throw new IllegalArgumentException("VitConfig: heads must divide dim, got dim " + dim + " and heads " + heads);
    }
    if (!(mlpRatio > 0) || mlpRatio * dim > 1 << 20) {
      throw new IllegalArgumentException("VitConfig: mlpRatio must be > 0 with mlpRatio·dim <= 1048576, got " + mlpRatio);
    }
    if (!LEARNED.equals(positions) && !SINCOS.equals(positions)) {
      throw new IllegalArgumentException("VitConfig: positions must be 'learned' or 'sincos', got '" + positions + "'");
    }
    if (SINCOS.equals(positions) && dim % 4 != 0) {
      throw new IllegalArgumentException("VitConfig: 2-D sin-cos positions need dim divisible by 4, got dim " + dim);
    }
  }

  /** Patches per side: imageSize / patchSize. */
  public int gridSize() {
    return imageSize / patchSize;
  }

  /** Number of patch tokens P = gridSize². */
  public int numPatches() {
    return gridSize() * gridSize();
  }

  /** Hidden width of each block's MLP: round(mlpRatio · dim). */
  public int mlpHidden() {
    return (int) Math.round(mlpRatio * dim);
  }
}
