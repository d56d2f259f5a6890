package dev.fathom.xai.robust;

/**
 * Projected gradient descent on the loss (Madry et al. 2018), and FGSM as its one-step case.
 *
 * @param eps radius of the threat ball
 * @param alpha step size (L∞: per-feature step; L2: step length)
 * @param steps gradient steps per restart
 * @param restarts independent random starts; an example counts as robust only if every one fails
 * @param norm the threat model
 * @param randomStart start from a uniform draw in the ball (else from x)
 * @param clipMin smallest valid feature value (0 for images in [0, 1])
 * @param clipMax largest valid feature value
 * @param seed random starts
 */
public record PgdConfig(double eps, double alpha, int steps, int restarts, Norm norm, boolean randomStart, float clipMin, float clipMax,
    long seed) {
  public PgdConfig {
    if (!(eps >= 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("eps must be a finite number >= 0, got " + eps);
    if (!(alpha > 0)) throw new IllegalArgumentException("alpha (step size) must be > 0, got " + alpha);
    if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    if (restarts < 1) throw new IllegalArgumentException("restarts must be >= 1, got " + restarts);
    if (!(clipMin < clipMax)) throw new IllegalArgumentException("clip range must have min < max, got [" + clipMin + ", " + clipMax + "]");
  }

  /** PGD in L∞ on images in [0, 1] with the customary step α = 2.5 ε / steps and a random start. */
  public static PgdConfig linf(double eps, int steps, int restarts, long seed) {
    return new PgdConfig(eps, eps == 0 ? 1e-3 : 2.5 * eps / steps, steps, restarts, Norm.LINF, true, 0f, 1f, seed);
  }

  /** FGSM (Goodfellow, Shlens &amp; Szegedy 2015): one signed-gradient step of size ε from x. */
  public static PgdConfig fgsm(double eps) {
    return fgsm(eps, 0f, 1f);
  }

  /** FGSM on inputs in [clipMin, clipMax]. */
  public static PgdConfig fgsm(double eps, float clipMin, float clipMax) {
    return new PgdConfig(eps, eps == 0 ? 1e-3 : eps, 1, 1, Norm.LINF, false, clipMin, clipMax, 0);
  }

  public PgdConfig withSeed(long s) {
    return new PgdConfig(eps, alpha, steps, restarts, norm, randomStart, clipMin, clipMax, s);
  }

  public PgdConfig withSteps(int s) {
    return new PgdConfig(eps, alpha, s, restarts, norm, randomStart, clipMin, clipMax, seed);
  }

  /** The same attack at radius e, the step scaled with it (α/ε kept; from ε = 0, FGSM's step e or PGD's 2.5·e/steps). */
  public PgdConfig withEps(double e) {
    double a = e == 0 ? 1e-3 : eps == 0 ? (steps == 1 ? e : 2.5 * e / steps) : alpha / eps * e;
    return new PgdConfig(e, a, steps, restarts, norm, randomStart, clipMin, clipMax, seed);
  }
}
