package dev.fathom.xai.fairness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class CalibrationTest {
  @Test
  void binsMeansAndEceByHand() {
    // 5 bins of width 0.2: 0.05 and 0.15 -> bin 0, 0.3 -> bin 1, 0.9 and 1.0 -> bin 4 (1.0 joins the last bin)
    double[] p = {0.05, 0.15, 0.3, 0.9, 1.0};
    int[] y = {0, 1, 0, 1, 1};
    Calibration c = Calibration.of(y, p, 5);
    assertThat(c.group()).isEqualTo("all");
    assertThat(c.counts()).containsExactly(2, 1, 0, 0, 2);
    assertThat(c.meanPredicted()[0]).isCloseTo(0.1, within(1e-12));
    assertThat(c.observedRate()[0]).isCloseTo(0.5, within(1e-12));
    assertThat(c.meanPredicted()[1]).isCloseTo(0.3, within(1e-12));
    assertThat(c.observedRate()[1]).isCloseTo(0.0, within(1e-12));
    assertThat(c.meanPredicted()[2]).isNaN();
    assertThat(c.observedRate()[3]).isNaN();
    assertThat(c.meanPredicted()[4]).isCloseTo(0.95, within(1e-12));
    double ece = 2.0 / 5 * Math.abs(0.5 - 0.1) + 1.0 / 5 * Math.abs(0 - 0.3) + 2.0 / 5 * Math.abs(1 - 0.95);
    assertThat(c.ece()).isCloseTo(ece, within(1e-9));
    assertThat(c.total()).isEqualTo(5);
  }

  @Test
  void perGroupTablesUseOnlyTheirExamples() {
    double[] p = {0.1, 0.1, 0.9, 0.9, 0.6, 0.6};
    int[] y = {0, 0, 1, 1, 0, 0};
    Groups g = Groups.of("u", "v", "u", "v", "u", "v");
    List<Calibration> byGroup = Calibration.byGroup(y, p, g, 2);
    assertThat(byGroup).extracting(Calibration::group).containsExactly("u", "v");
    Calibration u = byGroup.getFirst();
    assertThat(u.counts()).containsExactly(1, 2);
    // bin 1 holds 0.9 (y 1) and 0.6 (y 0): mean 0.75, observed 0.5; bin 0: 0.1 vs 0
    assertThat(u.ece()).isCloseTo(1.0 / 3 * 0.1 + 2.0 / 3 * 0.25, within(1e-9));
    assertThat(byGroup.get(1).ece()).isCloseTo(u.ece(), within(1e-12));
  }

  @Test
  void aPerfectlyCalibratedScoreHasEceZero() {
    // in each bin, the share of positives equals the (constant) score
    double[] p = {0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75};
    int[] y = {1, 0, 0, 0, 1, 1, 1, 0};
    assertThat(Calibration.of(y, p, 4).ece()).isCloseTo(0, within(1e-12));
  }

  @Test
  void badInput() {
    assertThatThrownBy(() -> Calibration.of(new int[] {1}, new double[] {0.5}, 0)).hasMessageContaining("at least 1 bin, got 0");
    assertThatThrownBy(() -> Calibration.of(new int[] {1}, new double[] {1.5}, 3))
        .hasMessageContaining("probability of example 0 is 1.5, expected a value in [0, 1]");
    assertThatThrownBy(() -> Calibration.byGroup(new int[] {1, 0}, new double[] {0.5}, Groups.of("a", "b"), 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("probabilities has 1 entries, expected one per example of the 2");
  }
}
