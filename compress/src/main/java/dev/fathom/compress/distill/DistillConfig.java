package dev.fathom.compress.distill;

/**
 * Hyper-parameters of the distillation loss L = α·T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)) + (1−α)·CE(z_s, y).
 *
 * @param temperature T &gt; 0, the softening of both distributions (Hinton et al. use 2 to 20; 1 is none)
 * @param alpha weight α ∈ [0, 1] of the soft (teacher) term; 0 is plain cross-entropy on the hard labels
 */
public record DistillConfig(double temperature, double alpha) {
  /** The defaults used by {@code fathom compress distill}: T = 2, α = 0.5. */
  public static final DistillConfig DEFAULT = new DistillConfig(2.0, 0.5);

  public DistillConfig {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("DistillConfig: expected a finite temperature > 0, got " + temperature);
    }
    if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("DistillConfig: expected alpha in [0, 1], got " + alpha);
  }

  /** The hard-label baseline: same temperature, α = 0 (the teacher is not consulted). */
  public static DistillConfig hardLabelsOnly() {
    return new DistillConfig(1.0, 0.0);
  }

  /** Whether the loss ignores the teacher (α = 0). */
  public boolean usesTeacher() {
    return alpha > 0;
  }
}
