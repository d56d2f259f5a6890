package dev.fathom.insight.sensitivity;

/**
 * Training and measurement settings of one sensitivity probe run. Training draws a fresh batch of
 * uniformly random inputs every step (infinite data, as Hahn and Rofin), and optimizes
 * cross-entropy with AdamW under linear warmup then cosine decay to lr/10, clipping the gradient
 * norm. Training stops early once the mean training loss over the last {@link #STOP_WINDOW} steps
 * is at most {@code stopLoss}, so that models of different tasks are compared at the same loss
 * (and tasks that are learned fast leave the time to those that are not). The stop is followed
 * by a cooldown of max({@link #STOP_WINDOW}, steps so far / 10) steps whose learning rate falls
 * linearly from its value at the stop to 0: at the peak rate the loss still spikes now and then
 * (a model stopped right after a spiking update was measured at 89% on majority of 17 bits while
 * its training loss read 0.01), and the cooldown settles it into the minimum it found.
 *
 * @param steps the most optimizer steps
 * @param batchSize fresh examples per step
 * @param lr peak learning rate
 * @param weightDecay AdamW's decoupled weight decay
 * @param warmupSteps linear warmup steps (≤ steps)
 * @param maxGradNorm gradient clipping threshold (torch's clip_grad_norm_)
 * @param testSize test inputs; at lengths with 2ⁿ ≤ testSize all 2ⁿ inputs are used instead
 * @param sharpnessRadius ρ of {@link Sharpness} (relative to each tensor's norm)
 * @param sharpnessDraws antithetic perturbation pairs averaged by {@link Sharpness}
 * @param stopLoss stop once the windowed mean training loss is ≤ this (0: always run all steps)
 * @param seed seeds the initialization, the training data, the test data and the perturbations
 */
public record ProbeConfig(int steps, int batchSize, double lr, double weightDecay, int warmupSteps, double maxGradNorm,
    int testSize, double sharpnessRadius, int sharpnessDraws, double stopLoss, long seed) {
  /** Steps over which the training loss is averaged for {@code stopLoss}. */
  public static final int STOP_WINDOW = 50;

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
    if (!(stopLoss >= 0) || Double.isInfinite(stopLoss)) {
      throw new IllegalArgumentException("ProbeConfig: stopLoss must be finite and >= 0, got " + stopLoss);
    }
  }

  /**
   * The defaults of {@code fathom sensitivity} with the given steps and seed: batch 64, lr 3e-3,
   * no weight decay (the norm is free to grow, as the theory asks it to for sensitive functions),
   * warmup over the first 5%, clipping at 1, 2048 test inputs, sharpness ρ = 0.1 over 8 pairs,
   * early stop at a training loss of 0.01.
   */
  public static ProbeConfig of(int steps, long seed) {
    return new ProbeConfig(steps, 64, 3e-3, 0, warmupFor(steps), 1.0, 2048, 0.1, 8, 0.01, seed);
  }

  /** The warmup of the defaults: 5% of the steps, at least one. */
  public static int warmupFor(int steps) {
    return Math.min(steps, Math.max(1, steps / 20));
  }
}
