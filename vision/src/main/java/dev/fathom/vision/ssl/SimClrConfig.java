package dev.fathom.vision.ssl;

/**
 * SimCLR's hyper-parameters (Chen et al. 2020).
 *
 * @param hiddenDim projector hidden width
 * @param projectionDim projector output width (the space NT-Xent compares in)
 * @param temperature NT-Xent temperature τ
 */
public record SimClrConfig(int hiddenDim, int projectionDim, double temperature) {
  public SimClrConfig {
    if (hiddenDim <= 0 || projectionDim <= 0) {
      throw new IllegalArgumentException("SimClrConfig: hiddenDim and projectionDim must be > 0, got " + hiddenDim + ", " + projectionDim);
    }
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("SimClrConfig: temperature must be finite and > 0, got " + temperature);
    }
  }

  /** Projector 256 → 128 (for small encoders), τ = 0.5 as SimCLR's small-batch CIFAR setting. */
  public static SimClrConfig defaults() {
    return new SimClrConfig(256, 128, 0.5);
  }
}
