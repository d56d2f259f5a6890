package dev.fathom.xai.robust;

import dev.fathom.tensor.Tensor;
import dev.fathom.xai.GradientModel;

/** Clean and adversarial accuracy of a classifier on a labelled set. */
public final class Robustness {
  private Robustness() {}

  /**
   * @param clean accuracy on the unperturbed inputs
   * @param adversarial accuracy on the attack's outputs
   * @param examples number of examples
   */
  public record Accuracy(double clean, double adversarial, int examples) {}

  /** Attacks the examples in batches of {@code batch} and counts correct predictions before and after. */
  public static Accuracy evaluate(GradientModel model, Tensor x, int[] labels, Pgd attack, int batch) {
    model.checkInput(x);
    int n = x.size(0);
    if (labels.length != n) throw new IllegalArgumentException("labels: expected " + n + ", got " + labels.length);
    long clean = 0, adv = 0;
    for (int s = 0; s < n; s += batch) {
      int len = Math.min(batch, n - s);
      Tensor xb = x.narrow(0, s, len);
      int[] yb = java.util.Arrays.copyOfRange(labels, s, s + len);
      int[] p = model.predictions(xb);
      int[] pa = model.predictions(attack.perturb(model, xb, yb));
      for (int i = 0; i < len; i++) {
        if (p[i] == yb[i]) clean++;
        if (pa[i] == yb[i]) adv++;
      }
    }
    return new Accuracy((double) clean / n, (double) adv / n, n);
  }
}
