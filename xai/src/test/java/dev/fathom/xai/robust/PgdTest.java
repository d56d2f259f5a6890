package dev.fathom.xai.robust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.nn.Activation;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.xai.GradientModel;
import dev.fathom.xai.Output;
import org.junit.jupiter.api.Test;

class PgdTest {
  private static final int D = 12;

  private static GradientModel model(Rng rng) {
    return GradientModel.of(new Sequential(new Linear(D, 16, rng), Activation.relu(), new Linear(16, 3, rng)), Output.LOGIT, D);
  }

  @Test
  void fgsmIsOneSignedStepOfTheLossGradientClippedToTheRange() {
    Rng rng = new Rng(1);
    GradientModel m = model(rng);
    Tensor x = Tensor.rand(rng, 4, D);
    int[] y = {0, 1, 2, 0};
    float[] adv = new Pgd(PgdConfig.fgsm(0.05)).perturb(m, x, y).data();
    float[] g = m.withOutput(Output.LOG_PROBABILITY).gradient(x, y).data();
    float[] xd = x.data();
    for (int k = 0; k < adv.length; k++) {
      float expect = Math.min(1f, Math.max(0f, xd[k] - 0.05f * Math.signum(g[k])));
      assertThat(adv[k]).isCloseTo(expect, within(1e-6f));
    }
  }

  @Test
  void pgdStaysInTheBallAndRaisesTheLossAboveFgsm() {
    Rng rng = new Rng(2);
    GradientModel m = model(rng);
    Tensor x = Tensor.rand(rng, 32, D);
    int[] y = m.predictions(x);
    for (Norm norm : Norm.values()) {
      double eps = norm == Norm.LINF ? 0.1 : 0.5;
      var cfg = new PgdConfig(eps, 2.5 * eps / 10, 10, 2, norm, true, 0f, 1f, 3);
      float[] adv = new Pgd(cfg).perturb(m, x, y).data();
      float[] xd = x.data();
      for (int i = 0; i < 32; i++) {
        double l2 = 0, linf = 0;
        for (int j = 0; j < D; j++) {
          double d = adv[i * D + j] - xd[i * D + j];
          l2 += d * d;
          linf = Math.max(linf, Math.abs(d));
          assertThat(adv[i * D + j]).isBetween(0f, 1f);
        }
        assertThat(norm == Norm.LINF ? linf : Math.sqrt(l2)).isLessThanOrEqualTo(eps + 1e-5);
      }
    }
    GradientModel lp = m.withOutput(Output.LOG_PROBABILITY);
    double pgdLoss = meanLoss(lp, new Pgd(PgdConfig.linf(0.1, 20, 1, 5)).perturb(m, x, y), y);
    double fgsmLoss = meanLoss(lp, new Pgd(PgdConfig.fgsm(0.1)).perturb(m, x, y), y);
    assertThat(pgdLoss).isGreaterThan(meanLoss(lp, x, y));
    assertThat(pgdLoss).isGreaterThanOrEqualTo(fgsmLoss - 1e-6);
  }

  @Test
  void accuracyFallsAsEpsilonGrowsAndAdversarialTrainingBatchesStayInTheBall() {
    Rng rng = new Rng(3);
    GradientModel m = model(rng);
    Tensor x = Tensor.rand(rng, 64, D);
    int[] y = m.predictions(x);
    double prev = 1.01;
    for (double eps : new double[] {0, 0.05, 0.2, 1.0}) {
      double acc = Robustness.evaluate(m, x, y, new Pgd(PgdConfig.linf(eps, 10, 1, 1)), 16).adversarial();
      assertThat(acc).isLessThanOrEqualTo(prev);
      prev = acc;
    }
    assertThat(prev).isLessThan(0.2);
    var model = new Sequential(new Linear(D, 3, rng));
    var transform = AdversarialTraining.pgd(model, new int[] {D}, PgdConfig.linf(0.1, 3, 1, 1));
    var b = new dev.fathom.data.Batch(x, Tensor.ofLongs(new long[64], 64));
    float[] a1 = transform.apply(b).inputs().data(), a2 = transform.apply(b).inputs().data();
    for (int k = 0; k < a1.length; k++) assertThat(Math.abs(a1[k] - x.data()[k])).isLessThanOrEqualTo(0.1f + 1e-6f);
    assertThat(a1).isNotEqualTo(a2); // a fresh random start per batch
  }

  @Test
  void badConfigsAreRejected() {
    assertThatThrownBy(() -> PgdConfig.linf(-0.1, 10, 1, 0)).hasMessageContaining("eps must be a finite number >= 0, got -0.1");
    assertThatThrownBy(() -> PgdConfig.linf(0.1, 0, 1, 0)).hasMessageContaining("steps must be >= 1, got 0");
    assertThatThrownBy(() -> Norm.parse("l1")).hasMessageContaining("linf or l2, got 'l1'");
  }

  private static double meanLoss(GradientModel lp, Tensor x, int[] y) {
    float[] s = lp.score(x, y);
    double l = 0;
    for (float v : s) l -= v / s.length;
    return l;
  }
}
