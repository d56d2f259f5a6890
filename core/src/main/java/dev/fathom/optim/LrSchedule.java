package dev.fathom.optim;

/** A learning rate as a function of the optimizer step (0-based). */
@FunctionalInterface
public interface LrSchedule {
  double lr(long step);

  /** A constant rate. */
  static LrSchedule constant(double lr) {
    return step -> lr;
  }

  /**
   * Linear warmup from 0 to {@code baseLr} over {@code warmupSteps}, then cosine decay to
   * {@code minLr} at {@code totalSteps} (and {@code minLr} after).
   */
  static LrSchedule cosineWithWarmup(double baseLr, long warmupSteps, long totalSteps, double minLr) {
    if (warmupSteps < 0 || totalSteps <= 0 || warmupSteps > totalSteps || minLr < 0 || minLr > baseLr) {
      throw new IllegalArgumentException("cosine schedule: need 0 <= warmup <= total, total > 0, 0 <= minLr <= baseLr; got warmup="
          + warmupSteps + ", total=" + totalSteps + ", baseLr=" + baseLr + ", minLr=" + minLr);
    }
    return step -> {
      if (step < warmupSteps) return baseLr * (step + 1) / warmupSteps;
      if (step >= totalSteps) return minLr;
      double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
      return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * progress));
    };
  }

  /** Step decay: baseLr·gamma^floor(step / stepSize) (torch.optim.lr_scheduler.StepLR). */
  static LrSchedule stepDecay(double baseLr, long stepSize, double gamma) {
    if (stepSize <= 0 || gamma <= 0) {
      throw new IllegalArgumentException("step decay: need stepSize > 0 and gamma > 0, got " + stepSize + ", " + gamma);
    }
    return step -> baseLr * Math.pow(gamma, step / stepSize);
  }
}
