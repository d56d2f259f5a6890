package dev.fathom.xai.shap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.tensor.Rng;
import dev.fathom.xai.Predictor;
import org.junit.jupiter.api.Test;

class LimeTest {

  /** Training rows with per-feature means and standard deviations. */
  private static double[][] training(Rng rng, int n, double[] mean, double[] sd) {
    double[][] x = new double[n][mean.length];
    for (double[] row : x) for (int j = 0; j < mean.length; j++) row[j] = mean[j] + sd[j] * rng.nextGaussian();
    return x;
  }

  /** The population standard deviation of column j. */
  static double sd(double[][] x, int j) {
    double m = 0, v = 0;
    for (double[] r : x) m += r[j] / x.length;
    for (double[] r : x) v += (r[j] - m) * (r[j] - m) / x.length;
    return Math.sqrt(v);
  }

  @Test
  void linearModelIsRecoveredPerStandardDeviationWithRSquaredOne() {
    Rng rng = new Rng(11);
    double[] w = {1.5, -0.4, 0.05, -2.5, 0.9, 0.0};
    double[] mean = {10, -3, 0, 5, 1, 2};
    double[] sd = {0.5, 4, 1, 0.2, 2, 3};  // the surrogate sees w_j·sd_j: 0.75, -1.6, 0.05, -0.5, 1.8, 0
    double[][] train = training(rng, 500, mean, sd);
    double[] x = train[17];
    Predictor f = KernelShapTest.linear(w, 4);
    LimeExplanation e = Lime.explain(f, train, x, 0, LimeConfig.defaults());
    assertThat(e.features()).hasSize(6);
    assertThat(e.score()).isGreaterThan(0.9999);
    assertThat(e.prediction()).isCloseTo(f.predict(new double[][] {x})[0][0], within(1e-12));
    assertThat(e.localPrediction()).isCloseTo(e.prediction(), within(1e-3));
    double[] byFeature = e.weightsByFeature(6);
    double[] scaled = new double[6];
    for (int j = 0; j < 6; j++) {
      scaled[j] = w[j] * sd(train, j);
      // ridge alpha 1 against a total kernel weight in the hundreds shrinks by well under 1%
      assertThat(byFeature[j]).as("feature %d", j).isCloseTo(scaled[j], within(0.01 * Math.abs(scaled[j]) + 1e-4));
      if (w[j] != 0) assertThat(Math.signum(byFeature[j])).isEqualTo(Math.signum(w[j]));
    }
    assertThat(e.features()).containsExactly(Rows.byMagnitude(scaled));
  }

  @Test
  void topKKeepsTheLargestEffects() {
    Rng rng = new Rng(12);
    int d = 12;
    double[] w = new double[d];
    for (int j = 0; j < d; j++) w[j] = (j % 2 == 0 ? 1 : -1) * (j + 1) * 0.1;  // |w| grows with j
    double[] mean = new double[d], sd = new double[d];
    java.util.Arrays.fill(sd, 1);
    double[][] train = training(rng, 300, mean, sd);
    LimeExplanation e = Lime.explain(KernelShapTest.linear(w, 0), train, train[3], 0,
        LimeConfig.defaults().withNumFeatures(4));
    assertThat(e.features()).containsExactly(11, 10, 9, 8);
    for (int i = 0; i < 4; i++) assertThat(Math.signum(e.weights()[i])).isEqualTo(Math.signum(w[e.features()[i]]));
    // the other 8 features are noise to the 4-feature surrogate, so the fit explains less than all
    assertThat(e.score()).isLessThan(0.99).isGreaterThan(0.3);
  }

  @Test
  void nonlinearModelGetsALocalSlopeAndAnImperfectFit() {
    Rng rng = new Rng(13);
    double[][] train = training(rng, 300, new double[3], new double[] {1, 1, 1});
    Predictor f = rows -> {
      double[][] out = new double[rows.length][1];
      for (int r = 0; r < rows.length; r++) out[r][0] = Math.sin(2 * rows[r][0]) + rows[r][1] * rows[r][2];
      return out;
    };
    LimeConfig around = new LimeConfig(4000, 3, 0.3, 1.0, true, 5);
    LimeExplanation e = Lime.explain(f, train, new double[] {0, 2, 0}, 0, around);
    // at (0, 2, 0) the gradient is (2, 0, 2) per standard deviation (sd ≈ 1); x1 has no local effect
    double[] wf = e.weightsByFeature(3);
    assertThat(wf[0]).isBetween(1.3, 2.1);
    assertThat(wf[2]).isBetween(1.3, 2.1);
    assertThat(Math.abs(wf[1])).isLessThan(0.3);
    assertThat(e.score()).isLessThan(1).isGreaterThan(0.8);
  }

  @Test
  void sameSeedSameExplanation() {
    Rng rng = new Rng(14);
    double[][] train = training(rng, 100, new double[4], new double[] {1, 2, 3, 4});
    Predictor f = KernelShapTest.NONLINEAR;
    LimeConfig cfg = LimeConfig.defaults().withNumFeatures(3);
    LimeExplanation a = Lime.explain(f, train, train[0], 1, cfg);
    assertThat(new Lime(f, train, cfg).explain(train[0], 1)).isEqualTo(a);
    assertThat(Lime.explain(f, train, train[0], 1, cfg.withSeed(1)).weights()).isNotEqualTo(a.weights());
  }

  @Test
  void badInputIsRejectedWithExpectedAndActual() {
    double[][] train = training(new Rng(15), 10, new double[3], new double[] {1, 1, 1});
    Predictor f = KernelShapTest.linear(new double[] {1, 1, 1}, 0);
    LimeConfig cfg = LimeConfig.defaults();
    assertThatThrownBy(() -> Lime.explain(f, train, new double[2], 0, cfg)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has 2 features, expected 3");
    assertThatThrownBy(() -> Lime.explain(f, new double[0][], new double[3], 0, cfg)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("training data must have at least 1 row");
    assertThatThrownBy(() -> Lime.explain(f, train, new double[3], 2, cfg)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outputIndex 2 is outside [0, 1)");
    assertThatThrownBy(() -> new LimeConfig(1, 5, 0, 1, false, 0)).hasMessageContaining("numSamples must be >= 2, got 1");
    assertThatThrownBy(() -> new LimeConfig(100, 0, 0, 1, false, 0)).hasMessageContaining("numFeatures must be >= 1, got 0");
    assertThatThrownBy(() -> new LimeConfig(100, 5, -1, 1, false, 0)).hasMessageContaining("got -1.0");
    assertThatThrownBy(() -> new LimeConfig(100, 5, 0, Double.NaN, false, 0)).hasMessageContaining("alpha must be finite");
  }
}
