package dev.fathom.xai.fairness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ReweighingTest {
  @Test
  void weightsAreTheIndependenceRatioOfEachCell() {
    // group a: 3 positives, 1 negative; group b: 1 positive, 3 negatives; N = 8, P(y=1) = 1/2
    int[] y = {1, 1, 1, 0, 1, 0, 0, 0};
    Groups g = Groups.of("a", "a", "a", "a", "b", "b", "b", "b");
    double[] w = Reweighing.weights(y, g);
    double aPos = (4.0 / 8) * (4.0 / 8) / (3.0 / 8), aNeg = (4.0 / 8) * (4.0 / 8) / (1.0 / 8);
    assertThat(w[0]).isCloseTo(aPos, within(1e-12));
    assertThat(w[3]).isCloseTo(aNeg, within(1e-12));
    assertThat(w[4]).isCloseTo(aNeg, within(1e-12)); // b's positives are as rare as a's negatives
    assertThat(w[5]).isCloseTo(aPos, within(1e-12));
    assertThat(Arrays.stream(w).sum()).isCloseTo(8, within(1e-9));
  }

  @Test
  void everyWeightedGroupHasTheOverallBaseRate() {
    int[] y = {1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1};
    Groups g = Groups.of("a", "a", "a", "a", "a", "b", "b", "b", "b", "b", "c", "c", "c");
    double[] w = Reweighing.weights(y, g);
    double overall = Arrays.stream(y).average().orElseThrow();
    for (int a = 0; a < g.count(); a++) {
      double pos = 0, all = 0;
      for (int i = 0; i < y.length; i++) {
        if (g.of(i) == a) {
          pos += w[i] * y[i];
          all += w[i];
        }
      }
      assertThat(pos / all).as("group %s", g.names().get(a)).isCloseTo(overall, within(1e-12));
      assertThat(all).as("weighted size of group %s", g.names().get(a)).isCloseTo(g.sizes()[a], within(1e-9));
    }
  }

  @Test
  void badInput() {
    assertThatThrownBy(() -> Reweighing.weights(new int[] {1, 0}, Groups.of("a", "b", "a")))
        .hasMessageContaining("y_true has 2 entries, expected one per example of the 3");
    assertThatThrownBy(() -> Reweighing.weights(new int[] {1, 3}, Groups.of("a", "b"))).hasMessageContaining("is 3, expected 0 or 1");
  }
}
