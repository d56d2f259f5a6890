package dev.fathom.xai.attention;

/**
 * Shape of a {@link TransformerClassifier}; names as timm's VisionTransformer where it has them.
 *
 * @param vocabSize token ids are in [0, vocabSize)
 * @param maxLen the longest token sequence (the [CLS] position comes on top)
 * @param embedDim D, the width of every position's vector
 * @param numHeads attention heads per block; divides embedDim
 * @param numLayers encoder blocks
 * @param ffDim the hidden width of each block's MLP
 * @param numClasses outputs of the head
 */
public record TransformerClassifierConfig(int vocabSize, int maxLen, int embedDim, int numHeads, int numLayers, int ffDim,
    int numClasses) {
  /**
   * Validates the shape.
   *
   * @throws IllegalArgumentException if a size is not positive or numHeads does not divide embedDim
   */
  public TransformerClassifierConfig {
    int[] sizes = {vocabSize, maxLen, embedDim, numHeads, numLayers, ffDim, numClasses};
    String[] names = {"vocabSize", "maxLen", "embedDim", "numHeads", "numLayers", "ffDim", "numClasses"};
    for (int i = 0; i < sizes.length; i++) {
      if (sizes[i] < 1) throw new IllegalArgumentException("TransformerClassifierConfig: " + names[i] + " must be >= 1, got " + sizes[i]);
    }
    if (embedDim % numHeads != 0) {
      throw new IllegalArgumentException("TransformerClassifierConfig: numHeads " + numHeads + " must divide embedDim " + embedDim);
    }
  }
}
