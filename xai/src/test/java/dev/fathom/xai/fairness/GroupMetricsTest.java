package dev.fathom.xai.fairness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class GroupMetricsTest {
  /*
   * Three groups, labels and decisions written out so each count can be read off:
   *   a: y = 1 1 1 0 0   ŷ = 1 1 0 1 0   TP 2 of 3 positives, FP 1 of 2 negatives, 3 selected of 5, 3 correct
   *   b: y = 1 0 0 0     ŷ = 1 0 0 0     TP 1 of 1, FP 0 of 3, 1 selected of 4, 4 correct
   *   c: y = 1 1 0       ŷ = 1 1 1       TP 2 of 2, FP 1 of 1, 3 selected of 3, 2 correct
   */
  static final int[] Y = {1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0};
  static final int[] P = {1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1};
  static final Groups G = Groups.of("a", "a", "a", "a", "a", "b", "b", "b", "b", "c", "c", "c");

  @Test
  void groupRatesAreTheCountsOfEachGroup() {
    List<GroupRates> r = GroupMetrics.rates(Y, GroupMetrics.decisions(P), G);
    assertThat(r).extracting(GroupRates::name).containsExactly("a", "b", "c");
    GroupRates a = r.get(0), b = r.get(1), c = r.get(2);
    assertThat(a.count()).isEqualTo(5);
    assertThat(a.positives()).isEqualTo(3);
    assertThat(a.selectionRate()).isCloseTo(3.0 / 5, within(1e-12));
    assertThat(a.baseRate()).isCloseTo(3.0 / 5, within(1e-12));
    assertThat(a.tpr()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(a.fpr()).isCloseTo(1.0 / 2, within(1e-12));
    assertThat(a.accuracy()).isCloseTo(3.0 / 5, within(1e-12));
    assertThat(b.selectionRate()).isCloseTo(1.0 / 4, within(1e-12));
    assertThat(b.tpr()).isCloseTo(1.0, within(1e-12));
    assertThat(b.fpr()).isCloseTo(0.0, within(1e-12));
    assertThat(b.accuracy()).isCloseTo(1.0, within(1e-12));
    assertThat(c.selectionRate()).isCloseTo(1.0, within(1e-12));
    assertThat(c.fpr()).isCloseTo(1.0, within(1e-12));
    assertThat(c.accuracy()).isCloseTo(2.0 / 3, within(1e-12));
  }

  @Test
  void summaryMetricsMatchTheirDefinitions() {
    FairnessReport r = GroupMetrics.report(Y, P, G, "c");
    double srA = 3.0 / 5, srB = 1.0 / 4, srC = 1.0;
    assertThat(r.demographicParityDifference()).isCloseTo(srC - srB, within(1e-9));
    assertThat(r.demographicParityRatio()).isCloseTo(srB / srC, within(1e-9));
    double tprGap = 1.0 - 2.0 / 3, fprGap = 1.0 - 0.0;
    assertThat(r.equalOpportunityDifference()).isCloseTo(tprGap, within(1e-9));
    assertThat(r.equalizedOddsDifference()).isCloseTo(Math.max(tprGap, fprGap), within(1e-9));
    // AIF360 pools the unprivileged groups: (3 + 1) selected of 9, against c's 3 of 3
    assertThat(r.disparateImpact()).isCloseTo((4.0 / 9) / srC, within(1e-9));
    assertThat(r.passesFourFifthsRule()).isFalse();
    assertThat(r.accuracy()).isCloseTo((3 + 4 + 2) / 12.0, within(1e-9));
    assertThat(r.selectionRate()).isCloseTo(7 / 12.0, within(1e-9));
    assertThat(srA).isBetween(srB, srC);
  }

  @Test
  void thePrivilegedGroupDefaultsToTheMostSelected() {
    assertThat(GroupMetrics.report(Y, P, G, null).privileged()).isEqualTo("c");
    assertThat(GroupMetrics.report(Y, P, G, "a").disparateImpact()).isCloseTo(((1 + 3) / 7.0) / (3.0 / 5), within(1e-9));
  }

  @Test
  void fourFifthsRuleIsTwoSided() {
    Groups g = Groups.of("p", "p", "p", "p", "p", "u", "u", "u", "u", "u");
    int[] y = new int[10];
    assertThat(GroupMetrics.report(y, new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 0}, g, "p").disparateImpact()).isCloseTo(0.8, within(1e-12));
    assertThat(GroupMetrics.report(y, new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 0}, g, "p").passesFourFifthsRule()).isTrue();
    assertThat(GroupMetrics.report(y, new int[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, g, "p").passesFourFifthsRule()).isFalse();
    // the unprivileged group selected at 5/4 of the privileged rate passes, above it fails
    assertThat(GroupMetrics.report(y, new int[] {1, 1, 1, 1, 0, 1, 1, 1, 1, 1}, g, "p").passesFourFifthsRule()).isTrue();
    assertThat(GroupMetrics.report(y, new int[] {1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, g, "p").passesFourFifthsRule()).isFalse();
  }

  @Test
  void randomizedDecisionsGiveTheExpectedMetrics() {
    // each ŷ in {0, 0.5, 1}: the metrics are linear in ŷ, so they are the average of the two
    // deterministic classifiers that round every 0.5 down and up
    double[] soft = {1, 0.5, 0, 1, 0.5, 1, 0.5, 0, 0, 1, 0.5, 1};
    double[] down = new double[soft.length], up = new double[soft.length];
    for (int i = 0; i < soft.length; i++) {
      down[i] = Math.floor(soft[i]);
      up[i] = Math.ceil(soft[i]);
    }
    List<GroupRates> s = GroupMetrics.rates(Y, soft, G), lo = GroupMetrics.rates(Y, down, G), hi = GroupMetrics.rates(Y, up, G);
    for (int g = 0; g < 3; g++) {
      assertThat(s.get(g).selectionRate()).isCloseTo((lo.get(g).selectionRate() + hi.get(g).selectionRate()) / 2, within(1e-12));
      assertThat(s.get(g).tpr()).isCloseTo((lo.get(g).tpr() + hi.get(g).tpr()) / 2, within(1e-12));
      assertThat(s.get(g).fpr()).isCloseTo((lo.get(g).fpr() + hi.get(g).fpr()) / 2, within(1e-12));
      assertThat(s.get(g).accuracy()).isCloseTo((lo.get(g).accuracy() + hi.get(g).accuracy()) / 2, within(1e-12));
    }
  }

  @Test
  void scoresBecomeDecisionsAtTheThreshold() {
    assertThat(GroupMetrics.decisions(new double[] {0.2, 0.5, 0.7, 0.49999}, 0.5)).containsExactly(0, 1, 1, 0);
    assertThatThrownBy(() -> GroupMetrics.decisions(new double[] {Double.NaN}, 0.5)).hasMessageContaining("NaN");
  }

  @Test
  void aGroupWithoutPositivesHasAnUndefinedTprAndSaysSo() {
    int[] y = {1, 0, 1, 0, 0, 0};
    int[] p = {1, 1, 0, 1, 0, 1};
    Groups g = Groups.of("x", "x", "x", "y", "y", "y");
    FairnessReport r = GroupMetrics.report(y, p, g, null);
    assertThat(r.groups().get(1).tpr()).isNaN();
    assertThat(r.groups().get(1).fpr()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(r.equalOpportunityDifference()).isNaN();
    assertThat(r.equalizedOddsDifference()).isNaN();
    assertThat(r.undefinedTpr()).containsExactly("y");
    assertThat(r.undefinedFpr()).isEmpty();
    assertThat(r.demographicParityDifference()).isCloseTo(0, within(1e-12));
    assertThat(r.toMap().get("equal_opportunity_difference")).isNull();
  }

  @Test
  void groupsWithoutExamplesAreLeftOut() {
    Groups all = Groups.of("a", "b", "c", "a", "b");
    Groups sub = all.select(new int[] {0, 1, 3, 4});
    FairnessReport r = GroupMetrics.report(new int[] {1, 0, 1, 1}, new int[] {1, 0, 0, 1}, sub, null);
    assertThat(r.groups()).extracting(GroupRates::name).containsExactly("a", "b");
  }

  @Test
  void badInputSaysWhatWasExpected() {
    assertThatThrownBy(() -> GroupMetrics.report(new int[] {1, 0}, new int[] {1, 0, 1}, Groups.of("a", "b", "a"), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("y_true has 2 entries, expected one per example of the 3");
    assertThatThrownBy(() -> GroupMetrics.report(new int[] {1, 0, 1}, new double[] {1, 0}, Groups.of("a", "b", "a"), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("y_pred has 2 entries");
    assertThatThrownBy(() -> GroupMetrics.report(new int[] {1, 0, 1}, new int[] {1, 0, 1}, Groups.of("a", "a", "a"), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected at least 2 groups with examples, got 1 ('a' with 3)");
    assertThatThrownBy(() -> GroupMetrics.report(new int[] {2, 0}, new int[] {1, 0}, Groups.of("a", "b"), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("y_true of example 0 is 2, expected 0 or 1");
    assertThatThrownBy(() -> GroupMetrics.report(new int[] {1, 0}, new double[] {1.5, 0}, Groups.of("a", "b"), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("y_pred of example 0 is 1.5, expected a decision in [0, 1]");
    assertThatThrownBy(() -> GroupMetrics.report(new int[] {1, 0}, new int[] {1, 0}, Groups.of("a", "b"), "z"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("privileged group 'z' is not among the groups with examples [a, b]");
    assertThatThrownBy(() -> Groups.of("a", "b").indexOf("q")).hasMessageContaining("no group 'q'; the groups are [a, b]");
    assertThatThrownBy(() -> new Groups(new int[] {0, 2}, List.of("a", "b"))).hasMessageContaining("expected one of [0, 2)");
  }
}
