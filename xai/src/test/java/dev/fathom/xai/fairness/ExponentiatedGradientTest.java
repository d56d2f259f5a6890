package dev.fathom.xai.fairness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.tensor.Rng;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ExponentiatedGradientTest {
  /**
   * Group b (40%) has a lower base rate and its features are shifted down, and the group itself
   * is a feature: an unconstrained classifier selects group b far less often.
   */
  static double[][] data(int n, int[] y, String[] labels, long seed) {
    Rng rng = new Rng(seed);
    double[][] x = new double[n][3];
    for (int i = 0; i < n; i++) {
      boolean b = i % 5 < 2;
      labels[i] = b ? "b" : "a";
      y[i] = rng.nextDouble() < (b ? 0.35 : 0.75) ? 1 : 0;
      x[i][0] = (y[i] == 1 ? 1.0 : -1.0) + (b ? -0.5 : 0) + rng.nextGaussian();
      x[i][1] = rng.nextGaussian();
      x[i][2] = b ? 1 : 0;
    }
    return x;
  }

  @Test
  void theMixtureReachesParityOnTheTrainingData() {
    int n = 400;
    int[] y = new int[n];
    String[] labels = new String[n];
    double[][] x = data(n, y, labels, 5);
    Groups g = Groups.of(labels);
    LearnerConfig lr = new LearnerConfig(new int[0], 25, 64, 0.02, 0.01);
    double[] ones = new double[n];
    Arrays.fill(ones, 1);
    double[][] p = WeightedLearner.predictor(WeightedLearner.fit(x, y, ones, lr, 1), 3).predict(x);
    double[] plain = Arrays.stream(p).mapToDouble(r -> r[1] >= 0.5 ? 1 : 0).toArray();
    FairnessReport before = GroupMetrics.report(y, plain, g, null);
    assertThat(before.demographicParityDifference()).as("unconstrained").isGreaterThan(0.3);

    ExponentiatedGradient eg = ExponentiatedGradient.fit(x, y, g, new ExpGradConfig(0.01, 30, 2.0, 0.001), lr, 1);
    FairnessReport after = GroupMetrics.report(y, eg.decide(x), g, null);
    // |SR_a - SR| <= eps for both groups bounds the gap by 2 eps up to the reduction's slack
    assertThat(after.demographicParityDifference()).as("mixture").isLessThan(0.05);
    assertThat(after.accuracy()).as("parity costs accuracy, but far from all of it").isGreaterThan(0.6).isLessThan(before.accuracy());
    assertThat(eg.rounds()).isBetween(1, 30);
    assertThat(eg.roundErrors()).hasSize(eg.rounds());
    // the first round has lambda = 0: it is the unconstrained learner, with the full gap
    assertThat(eg.roundDisparities()[0]).isGreaterThan(0.1);
    FairnessReport best = GroupMetrics.report(y, eg.decideBest(x), g, null);
    assertThat(best.demographicParityDifference()).as("best single round").isLessThan(before.demographicParityDifference() / 2);
  }

  @Test
  void multipliersStayInTheScaledSimplex() {
    double[] lambda = ExponentiatedGradient.multipliers(new double[] {0, Math.log(2), 800, -3}, 100);
    double sum = Arrays.stream(lambda).sum();
    assertThat(sum).isLessThanOrEqualTo(100 + 1e-9);
    assertThat(lambda[2]).isCloseTo(100, within(1e-6)); // a huge theta takes all of B, without overflow
    double[] small = ExponentiatedGradient.multipliers(new double[] {0, Math.log(2)}, 10);
    // B e^theta / (1 + sum e^theta) = 10 * {1, 2} / 4
    assertThat(small).containsExactly(new double[] {2.5, 5}, within(1e-12));
  }

  @Test
  void disparitiesArePlusMinusEachGroupsGapToTheOverallRate() {
    Groups g = Groups.of("a", "a", "b", "b", "b");
    double[] p = {0.4, 0.6};
    double[] gamma = ExponentiatedGradient.disparities(new double[] {1, 1, 1, 0, 0}, g, p);
    double overall = 3 / 5.0;
    assertThat(gamma).containsExactly(new double[] {1 - overall, overall - 1, 1 / 3.0 - overall, overall - 1 / 3.0}, within(1e-12));
  }

  @Test
  void badInput() {
    assertThatThrownBy(() -> new ExpGradConfig(0, 10, 2, 0)).hasMessageContaining("eps must be in (0, 1], got 0.0");
    assertThatThrownBy(() -> new ExpGradConfig(0.01, 0, 2, 0)).hasMessageContaining("maxIter must be >= 1, got 0");
    assertThatThrownBy(() -> ExponentiatedGradient.fit(new double[][] {{1}, {2}}, new int[] {1, 0}, Groups.of("a", "a"),
        ExpGradConfig.defaults(), LearnerConfig.logisticRegression(), 0)).hasMessageContaining("expected at least 2 groups with training examples");
  }
}
