package dev.fathom.xai.fairness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.nn.F;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class WeightedLearnerTest {
  static final float[] LOGITS = {0.5f, -1.0f, 2.0f, 0.3f, -0.7f, 0.1f};

  @Test
  void unitWeightsGiveTheCrossEntropy() {
    Tensor z = Tensor.of(LOGITS, 3, 2), y = Tensor.ofLongs(new long[] {0, 1, 1}, 3);
    assertThat(WeightedLearner.weightedCrossEntropy(z, y, Tensor.of(new float[] {1, 1, 1}, 3)).item())
        .isCloseTo(F.crossEntropy(z, y).item(), within(1e-6f));
  }

  @Test
  void integerWeightsActAsCopiesOfTheExample() {
    Tensor z = Tensor.of(LOGITS, 3, 2), y = Tensor.ofLongs(new long[] {0, 1, 1}, 3);
    float weighted = WeightedLearner.weightedCrossEntropy(z, y, Tensor.of(new float[] {2, 0, 3}, 3)).item();
    // rows 0, 0, 2, 2, 2: the mean over the copies is the weighted sum over the weight total (5)
    float[] copies = new float[10];
    int[] rows = {0, 0, 2, 2, 2};
    for (int r = 0; r < 5; r++) System.arraycopy(LOGITS, 2 * rows[r], copies, 2 * r, 2);
    float dup = F.crossEntropy(Tensor.of(copies, 5, 2), Tensor.ofLongs(new long[] {0, 0, 1, 1, 1}, 5)).item();
    assertThat(weighted * 3 / 5).isCloseTo(dup, within(1e-6f));
  }

  @Test
  void gradientIsTheWeightedSoftmaxResidual() {
    Tensor z = Tensor.of(LOGITS.clone(), 3, 2).requiresGrad(true);
    long[] y = {0, 1, 1};
    float[] w = {0.5f, 2f, 1.5f};
    WeightedLearner.weightedCrossEntropy(z, Tensor.ofLongs(y, 3), Tensor.of(w, 3)).backward();
    float[] g = z.grad().data();
    for (int i = 0; i < 3; i++) {
      double a = LOGITS[2 * i], b = LOGITS[2 * i + 1], p1 = 1 / (1 + Math.exp(a - b));
      double[] p = {1 - p1, p1};
      for (int c = 0; c < 2; c++) {
        double expected = w[i] * (p[c] - (y[i] == c ? 1 : 0)) / 3;
        assertThat((double) g[2 * i + c]).as("d/dz[%d][%d]", i, c).isCloseTo(expected, within(1e-6));
      }
    }
  }

  /** Two Gaussian blobs in d = 4, labels 1 around +1, 0 around -1. */
  static double[][] blobs(int n, int[] y, long seed) {
    Rng rng = new Rng(seed);
    double[][] x = new double[n][4];
    for (int i = 0; i < n; i++) {
      y[i] = i % 2;
      for (int j = 0; j < 4; j++) x[i][j] = (y[i] == 1 ? 1 : -1) * 0.6 + rng.nextGaussian();
    }
    return x;
  }

  static double[] favorable(Sequential m, double[][] x) {
    double[][] p = WeightedLearner.predictor(m, x[0].length).predict(x);
    return Arrays.stream(p).mapToDouble(r -> r[1]).toArray();
  }

  @Test
  void logisticRegressionAndMlpLearn() {
    int[] y = new int[400];
    double[][] x = blobs(400, y, 1);
    double[] ones = new double[400];
    Arrays.fill(ones, 1);
    for (LearnerConfig c : new LearnerConfig[] {LearnerConfig.logisticRegression(), LearnerConfig.mlp(16)}) {
      double[] p = favorable(WeightedLearner.fit(x, y, ones, c, 7), x);
      double acc = 0;
      for (int i = 0; i < y.length; i++) acc += (p[i] >= 0.5 ? 1 : 0) == y[i] ? 1 : 0;
      // the Bayes accuracy of these blobs is Phi(0.6 * sqrt(4) / 1) = Phi(1.2) = 0.885
      assertThat(acc / y.length).as(c.toString()).isGreaterThan(0.83);
    }
  }

  @Test
  void weightsMoveTheDecisions() {
    int[] y = new int[400];
    double[][] x = blobs(400, y, 2);
    double[] even = new double[400], favorPositives = new double[400];
    Arrays.fill(even, 1);
    for (int i = 0; i < y.length; i++) favorPositives[i] = y[i] == 1 ? 5 : 1;
    double[] p0 = favorable(WeightedLearner.fit(x, y, even, LearnerConfig.logisticRegression(), 3), x);
    double[] p1 = favorable(WeightedLearner.fit(x, y, favorPositives, LearnerConfig.logisticRegression(), 3), x);
    double sel0 = Arrays.stream(p0).filter(v -> v >= 0.5).count() / 400.0, sel1 = Arrays.stream(p1).filter(v -> v >= 0.5).count() / 400.0;
    // a positive weighs 5 negatives: the cost-sensitive optimum moves the boundary toward the negatives
    assertThat(sel1).isGreaterThan(sel0 + 0.1);
  }

  @Test
  void theSameSeedGivesTheSameModel() {
    int[] y = new int[100];
    double[][] x = blobs(100, y, 4);
    double[] w = new double[100];
    Arrays.fill(w, 0.3);
    assertThat(favorable(WeightedLearner.fit(x, y, w, LearnerConfig.mlp(8), 5), x))
        .containsExactly(favorable(WeightedLearner.fit(x, y, w, LearnerConfig.mlp(8), 5), x));
  }

  @Test
  void badInput() {
    double[][] x = {{1, 2}, {3, 4}};
    LearnerConfig c = LearnerConfig.logisticRegression();
    assertThatThrownBy(() -> WeightedLearner.fit(x, new int[] {1}, new double[] {1, 1}, c, 0))
        .hasMessageContaining("got 2 rows, 1 labels, 2 weights");
    assertThatThrownBy(() -> WeightedLearner.fit(x, new int[] {1, 0}, new double[] {1, -1}, c, 0))
        .hasMessageContaining("weight of example 1 is -1.0, expected a finite weight >= 0");
    assertThatThrownBy(() -> WeightedLearner.fit(x, new int[] {1, 0}, new double[] {0, 0}, c, 0)).hasMessageContaining("all 2 weights are 0");
    assertThatThrownBy(() -> WeightedLearner.fit(new double[][] {{1, 2}, {3}}, new int[] {1, 0}, new double[] {1, 1}, c, 0))
        .hasMessageContaining("row 1 has 1 features, row 0 has 2");
    assertThatThrownBy(() -> new LearnerConfig(new int[] {0}, 1, 1, 0.1, 0)).hasMessageContaining("hidden sizes must be positive");
  }
}
