package dev.fathom.insight.sensitivity;

/**
 * Training and measurement settings of one sensitivity probe run. Training draws a fresh batch of
 * uniformly random inputs every step (infinite data, as Hahn and Rofin), and optimizes
 * cross-entropy with AdamW under linear warmup then cosine decay to lr/10, clipping the gradient
 * norm.
 *
 * @param steps optimizer steps
 * @param batchSize fresh examples per step
 * @param lr peak learning rate
 * @param weightDecay AdamW's decoupled weight decay
 * @param warmupSteps linear warmup steps (≤ steps)
 * @param maxGradNorm gradient clipping threshold (torch's clip_grad_norm_)
 * @param testSize test inputs; at lengths with 2ⁿ ≤ testSize all 2ⁿ inputs are used instead
 * @param sharpnessRadius ρ of {@link Sharpness} (relative to each tensor's norm)
 * @param sharpnessDraws perturbations averaged by {@link Sharpness}
 * @param seed seeds the initialization, the training data, the test data and the perturbations
 */
public record ProbeConfig(int steps, int batchSize, double lr, double weightDecay, int warmupSteps, double maxGradNorm,
    int testSize, double sharpnessRadius, int sharpnessDraws, long seed) {
  public ProbeConfig {
    if (steps < 1) throw new IllegalArgumentException("ProbeConfig: steps must be >= 1, got " + steps);
    if (batchSize < 1) throw new IllegalArgumentException("ProbeConfig: batchSize must be >= 1, got " + batchSize);
    if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("ProbeConfig: lr must be finite and > 0, got " + lr);
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw new IllegalArgumentException("ProbeConfig: weightDecay must be finite and >= 0, got " + weightDecay);
    }
    if (warmupSteps < 0 || warmupSteps > steps) {
      throw new IllegalArgumentException("ProbeConfig: warmupSteps must be in [0, steps = " + steps + "], got " + warmupSteps);
    }
    if (!(maxGradNorm > 0)) throw new IllegalArgumentException("ProbeConfig: maxGradNorm must be > 0, got " + maxGradNorm);
    if (testSize < 1) throw new IllegalArgumentException("ProbeConfig: testSize must be >= 1, got " + testSize);
    if (!(sharpnessRadius >= 0) || Double.isInfinite(sharpnessRadius)) {
      throw new IllegalArgumentException("ProbeConfig: sharpnessRadius must be finite and >= 0, got " + sharpnessRadius);
    }
    if (sharpnessDraws < 1) throw new IllegalArgumentException("ProbeConfig: sharpnessDraws must be >= 1, got " + sharpnessDraws);
  }

  /** The defaults of {@code fathom sensitivity} with the given steps and seed. */
  public static ProbeConfig of(int steps, long seed) {
    return new ProbeConfig(steps, 64, 1e-3, 0.01, Math.min(steps, 100), 1.0, 2048, 0.05, 8, seed);
  }
}
