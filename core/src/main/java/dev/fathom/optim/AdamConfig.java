package dev.fathom.optim;

/** Hyper-parameters of {@link Adam} and {@link AdamW}, named as torch.optim.Adam. */
public record AdamConfig(double lr, double beta1, double beta2, double eps, double weightDecay) {
  public AdamConfig {
    if (!(lr > 0)) throw new IllegalArgumentException("Adam: lr must be > 0, got " + lr);
    if (beta1 < 0 || beta1 >= 1) throw new IllegalArgumentException("Adam: beta1 must be in [0, 1), got " + beta1);
    if (beta2 < 0 || beta2 >= 1) throw new IllegalArgumentException("Adam: beta2 must be in [0, 1), got " + beta2);
    if (!(eps > 0)) throw new IllegalArgumentException("Adam: eps must be > 0, got " + eps);
    if (weightDecay < 0) throw new IllegalArgumentException("Adam: weightDecay must be >= 0, got " + weightDecay);
  }

  /** PyTorch's Adam defaults with the given lr (betas 0.9/0.999, eps 1e-8, no decay). */
  public static AdamConfig of(double lr) {
    return new AdamConfig(lr, 0.9, 0.999, 1e-8, 0);
  }

  /** PyTorch's AdamW defaults with the given lr (weight decay 0.01). */
  public static AdamConfig adamW(double lr) {
    return new AdamConfig(lr, 0.9, 0.999, 1e-8, 0.01);
  }
}
