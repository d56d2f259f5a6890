package dev.fathom.optim;

/** Hyper-parameters of {@link Sgd}, named as torch.optim.SGD. */
public record SgdConfig(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
  public SgdConfig {
    if (!(lr > 0)) throw new IllegalArgumentException("SGD: lr must be > 0, got " + lr);
    if (momentum < 0 || momentum >= 1) throw new IllegalArgumentException("SGD: momentum must be in [0, 1), got " + momentum);
    if (dampening < 0 || dampening > 1) throw new IllegalArgumentException("SGD: dampening must be in [0, 1], got " + dampening);
    if (weightDecay < 0) throw new IllegalArgumentException("SGD: weightDecay must be >= 0, got " + weightDecay);
    if (nesterov && (momentum <= 0 || dampening != 0)) {
      throw new IllegalArgumentException("SGD: Nesterov momentum requires momentum > 0 and dampening = 0, got " + momentum + ", " + dampening);
    }
  }

  public static SgdConfig of(double lr) {
    return new SgdConfig(lr, 0, 0, 0, false);
  }

  public static SgdConfig momentum(double lr, double momentum) {
    return new SgdConfig(lr, momentum, 0, 0, false);
  }
}
