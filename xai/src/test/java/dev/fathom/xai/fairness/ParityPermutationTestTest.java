package dev.fathom.xai.fairness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ParityPermutationTestTest {
  @Test
  void aGroupBlindClassifierIsAtChanceAndAPerfectSplitIsNot() {
    int n = 200;
    String[] labels = new String[n];
    double[] blind = new double[n], split = new double[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i < 40 ? "small" : "large";
      blind[i] = i % 2; // half of each group selected: DPD 0
      split[i] = i < 40 ? 0 : 1; // the small group never selected: DPD 1
    }
    Groups g = Groups.of(labels);
    ParityPermutationTest b = ParityPermutationTest.of(blind, g, 500, 1);
    assertThat(b.observed()).isCloseTo(0, within(1e-12));
    assertThat(b.pValue()).isEqualTo(1.0);
    // a random 40 of 200 where half are selected: SR has sd sqrt(.25/40 * 160/199), so |gap| averages several points
    assertThat(b.floor()).isBetween(0.03, 0.15);
    ParityPermutationTest s = ParityPermutationTest.of(split, g, 500, 1);
    assertThat(s.observed()).isCloseTo(1, within(1e-12));
    assertThat(s.pValue()).isCloseTo(1 / 501.0, within(1e-12));
    assertThat(s.floor()).isLessThan(0.3);
  }

  @Test
  void badInput() {
    assertThatThrownBy(() -> ParityPermutationTest.of(new double[] {1, 0}, Groups.of("a", "b"), 0, 1))
        .hasMessageContaining("at least 1 permutation, got 0");
  }
}
