package dev.fathom.xai.robust;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.xai.GradientModel;
import dev.fathom.xai.Output;

/**
 * Untargeted projected gradient ascent on the cross-entropy loss (Madry et al. 2018):
 * x_{t+1} = Π_{ball(x, ε) ∩ [clipMin, clipMax]}(x_t + α·step(∇ₓ ℓ(x_t, y))), with step = sign(·)
 * in L∞ and ·/‖·‖₂ in L2. FGSM is one L∞ step of size ε from x without a random start.
 *
 * <p>The loss gradient comes from {@link GradientModel#gradient} on the log-probability of the
 * true class (∇ℓ = −∇ log p_y), so parameters are frozen during the attack. Over restarts each
 * example keeps the perturbation that fooled the model, or failing that the one with the highest
 * loss.
 */
public final class Pgd {
  private final PgdConfig config;

  public Pgd(PgdConfig config) {
    this.config = config;
  }

  public PgdConfig config() {
    return config;
  }

  /**
   * Adversarial examples for (x, y).
   *
   * @param model any output; the attack uses log-probabilities of the same network
   * @param x (B, inputShape...) inside [clipMin, clipMax]
   * @param labels the true classes
   * @return (B, inputShape...) within ε of x in the configured norm
   */
  public Tensor perturb(GradientModel model, Tensor x, int[] labels) {
    GradientModel lp = model.withOutput(Output.LOG_PROBABILITY);
    lp.checkInput(x);
    int n = x.size(0), f = lp.features();
    float[] xd = x.data();
    float[] best = xd.clone();
    double[] bestLoss = new double[n];
    java.util.Arrays.fill(bestLoss, Double.NEGATIVE_INFINITY);
    boolean[] fooled = new boolean[n];
    Rng rng = new Rng(config.seed());
    for (int r = 0; r < config.restarts(); r++) {
      float[] adv = xd.clone();
      if (config.randomStart() && config.eps() > 0) randomStart(adv, xd, n, f, rng);
      for (int s = 0; s < config.steps(); s++) {
        float[] g = lp.gradient(Tensor.of(adv, lp.batchShape(n)), labels).data(); // ∇ log p_y = −∇ℓ
        for (int i = 0; i < n; i++) step(adv, g, xd, i * f, f);
      }
      Tensor a = Tensor.of(adv, lp.batchShape(n));
      float[] logp = lp.score(a, labels);
      int[] pred = lp.predictions(a);
      for (int i = 0; i < n; i++) {
        boolean wrong = pred[i] != labels[i];
        double loss = -logp[i];
        if ((wrong && !fooled[i]) || (wrong == fooled[i] && loss > bestLoss[i])) {
          fooled[i] = wrong;
          bestLoss[i] = loss;
          System.arraycopy(adv, i * f, best, i * f, f);
        }
      }
    }
    return Tensor.of(best, lp.batchShape(n));
  }

  private void step(float[] adv, float[] gradLogP, float[] x, int off, int f) {
    double alpha = config.alpha();
    if (config.norm() == Norm.LINF) {
      for (int j = off; j < off + f; j++) adv[j] -= (float) (alpha * Math.signum(gradLogP[j]));
    } else {
      double norm = 0;
      for (int j = off; j < off + f; j++) norm += (double) gradLogP[j] * gradLogP[j];
      norm = Math.sqrt(norm);
      if (norm > 0) for (int j = off; j < off + f; j++) adv[j] -= (float) (alpha * gradLogP[j] / norm);
    }
    project(adv, x, off, f);
  }

  /** Projects adv[off, off+f) onto the ε-ball around x and the valid range. */
  private void project(float[] adv, float[] x, int off, int f) {
    float eps = (float) config.eps();
    if (config.norm() == Norm.LINF) {
      for (int j = off; j < off + f; j++) adv[j] = Math.min(Math.max(adv[j], x[j] - eps), x[j] + eps);
    } else {
      double norm = 0;
      for (int j = off; j < off + f; j++) norm += (double) (adv[j] - x[j]) * (adv[j] - x[j]);
      norm = Math.sqrt(norm);
      if (norm > eps) {
        double scale = eps / norm;
        for (int j = off; j < off + f; j++) adv[j] = (float) (x[j] + (adv[j] - x[j]) * scale);
      }
    }
    for (int j = off; j < off + f; j++) adv[j] = Math.min(Math.max(adv[j], config.clipMin()), config.clipMax());
  }

  /** Uniform in the L∞ cube; in L2 a Gaussian direction with radius ε·u^(1/d), uniform in the ball. */
  private void randomStart(float[] adv, float[] x, int n, int f, Rng rng) {
    double eps = config.eps();
    for (int i = 0; i < n; i++) {
      int off = i * f;
      if (config.norm() == Norm.LINF) {
        for (int j = off; j < off + f; j++) adv[j] = (float) (x[j] + eps * (2 * rng.nextDouble() - 1));
      } else {
        double[] d = new double[f];
        double norm = 0;
        for (int j = 0; j < f; j++) {
          d[j] = rng.nextGaussian();
          norm += d[j] * d[j];
        }
        double radius = eps * Math.pow(rng.nextDouble(), 1.0 / f) / Math.sqrt(norm);
        for (int j = 0; j < f; j++) adv[off + j] = (float) (x[off + j] + radius * d[j]);
      }
      project(adv, x, off, f);
    }
  }
}
