package dev.fathom.xai.shap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.tensor.Rng;
import dev.fathom.xai.Predictor;
import org.junit.jupiter.api.Test;

/** The code of docs/xai/kernel-shap.md and docs/xai/lime.md that needs no data files, run as written there. */
class DocExamplesTest {

  /** Applicants as (income, debt, age), income and debt in units of 10k. */
  private static double[][] applicants(int n, long seed) {
    Rng rng = new Rng(seed);
    double[][] rows = new double[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = new double[] {3 + rng.nextGaussian(), 1 + 0.5 * rng.nextGaussian(), 40 + 10 * rng.nextGaussian()};
    }
    return rows;
  }

  @Test
  void kernelShapOnAPlainJavaFunction() {
    double[][] history = applicants(500, 1);
    double[] applicant = {5.5, 0.4, 29};
    // --- as in docs/xai/kernel-shap.md
    Predictor approval = rows -> {  // any function of rows: here a hand-written score, not a Fathom model
      double[][] out = new double[rows.length][1];
      for (int i = 0; i < rows.length; i++) {
        double income = rows[i][0], debt = rows[i][1], age = rows[i][2];
        double z = 0.8 * Math.min(income, 5) - 1.5 * debt + 0.03 * (age - 40) - 1;
        out[i][0] = 1 / (1 + Math.exp(-z));  // probability of approval
      }
      return out;
    };
    double[][] background = Background.sample(history, 100, 0);
    ShapExplanation e = KernelShap.explain(approval, background, applicant, 0, KernelShapConfig.defaults());
    // e.baseValue() + sum(e.values()) == e.prediction()
    // ---
    double[] exact = ExactShapley.values(approval, background, applicant, 0);
    double sum = 0;
    for (int j = 0; j < 3; j++) {
      assertThat(e.values()[j]).isCloseTo(exact[j], within(1e-12));
      sum += e.values()[j];
    }
    assertThat(e.baseValue() + sum).isCloseTo(e.prediction(), within(1e-12));
    assertThat(e.values()[0]).isPositive();  // high income, capped at 5: helps
    assertThat(e.values()[1]).isPositive();  // low debt: helps
    assertThat(e.values()[2]).isNegative();  // younger than 40: hurts a little
    assertThat(e.ranking()[0]).isIn(0, 1);
  }

  @Test
  void limeOnAPlainJavaFunction() {
    double[][] history = applicants(500, 2);
    double[] applicant = {2.0, 1.8, 52};
    Predictor approval = rows -> {
      double[][] out = new double[rows.length][1];
      for (int i = 0; i < rows.length; i++) out[i][0] = 0.8 * rows[i][0] - 2.5 * rows[i][1] + 0.03 * (rows[i][2] - 40) - 1;
      return out;
    };
    // --- as in docs/xai/lime.md
    LimeExplanation e = Lime.explain(approval, history, applicant, 0, LimeConfig.defaults().withNumFeatures(2));
    // e.features(): the 2 kept features by |weight|; e.weights(): change per training standard deviation; e.score(): R²
    // ---
    // per training sd (0.5 for debt, 1 for income, 10 for age) the effects are -1.25, 0.8 and 0.3
    assertThat(e.features()).containsExactly(1, 0);
    assertThat(e.weights()[0]).isCloseTo(-2.5 * LimeTest.sd(history, 1), within(0.02));
    assertThat(e.weights()[1]).isCloseTo(0.8 * LimeTest.sd(history, 0), within(0.02));
    assertThat(e.score()).isBetween(0.9, 0.99);  // age is left out of the 2-feature surrogate
  }
}
