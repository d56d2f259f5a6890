package dev.fathom.xai.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.nn.Activation;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.xai.Baseline;
import dev.fathom.xai.GradientModel;
import dev.fathom.xai.GradientTimesInput;
import dev.fathom.xai.IntegratedGradients;
import dev.fathom.xai.Output;
import dev.fathom.xai.Saliency;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void spearmanMatchesScipyOnTiesAndIsOneForMonotoneMaps() {
    // ranks (1, 2.5, 2.5, 4, 5) and (2, 1, 3.5, 3.5, 5): centred, Σ da·db = 7.25, Σ da² = Σ db² = 9.5, ρ = 7.25 / 9.5
    float[] a = {1, 2, 2, 3, 5}, b = {2, 1, 4, 4, 9};
    assertThat(RankCorrelation.spearman(a, b, 0, 5)).isCloseTo(7.25 / 9.5, within(1e-12));
    assertThat(RankCorrelation.ranks(a, 0, 5)).containsExactly(1, 2.5, 2.5, 4, 5);
    float[] x = {0.1f, 5, -2, 3}, y = {1, 100, 0, 50};
    assertThat(RankCorrelation.spearman(x, y, 0, 4)).isEqualTo(1.0);
    assertThat(RankCorrelation.spearman(x, new float[] {1, 1, 1, 1}, 0, 4)).isNaN();
  }

  @Test
  void deletionOfAnExactAttributionBeatsTheReverseOrderOnALinearModel() {
    Rng rng = new Rng(1);
    int d = 10;
    Linear lin = new Linear(d, 2, rng);
    GradientModel m = GradientModel.of(new Sequential(lin), Output.PROBABILITY, d);
    Tensor x = Tensor.rand(rng, 8, d);
    int[] t = m.predictions(x);
    GradientModel logit = m.withOutput(Output.LOGIT);
    // class-margin attribution: (w_t − w_other) · x, exact for the two-class softmax
    float[] w = lin.weight.data(), xd = x.data(), a = new float[8 * d], rev = new float[8 * d];
    for (int i = 0; i < 8; i++) {
      for (int j = 0; j < d; j++) {
        a[i * d + j] = (w[t[i] * d + j] - w[(1 - t[i]) * d + j]) * xd[i * d + j];
        rev[i * d + j] = -a[i * d + j];
      }
    }
    var good = DeletionCurve.deletion(m, x, t, Tensor.of(a, 8, d), d, Baseline.zeros());
    var bad = DeletionCurve.deletion(m, x, t, Tensor.of(rev, 8, d), d, Baseline.zeros());
    var ins = DeletionCurve.insertion(m, x, t, Tensor.of(a, 8, d), d, Baseline.zeros());
    for (int i = 0; i < 8; i++) assertThat(good.auc()[i]).isLessThanOrEqualTo(bad.auc()[i] + 1e-9);
    assertThat(ins.meanAuc()).isGreaterThan(good.meanAuc());
    // the ends of the deletion curve are f(x) and f(baseline)
    float[] fx = m.score(x, t);
    double meanFx = 0;
    for (float v : fx) meanFx += v / 8;
    assertThat(good.meanCurve()[0]).isCloseTo(meanFx, within(1e-6));
    assertThat(good.meanCurve()[d]).isCloseTo(ins.meanCurve()[0], within(1e-6));
    assertThat(logit.features()).isEqualTo(d);
  }

  @Test
  void deletionToBlackNeedsTheGradientsSignNotItsMagnitude() {
    // A two-class linear model on inputs that are all 1: deleting feature j (setting it to 0)
    // moves the margin by −(w_t − w_o)_j, so the signed gradient of the margin orders the
    // features exactly as deletion wants, while |gradient| interleaves features whose deletion
    // raises the score.
    Rng rng = new Rng(3);
    int d = 12, n = 6;
    Linear lin = new Linear(d, 2, rng);
    GradientModel prob = GradientModel.of(new Sequential(lin), Output.PROBABILITY, d);
    Tensor x = Tensor.ones(n, d);
    int[] t = prob.predictions(x);
    GradientModel logit = prob.withOutput(Output.LOGIT);
    Tensor signed = new Saliency(false).attribute(logit, x, t);
    Tensor magnitude = new Saliency().attribute(logit, x, t);
    var bySign = DeletionCurve.deletion(prob, x, t, signed, d, Baseline.zeros());
    var byMagnitude = DeletionCurve.deletion(prob, x, t, magnitude, d, Baseline.zeros());
    var random = DeletionCurve.deletion(prob, x, t, DeletionCurve.randomAttributions(prob, n, 7), d, Baseline.zeros());
    for (int i = 0; i < n; i++) {
      assertThat(bySign.auc()[i]).isLessThanOrEqualTo(byMagnitude.auc()[i] + 1e-9);
      assertThat(bySign.auc()[i]).isLessThanOrEqualTo(random.auc()[i] + 1e-9);
    }
    assertThat(bySign.meanAuc()).isLessThan(byMagnitude.meanAuc() - 0.01);
  }

  @Test
  void infidelityIsZeroForTheGradientOfALinearModel() {
    Rng rng = new Rng(2);
    int d = 5;
    Linear lin = new Linear(d, 3, rng);
    GradientModel m = GradientModel.of(new Sequential(lin), Output.LOGIT, d);
    Tensor x = Tensor.randn(rng, 3, d);
    int[] t = {0, 1, 2};
    Tensor grad = new Saliency(false).attribute(m, x, t);
    double[] exact = Infidelity.of(m, x, t, grad, 0.3, 50, false, 1);
    double[] wrong = Infidelity.of(m, x, t, new GradientTimesInput().attribute(m, x, t), 0.3, 50, false, 1);
    for (int i = 0; i < 3; i++) {
      assertThat(exact[i]).isLessThan(1e-9);
      assertThat(wrong[i]).isGreaterThan(1e-4);
    }
    // normalization fits the scale: a doubled gradient is as faithful
    double[] doubled = Infidelity.of(m, x, t, grad.mul(2f), 0.3, 50, true, 1);
    for (double v : doubled) assertThat(v).isLessThan(1e-9);
  }

  @Test
  void maxSensitivityIsZeroForGradientsOfALinearModelAndPositiveOtherwise() {
    Rng rng = new Rng(3);
    int d = 5;
    GradientModel lin = GradientModel.of(new Sequential(new Linear(d, 2, rng)), Output.LOGIT, d);
    GradientModel mlp = GradientModel.of(new Sequential(new Linear(d, 8, rng), Activation.tanh(), new Linear(8, 2, rng)), Output.LOGIT, d);
    Tensor x = Tensor.randn(rng, 2, d);
    int[] t = {0, 1};
    assertThat(MaxSensitivity.of(new Saliency(false), lin, x, t, 0.1, 10, 1)).containsOnly(0.0);
    double[] s = MaxSensitivity.of(new Saliency(false), mlp, x, t, 0.1, 10, 1);
    double[] s2 = MaxSensitivity.of(new Saliency(false), mlp, x, t, 0.5, 10, 1);
    for (int i = 0; i < 2; i++) {
      assertThat(s[i]).isGreaterThan(0);
      assertThat(s2[i]).isGreaterThan(s[i]);
    }
  }

  @Test
  void randomizationCascadeDestroysSaliencyAndRestoresTheModel() {
    Rng rng = new Rng(4);
    int d = 32;
    var model = new Sequential(new Linear(d, 32, rng), Activation.tanh(), new Linear(32, 32, rng), Activation.tanh(), new Linear(32, 3, rng));
    var before = model.stateDict().get("4.weight").copy().data();
    Tensor x = Tensor.randn(rng, 20, d);
    GradientModel gm = GradientModel.of(model, Output.LOGIT, d);
    int[] t = gm.predictions(x);
    List<RandomizationCheck.Step> steps = RandomizationCheck.cascade(model, Output.LOGIT, new int[] {d}, new Saliency(), x, t, 11);
    assertThat(steps).extracting(RandomizationCheck.Step::layer).containsExactly("", "4", "2", "0");
    assertThat(steps.get(0).meanCorrelation()).isEqualTo(1.0);
    assertThat(steps.get(3).meanCorrelation()).isLessThan(0.5);
    assertThat(model.stateDict().get("4.weight").data()).containsExactly(before);
    // IG on a fully random model is still a function of the input, so it is computed, not skipped
    var ig = RandomizationCheck.cascade(model, Output.LOGIT, new int[] {d}, new IntegratedGradients(16), x, t, 11);
    assertThat(ig).hasSize(4);
  }
}
