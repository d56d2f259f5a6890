package dev.fathom.xai.robust;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.xai.GradientModel;
import java.util.ArrayList;
import java.util.List;

/**
 * The standard checks that a robustness figure is not an artefact of gradient masking (Athalye,
 * Carlini &amp; Wagner 2018; Carlini et al. 2019, "On evaluating adversarial robustness"):
 * <ol>
 *   <li>iterative attacks are at least as strong as single-step ones: acc(PGD) ≤ acc(FGSM);</li>
 *   <li>unbounded attacks succeed: accuracy falls as ε grows and is near 0 (≤ 2%) at ε = half the
 *       valid range (0.5 for images in [0, 1]: enough to paint any class), or 16·ε for unbounded
 *       inputs;</li>
 *   <li>more steps never help the model: accuracy is non-increasing in the step count;</li>
 *   <li>gradients beat chance: random sign noise of the same ε hurts less than PGD.</li>
 * </ol>
 * Accuracies come from a finite sample, so the monotonicity checks allow a slack of 0.5 points.
 */
public final class MaskingChecks {
  private MaskingChecks() {}

  /** Slack, in accuracy, for comparisons between two estimated accuracies. */
  public static final double SLACK = 0.005;

  /** A check's verdict with the figures behind it. */
  public record Check(String name, boolean passed, String detail) {}

  /**
   * @param attack the PGD configuration under test (L∞)
   * @param pgdAccuracy accuracy under {@code attack}, already measured
   */
  public static List<Check> run(GradientModel model, Tensor x, int[] y, PgdConfig attack, double pgdAccuracy) {
    List<Check> out = new ArrayList<>();
    double eps = attack.eps();
    double fgsm = accuracy(model, x, y, PgdConfig.fgsm(eps, attack.clipMin(), attack.clipMax()));
    out.add(new Check("PGD no weaker than FGSM", pgdAccuracy <= fgsm + SLACK,
        String.format("PGD %.2f%% vs FGSM %.2f%% at eps %.3g", 100 * pgdAccuracy, 100 * fgsm, eps)));

    double range = (double) attack.clipMax() - attack.clipMin();
    double far = range < 1e6 ? 0.5 * range : 16 * Math.max(eps, 0.1);
    double[] grid = {eps, Math.min(far, 2 * eps), Math.min(far, 4 * eps), far};
    double[] acc = new double[grid.length];
    boolean monotone = true;
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < grid.length; i++) {
      acc[i] = i == 0 ? pgdAccuracy : accuracy(model, x, y, attack.withEps(grid[i]));
      if (i > 0 && acc[i] > acc[i - 1] + SLACK) monotone = false;
      s.append(String.format("%seps %.3g: %.2f%%", i == 0 ? "" : ", ", grid[i], 100 * acc[i]));
    }
    out.add(new Check("accuracy falls to ~0 as eps grows", monotone && acc[acc.length - 1] <= 0.02, s.toString()));

    int[] stepsGrid = {attack.steps(), 2 * attack.steps(), 5 * attack.steps()};
    StringBuilder st = new StringBuilder();
    boolean never = true;
    double prev = pgdAccuracy;
    for (int i = 0; i < stepsGrid.length; i++) {
      double a = i == 0 ? pgdAccuracy : accuracy(model, x, y, attack.withSteps(stepsGrid[i]));
      if (i > 0 && a > prev + SLACK) never = false;
      prev = a;
      st.append(String.format("%s%d steps: %.2f%%", i == 0 ? "" : ", ", stepsGrid[i], 100 * a));
    }
    out.add(new Check("more steps never help the model", never, st.toString()));

    double noise = noiseAccuracy(model, x, y, eps, attack.clipMin(), attack.clipMax(), attack.seed());
    out.add(new Check("random noise weaker than PGD", noise >= pgdAccuracy - SLACK,
        String.format("random sign noise %.2f%% vs PGD %.2f%%", 100 * noise, 100 * pgdAccuracy)));
    return out;
  }

  private static double accuracy(GradientModel model, Tensor x, int[] y, PgdConfig c) {
    return Robustness.evaluate(model, x, y, new Pgd(c), 500).adversarial();
  }

  /** Accuracy on x + ε·(random signs), clipped to the valid range. */
  static double noiseAccuracy(GradientModel model, Tensor x, int[] y, double eps, float lo, float hi, long seed) {
    float[] d = x.data().clone();
    Rng rng = new Rng(seed ^ 0x5DEECE66DL);
    for (int i = 0; i < d.length; i++) d[i] = Math.min(hi, Math.max(lo, d[i] + (float) (rng.nextDouble() < 0.5 ? -eps : eps)));
    int[] p = model.predictions(Tensor.of(d, x.shape()));
    int ok = 0;
    for (int i = 0; i < y.length; i++) if (p[i] == y[i]) ok++;
    return (double) ok / y.length;
  }
}
