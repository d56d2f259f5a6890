package dev.fathom.vision.ssl;

/**
 * BYOL's hyper-parameters (Grill et al. 2020).
 *
 * @param hiddenDim projector and predictor hidden width
 * @param projectionDim projector and predictor output width
 * @param momentum base EMA rate τ_base of the target network; τ rises to 1 along a cosine
 */
public record ByolConfig(int hiddenDim, int projectionDim, double momentum) {
  public ByolConfig {
    if (hiddenDim <= 0 || projectionDim <= 0) {
      throw new IllegalArgumentException("ByolConfig: hiddenDim and projectionDim must be > 0, got " + hiddenDim + ", " + projectionDim);
    }
    if (!(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException("ByolConfig: momentum must be in [0, 1], got " + momentum);
  }

  /** Heads 256 → 128, τ_base 0.99 (BYOL's small-batch setting). */
  public static ByolConfig defaults() {
    return new ByolConfig(256, 128, 0.99);
  }
}
