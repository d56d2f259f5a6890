package dev.fathom.xai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.nn.Linear;
import dev.fathom.tensor.Rng;
import org.junit.jupiter.api.Test;

class PredictorsTest {

  @Test
  void logitsAreTheRawOutputsAndProbabilitiesTheirSoftmax() {
    Linear model = new Linear(3, 2, new Rng(1));
    double[][] rows = new double[300][];  // more than one chunk of 256
    Rng rng = new Rng(2);
    for (int i = 0; i < rows.length; i++) rows[i] = new double[] {rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()};
    double[][] logits = Predictors.logits(model, 3).predict(rows);
    double[][] probs = Predictors.probabilities(model, 3).predict(rows);
    for (int i = 0; i < rows.length; i++) {
      for (int c = 0; c < 2; c++) {
        double z = model.bias.get(c);
        for (int j = 0; j < 3; j++) z += model.weight.get(c, j) * (float) rows[i][j];
        assertThat(logits[i][c]).isCloseTo(z, within(1e-5));
      }
      double e0 = Math.exp(logits[i][0]), e1 = Math.exp(logits[i][1]);
      assertThat(probs[i][1]).isCloseTo(e1 / (e0 + e1), within(1e-6));
      assertThat(probs[i][0] + probs[i][1]).isCloseTo(1, within(1e-6));
    }
    assertThatThrownBy(() -> Predictors.logits(model, 3).predict(new double[][] {{1, 2}}))
        .hasMessageContaining("row 0 has 2 features, the model takes 3");
  }
}
