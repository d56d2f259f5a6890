package dev.fathom.xai.shap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.tensor.Rng;
import dev.fathom.xai.Predictor;
import org.junit.jupiter.api.Test;

class KernelShapTest {

  static double[][] gaussian(Rng rng, int n, int d, double scale) {
    double[][] x = new double[n][d];
    for (double[] row : x) for (int j = 0; j < d; j++) row[j] = scale * rng.nextGaussian();
    return x;
  }

  /** f(x) = w·x + c, one output column. */
  static Predictor linear(double[] w, double c) {
    return rows -> {
      double[][] out = new double[rows.length][1];
      for (int r = 0; r < rows.length; r++) {
        double s = c;
        for (int j = 0; j < w.length; j++) s += w[j] * rows[r][j];
        out[r][0] = s;
      }
      return out;
    };
  }

  /** The linear game's Shapley values: w_i (x_i − mean_b b_i). */
  static double[] linearShap(double[] w, double[][] background, double[] x) {
    double[] phi = new double[w.length];
    for (int j = 0; j < w.length; j++) {
      double m = 0;
      for (double[] b : background) m += b[j];
      phi[j] = w[j] * (x[j] - m / background.length);
    }
    return phi;
  }

  /**
   * A function of at least 3 features with a kink, a saturating term and interactions of order 3
   * (pairwise interactions alone would not test the kernel: with them, any symmetric coalition
   * weighting gives the Shapley values); two outputs (the second unused by most tests).
   */
  static final Predictor NONLINEAR = rows -> {
    double[][] out = new double[rows.length][2];
    for (int r = 0; r < rows.length; r++) {
      double[] x = rows[r];
      double s = Math.tanh(x[0]) * x[1] + Math.max(0, x[2] - 0.3) + x[0] * x[1] * x[2];
      for (int j = 3; j < x.length; j++) s += 0.5 * Math.max(x[j], x[j - 1]) * x[j - 3] + Math.sin(x[j]) / j;
      out[r][0] = s;
      out[r][1] = -2 * s + x[0];
    }
    return out;
  };

  @Test
  void linearModelGivesExactLinearShapValuesByEnumeration() {
    Rng rng = new Rng(1);
    for (int d = 1; d <= 10; d++) {
      double[] w = gaussian(rng, 1, d, 2)[0];
      double[][] background = gaussian(rng, 20, d, 1);
      double[] x = gaussian(rng, 1, d, 1.5)[0];
      ShapExplanation e = KernelShap.explain(linear(w, 0.7), background, x, 0, KernelShapConfig.defaults());
      assertThat(e.exhaustive()).isTrue();
      assertThat(e.coalitions()).isEqualTo(d == 1 ? 0 : (1 << d) - 2);
      double[] expected = linearShap(w, background, x);
      for (int j = 0; j < d; j++) assertThat(e.values()[j]).as("d=%d, feature %d", d, j).isCloseTo(expected[j], within(1e-9));
    }
  }

  @Test
  void linearModelIsRecoveredFromSampledCoalitions() {
    // An additive game has zero regression residual, so any full-rank sample of coalitions gives the exact values.
    Rng rng = new Rng(2);
    int d = 16;
    double[] w = gaussian(rng, 1, d, 1)[0];
    double[][] background = gaussian(rng, 30, d, 1);
    double[] x = gaussian(rng, 1, d, 1)[0];
    ShapExplanation e = KernelShap.explain(linear(w, -1), background, x, 0, KernelShapConfig.defaults().withNsamples(60));
    assertThat(e.exhaustive()).isFalse();
    assertThat(e.coalitions()).isLessThanOrEqualTo(60);
    double[] expected = linearShap(w, background, x);
    for (int j = 0; j < d; j++) assertThat(e.values()[j]).isCloseTo(expected[j], within(1e-8));
  }

  @Test
  void nonlinearFunctionMatchesExactShapleyValuesByEnumeration() {
    Rng rng = new Rng(3);
    for (int d : new int[] {3, 6}) {  // d = 6 has three coalition-size classes, so it tests the kernel's weights
      double[][] background = gaussian(rng, 7, d, 1);
      for (int trial = 0; trial < 5; trial++) {
        double[] x = gaussian(rng, 1, d, 1.2)[0];
        for (int out = 0; out < 2; out++) {
          double[] exact = ExactShapley.values(NONLINEAR, background, x, out);
          ShapExplanation e = KernelShap.explain(NONLINEAR, background, x, out, KernelShapConfig.defaults());
          assertThat(e.coalitions()).isEqualTo((1 << d) - 2);
          for (int j = 0; j < d; j++) assertThat(e.values()[j]).isCloseTo(exact[j], within(1e-9));
        }
      }
    }
  }

  @Test
  void sampledEstimateIsCloseToExactValuesAndImprovesWithBudget() {
    Rng rng = new Rng(4);
    int d = 10;
    double[][] background = gaussian(rng, 10, d, 1);
    double[] x = gaussian(rng, 1, d, 1.5)[0];
    double[] exact = ExactShapley.values(NONLINEAR, background, x, 0);
    double scale = 0;
    for (double p : exact) scale = Math.max(scale, Math.abs(p));
    double[] error = new double[2];
    int[] budgets = {100, 800};
    for (int b = 0; b < 2; b++) {
      for (long seed = 0; seed < 5; seed++) {  // mean over seeds: one draw can be lucky
        ShapExplanation e = KernelShap.explain(NONLINEAR, background, x, 0, new KernelShapConfig(budgets[b], seed, true));
        for (int j = 0; j < d; j++) error[b] += Math.abs(e.values()[j] - exact[j]) / (5 * d);
      }
    }
    assertThat(error[1]).isLessThan(0.05 * scale).isLessThan(error[0]);
    assertThat(error[0]).isLessThan(0.25 * scale);
  }

  @Test
  void efficiencyHoldsExactlyWhenSampling() {
    Rng rng = new Rng(5);
    int d = 12;
    double[][] background = gaussian(rng, 8, d, 1);
    for (boolean paired : new boolean[] {true, false}) {
      double[] x = gaussian(rng, 1, d, 1)[0];
      ShapExplanation e = KernelShap.explain(NONLINEAR, background, x, 0, new KernelShapConfig(50, 9, paired));
      double sum = 0;
      for (double p : e.values()) sum += p;
      assertThat(e.prediction()).isEqualTo(NONLINEAR.predict(new double[][] {x})[0][0]);
      double mean = 0;
      for (double[] o : NONLINEAR.predict(background)) mean += o[0] / background.length;
      assertThat(e.baseValue()).isCloseTo(mean, within(1e-12));
      assertThat(sum).isCloseTo(e.prediction() - e.baseValue(), within(1e-10));
    }
  }

  @Test
  void sameSeedGivesSameValuesAndAnotherSeedOthers() {
    Rng rng = new Rng(6);
    int d = 12;
    double[][] background = gaussian(rng, 8, d, 1);
    double[] x = gaussian(rng, 1, d, 1)[0];
    KernelShapConfig cfg = new KernelShapConfig(200, 42, true);
    ShapExplanation a = KernelShap.explain(NONLINEAR, background, x, 0, cfg);
    ShapExplanation b = new KernelShap(NONLINEAR, background, cfg).explain(x, 0);
    ShapExplanation c = KernelShap.explain(NONLINEAR, background, x, 0, cfg.withSeed(43));
    assertThat(b).isEqualTo(a);
    assertThat(c.values()).isNotEqualTo(a.values());
  }

  @Test
  void featuresEqualToEveryBackgroundRowGetZero() {
    Rng rng = new Rng(7);
    double[][] background = gaussian(rng, 5, 6, 1);
    for (double[] b : background) b[2] = 3.0;
    double[] x = gaussian(rng, 1, 6, 1)[0];
    x[2] = 3.0;
    double[] exact = ExactShapley.values(NONLINEAR, background, x, 0);
    ShapExplanation e = KernelShap.explain(NONLINEAR, background, x, 0, KernelShapConfig.defaults());
    assertThat(e.values()[2]).isZero();
    assertThat(e.coalitions()).isEqualTo((1 << 5) - 2);  // the game has 5 players, not 6
    for (int j = 0; j < 6; j++) assertThat(e.values()[j]).isCloseTo(exact[j], within(1e-9));
  }

  @Test
  void rankingOrdersByMagnitude() {
    double[] w = {0.5, -3, 1, 0};
    double[][] background = {{0, 0, 0, 0}, {0, 0, 0, 1}};
    ShapExplanation e = KernelShap.explain(linear(w, 0), background, new double[] {1, 1, 1, 1}, 0, KernelShapConfig.defaults());
    assertThat(e.ranking()).containsExactly(1, 2, 0, 3);
  }

  @Test
  void badInputIsRejectedWithExpectedAndActual() {
    double[][] background = gaussian(new Rng(8), 4, 5, 1);
    Predictor f = linear(new double[] {1, 2, 3, 4, 5}, 0);
    KernelShapConfig cfg = KernelShapConfig.defaults();
    assertThatThrownBy(() -> KernelShap.explain(f, background, new double[4], 0, cfg))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 4 features, expected 5");
    assertThatThrownBy(() -> KernelShap.explain(f, new double[0][], new double[5], 0, cfg))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 row, got 0 rows");
    assertThatThrownBy(() -> KernelShap.explain(f, new double[][] {{1, 2, 3, 4, 5}, {1, 2}}, new double[5], 0, cfg))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 1 has 2 features, expected 5");
    assertThatThrownBy(() -> KernelShap.explain(f, background, new double[5], 0, cfg.withNsamples(6)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least d + 2 = 7").hasMessageContaining("got 6");
    assertThatThrownBy(() -> KernelShap.explain(f, background, new double[5], 1, cfg))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outputIndex 1 is outside [0, 1)");
    assertThatThrownBy(() -> KernelShap.explain(f, background, new double[] {0, 0, Double.NaN, 0, 0}, 0, cfg))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN at feature 2");
    assertThatThrownBy(() -> new KernelShapConfig(-1, 0, true)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got -1");
    Predictor ragged = rows -> new double[rows.length - 1][1];
    assertThatThrownBy(() -> KernelShap.explain(ragged, background, new double[5], 0, cfg))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("returned 3 rows for 4 input rows");
    // enough budget for full enumeration is fine below d + 2: d = 2 has 2 coalitions
    ShapExplanation e = KernelShap.explain(linear(new double[] {1, 1}, 0), new double[][] {{0, 0}}, new double[] {1, 2}, 0,
        cfg.withNsamples(2));
    assertThat(e.exhaustive()).isTrue();
    assertThat(e.values()).containsExactly(new double[] {1, 2}, within(1e-12));
  }
}
