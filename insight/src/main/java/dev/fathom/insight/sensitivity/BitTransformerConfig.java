package dev.fathom.insight.sensitivity;

/**
 * Shape of the {@link BitTransformer}: a pre-LN encoder over bit tokens.
 *
 * @param dModel width of the residual stream
 * @param numHeads attention heads (divides dModel)
 * @param numLayers transformer blocks
 * @param dimFeedforward hidden width of each block's MLP
 * @param maxLen the longest token sequence (learned positions)
 * @param layerNormEps ε of every LayerNorm (1e-5 as PyTorch)
 */
public record BitTransformerConfig(int dModel, int numHeads, int numLayers, int dimFeedforward, int maxLen, double layerNormEps) {
  public BitTransformerConfig {
    if (dModel < 1) throw new IllegalArgumentException("BitTransformerConfig: dModel must be >= 1, got " + dModel);
    if (numHeads < 1 || dModel % numHeads != 0) {
      throw new IllegalArgumentException("BitTransformerConfig: numHeads must divide dModel = " + dModel + ", got " + numHeads);
    }
    if (numLayers < 1) throw new IllegalArgumentException("BitTransformerConfig: numLayers must be >= 1, got " + numLayers);
    if (dimFeedforward < 1) throw new IllegalArgumentException("BitTransformerConfig: dimFeedforward must be >= 1, got " + dimFeedforward);
    if (maxLen < 2) throw new IllegalArgumentException("BitTransformerConfig: maxLen must be >= 2, got " + maxLen);
    if (!(layerNormEps > 0)) throw new IllegalArgumentException("BitTransformerConfig: layerNormEps must be > 0, got " + layerNormEps);
  }

  /** The given shape with an MLP 4× wide and PyTorch's LayerNorm ε. */
  public static BitTransformerConfig of(int dModel, int numHeads, int numLayers, int maxLen) {
    return new BitTransformerConfig(dModel, numHeads, numLayers, 4 * dModel, maxLen, 1e-5);
  }

  /** This shape with another maximum sequence length. */
  public BitTransformerConfig withMaxLen(int maxLen) {
    return new BitTransformerConfig(dModel, numHeads, numLayers, dimFeedforward, maxLen, layerNormEps);
  }
}
