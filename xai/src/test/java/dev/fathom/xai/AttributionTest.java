package dev.fathom.xai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.nn.Activation;
import dev.fathom.nn.Conv2d;
import dev.fathom.nn.Linear;
import dev.fathom.nn.MaxPool2d;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttributionTest {
  private static final int D = 6;

  /** f(x) = W x + b, two classes. */
  private static Linear linear(Rng rng) {
    return new Linear(D, 2, rng);
  }

  private static Sequential mlp(Rng rng) {
    return new Sequential(new Linear(D, 16, rng), Activation.tanh(), new Linear(16, 3, rng));
  }

  @Test
  void saliencyIsTheAbsoluteWeightRowOfALinearModel() {
    Rng rng = new Rng(1);
    Linear lin = linear(rng);
    GradientModel m = GradientModel.of(new Sequential(lin), Output.LOGIT, D);
    Tensor x = Tensor.randn(rng, 3, D);
    float[] s = new Saliency().attribute(m, x, new int[] {1, 0, 1}).data();
    float[] w = lin.weight.data();
    for (int i = 0; i < 3; i++) {
      int t = i == 1 ? 0 : 1;
      for (int j = 0; j < D; j++) assertThat(s[i * D + j]).isCloseTo(Math.abs(w[t * D + j]), within(1e-6f));
    }
  }

  @Test
  void integratedGradientsOfALinearModelAreWeightTimesDistanceForAnyRule() {
    Rng rng = new Rng(2);
    Linear lin = linear(rng);
    GradientModel m = GradientModel.of(new Sequential(lin), Output.LOGIT, D);
    Tensor x = Tensor.randn(rng, 2, D);
    float[] w = lin.weight.data(), xd = x.data();
    for (Quadrature q : List.of(Quadrature.gaussLegendre(1), Quadrature.trapezoid(2), Quadrature.riemann("left", 3))) {
      var r = new IntegratedGradients(Baseline.constant(0.5f), q).explain(m, x, new int[] {0, 1});
      float[] a = r.attributions().data();
      for (int i = 0; i < 2; i++) {
        for (int j = 0; j < D; j++) assertThat(a[i * D + j]).isCloseTo(w[i * D + j] * (xd[i * D + j] - 0.5f), within(1e-5f));
        assertThat(r.delta()[i]).isCloseTo(0, within(1e-5));
      }
    }
  }

  @Test
  void integratedGradientsAreCompleteOnANonlinearModelAndConvergeWithSteps() {
    Rng rng = new Rng(3);
    GradientModel m = GradientModel.of(mlp(rng), Output.PROBABILITY, D);
    Tensor x = Tensor.randn(rng, 4, D).mul(2f);
    int[] t = {0, 1, 2, 0};
    double coarse = 0, fine = 0;
    var rc = new IntegratedGradients(Baseline.zeros(), Quadrature.riemann("left", 4)).explain(m, x, t);
    var rf = new IntegratedGradients(64).explain(m, x, t);
    for (int i = 0; i < 4; i++) {
      coarse = Math.max(coarse, Math.abs(rc.delta()[i]));
      fine = Math.max(fine, rf.relativeError(i));
      // the gap is the model's own output difference
      float[] fx = m.score(x.narrow(0, i, 1), new int[] {t[i]});
      float[] f0 = m.score(Tensor.zeros(1, D), new int[] {t[i]});
      assertThat(rf.outputGap()[i]).isCloseTo(fx[0] - f0[0], within(1e-6));
    }
    assertThat(fine).isLessThan(1e-4);
    assertThat(coarse).isGreaterThan(1e-3);
  }

  @Test
  void gradientShapIsCompleteInExpectation() {
    Rng rng = new Rng(4);
    GradientModel m = GradientModel.of(mlp(rng), Output.LOGIT, D);
    Tensor x = Tensor.randn(rng, 1, D);
    Tensor bg = Tensor.randn(rng, 16, D);
    float[] phi = new GradientShap(bg, 4000, 7).attribute(m, x, new int[] {2}).data();
    double sum = 0;
    for (float v : phi) sum += v;
    double fx = m.score(x, new int[] {2})[0], mean = 0;
    float[] fb = m.score(bg, new int[16]);
    for (int i = 0; i < 16; i++) mean += m.score(bg.narrow(0, i, 1), new int[] {2})[0] / 16.0;
    assertThat(fb).hasSize(16);
    assertThat(sum).isCloseTo(fx - mean, within(0.03 * Math.max(1, Math.abs(fx - mean))));
  }

  @Test
  void gradientTimesInputOfABiasFreeLinearModelSumsToTheOutput() {
    Rng rng = new Rng(5);
    Linear lin = linear(rng);
    java.util.Arrays.fill(lin.bias.data(), 0f);
    GradientModel m = GradientModel.of(new Sequential(lin), Output.LOGIT, D);
    Tensor x = Tensor.randn(rng, 1, D);
    float[] a = new GradientTimesInput().attribute(m, x, new int[] {1}).data();
    double s = 0;
    for (float v : a) s += v;
    assertThat(s).isCloseTo(m.score(x, new int[] {1})[0], within(1e-5));
  }

  @Test
  void smoothGradWithoutNoiseIsTheBaseMethodAndIsSeeded() {
    Rng rng = new Rng(6);
    GradientModel m = GradientModel.of(mlp(rng), Output.LOGIT, D);
    Tensor x = Tensor.randn(rng, 2, D);
    int[] t = {1, 2};
    assertThat(new SmoothGrad(new Saliency(false), 3, 0, false, 1).attribute(m, x, t).data())
        .containsExactly(new Saliency(false).attribute(m, x, t).data());
    float[] a = new SmoothGrad(new Saliency(), 5, 0.2, true, 9).attribute(m, x, t).data();
    assertThat(new SmoothGrad(new Saliency(), 5, 0.2, true, 9).attribute(m, x, t).data()).containsExactly(a);
    assertThat(new SmoothGrad(new Saliency(), 5, 0.2, true, 10).attribute(m, x, t).data()).isNotEqualTo(a);
  }

  @Test
  void occlusionOfALinearModelWithWindowOneIsWeightTimesDistance() {
    Rng rng = new Rng(7);
    Linear lin = linear(rng);
    GradientModel m = GradientModel.of(new Sequential(lin), Output.LOGIT, D);
    Tensor x = Tensor.randn(rng, 2, D);
    float[] a = new Occlusion(1, 1, Baseline.zeros()).attribute(m, x, new int[] {0, 0}).data();
    float[] w = lin.weight.data(), xd = x.data();
    for (int i = 0; i < 2; i++) for (int j = 0; j < D; j++) assertThat(a[i * D + j]).isCloseTo(w[j] * xd[i * D + j], within(1e-5f));
  }

  @Test
  void occlusionCoversImageEdgesWithOverlappingWindows() {
    assertThat(Occlusion.positions(28, 4, 4)).containsExactly(0, 4, 8, 12, 16, 20, 24);
    assertThat(Occlusion.positions(28, 5, 3)).containsExactly(0, 3, 6, 9, 12, 15, 18, 21, 23);
    Rng rng = new Rng(8);
    var cnn = new Sequential(new Conv2d(1, 2, 3, 1, 1, rng), Activation.relu(), new MaxPool2d(2), Activation.flatten(), new Linear(2 * 4 * 4, 3, rng));
    GradientModel m = GradientModel.of(cnn, Output.LOGIT, 1, 9, 8);
    Tensor x = Tensor.rand(rng, 1, 1, 9, 8);
    assertThat(new Occlusion(3, 2, Baseline.zeros()).attribute(m, x, new int[] {1}).shape()).containsExactly(1, 1, 9, 8);
  }

  @Test
  void gaussLegendreIsExactForPolynomialsOfDegreeTwoNMinusOne() {
    for (int n = 1; n <= 12; n++) {
      Quadrature q = Quadrature.gaussLegendre(n);
      double wsum = 0, integral = 0;
      int deg = 2 * n - 1;
      for (int k = 0; k < n; k++) {
        wsum += q.weights()[k];
        integral += q.weights()[k] * Math.pow(q.alphas()[k], deg);
      }
      assertThat(wsum).isCloseTo(1, within(1e-12));
      assertThat(integral).isCloseTo(1.0 / (deg + 1), within(1e-12));
    }
    assertThat(java.util.Arrays.stream(Quadrature.gaussLegendre(300).alphas()).allMatch(a -> a > 0 && a < 1)).isTrue();
  }

  @Test
  void badInputGivesClearErrors() {
    Rng rng = new Rng(9);
    GradientModel m = GradientModel.of(mlp(rng), Output.LOGIT, D);
    assertThatThrownBy(() -> new Saliency().attribute(m, Tensor.zeros(2, D + 1), new int[] {0, 0}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected a batch shaped (N, 6), got [2, 7]");
    assertThatThrownBy(() -> new Saliency().attribute(m, Tensor.zeros(2, D), new int[] {0}))
        .hasMessageContaining("one class per example (2), got 1");
    assertThatThrownBy(() -> new Saliency().attribute(m, Tensor.zeros(1, D), new int[] {5})).hasMessageContaining("outside [0, 3)");
    // an output that ends in argmax has no gradient path
    GradientModel hard = new GradientModel(x -> mlp(new Rng(1)).call(x).argmax(1, true).toFloat().expand(x.size(0), 2), List.of(),
        new int[] {D}, Output.LOGIT, 8);
    assertThatThrownBy(() -> new Saliency().attribute(hard, Tensor.zeros(1, D), new int[] {0})).isInstanceOf(NotDifferentiableException.class)
        .hasMessageContaining("does not depend differentiably");
    assertThatThrownBy(() -> Quadrature.named("simpson", 10)).hasMessageContaining("got 'simpson'");
  }
}
