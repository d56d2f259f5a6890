package dev.fathom.train;

/**
 * How the {@link Trainer} loops.
 *
 * @param epochs total epochs (a resumed run continues up to this number)
 * @param accumulationSteps batches whose gradients are summed before each optimizer step
 * @param clipGradNorm global gradient-norm limit, or 0 for none
 */
public record TrainerConfig(int epochs, int accumulationSteps, double clipGradNorm) {
  public TrainerConfig {
    if (epochs <= 0) throw new IllegalArgumentException("Trainer: epochs must be > 0, got " + epochs);
    if (accumulationSteps <= 0) throw new IllegalArgumentException("Trainer: accumulationSteps must be > 0, got " + accumulationSteps);
    if (clipGradNorm < 0) throw new IllegalArgumentException("Trainer: clipGradNorm must be >= 0, got " + clipGradNorm);
  }

  public static TrainerConfig epochs(int epochs) {
    return new TrainerConfig(epochs, 1, 0);
  }
}
