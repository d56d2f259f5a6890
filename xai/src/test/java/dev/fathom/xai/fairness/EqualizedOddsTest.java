package dev.fathom.xai.fairness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The equalized-odds threshold optimizer against a brute force over pairs of ROC points. */
class EqualizedOddsTest {
  @Test
  void everyGroupReachesTheMostAccurateCommonOperatingPoint() {
    for (long seed : new long[] {11, 12, 13}) {
      int n = 240;
      int[] y = new int[n];
      String[] labels = new String[n];
      double[] s = ThresholdOptimizerTest.data(n, y, labels, seed);
      for (int i = 0; i < n; i++) s[i] = Math.round(s[i] * 10) / 10.0; // few distinct scores, many ties
      Groups g = Groups.of(labels);
      ThresholdOptimizer t = ThresholdOptimizer.fit(s, y, g, FairnessConstraint.EQUALIZED_ODDS);
      assertThat(t.constraint()).isEqualTo(FairnessConstraint.EQUALIZED_ODDS);
      assertThat(t.targetRate()).isNaN();
      FairnessReport r = GroupMetrics.report(y, t.decide(s, g), g, null);
      assertThat(r.equalizedOddsDifference()).isLessThan(1e-12);
      for (GroupRates gr : r.groups()) {
        assertThat(gr.tpr()).isCloseTo(t.targetTpr(), within(1e-12));
        assertThat(gr.fpr()).isCloseTo(t.targetFpr(), within(1e-12));
      }
      for (ThresholdRule rule : t.rules()) {
        GroupRates gr = r.groups().stream().filter(x -> x.name().equals(rule.group())).findFirst().orElseThrow();
        assertThat(rule.selectionRate()).isCloseTo(gr.selectionRate(), within(1e-12));
        assertThat(rule.accuracy()).isCloseTo(gr.accuracy(), within(1e-12));
      }
      // the brute-force envelope agrees at the chosen point, and no FPR on a fine grid does better
      List<List<double[]>> roc = rocPoints(s, y, g);
      assertThat(minUpper(roc, t.targetFpr())).isCloseTo(t.targetTpr(), within(1e-12));
      int pos = 0;
      for (int v : y) pos += v;
      double best = 0;
      for (int k = 0; k <= 20000; k++) {
        double x = k / 20000.0;
        best = Math.max(best, (pos * minUpper(roc, x) + (n - pos) * (1 - x)) / n);
      }
      assertThat(r.accuracy()).isGreaterThanOrEqualTo(best - 1e-12).isLessThan(best + 1e-3);
      // equal odds cost accuracy against the model's own best threshold, which is unequal
      FairnessReport plain = GroupMetrics.report(y, GroupMetrics.decisions(s, 0.5), g, null);
      assertThat(plain.equalizedOddsDifference()).isGreaterThan(0.05);
    }
  }

  /** Per group, the (FPR, TPR) of every single threshold, including "no one" and "everyone". */
  static List<List<double[]>> rocPoints(double[] s, int[] y, Groups g) {
    List<List<double[]>> out = new ArrayList<>();
    for (int a = 0; a < g.count(); a++) {
      List<Double> thresholds = new ArrayList<>(List.of(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY));
      for (int i = 0; i < s.length; i++) if (g.of(i) == a) thresholds.add(s[i]);
      List<double[]> pts = new ArrayList<>();
      for (double th : thresholds) {
        double tp = 0, fp = 0, p = 0, q = 0;
        for (int i = 0; i < s.length; i++) {
          if (g.of(i) != a) continue;
          int d = s[i] >= th ? 1 : 0;
          if (y[i] == 1) {
            p++;
            tp += d;
          } else {
            q++;
            fp += d;
          }
        }
        pts.add(new double[] {fp / q, tp / p});
      }
      out.add(pts);
    }
    return out;
  }

  /** min over groups of the best TPR a mix of two thresholds reaches at FPR x (no hull code). */
  static double minUpper(List<List<double[]>> roc, double x) {
    double m = Double.POSITIVE_INFINITY;
    for (List<double[]> pts : roc) {
      double u = Double.NEGATIVE_INFINITY;
      for (double[] p : pts) {
        for (double[] q : pts) {
          if (p[0] <= x && x <= q[0]) {
            double w = q[0] == p[0] ? 0 : (x - p[0]) / (q[0] - p[0]);
            u = Math.max(u, (1 - w) * p[1] + w * q[1]);
            if (q[0] == p[0]) u = Math.max(u, Math.max(p[1], q[1]));
          }
        }
      }
      m = Math.min(m, u);
    }
    return m;
  }

  @Test
  void aGroupWithOneOutcomeHasNoOddsToEqualize() {
    assertThatThrownBy(() -> ThresholdOptimizer.fit(new double[] {.5, .6, .7, .2}, new int[] {1, 1, 1, 0}, Groups.of("a", "a", "b", "b"),
        FairnessConstraint.EQUALIZED_ODDS))
        .hasMessageContaining("group 'a' needs training examples of both outcomes")
        .hasMessageContaining("got 2 favorable and 0 unfavorable");
    assertThatThrownBy(() -> FairnessConstraint.parse("parity")).hasMessageContaining("expected one of demographic_parity, equalized_odds");
    assertThat(FairnessConstraint.parse("Equalized_Odds")).isEqualTo(FairnessConstraint.EQUALIZED_ODDS);
    assertThatThrownBy(() -> new ThresholdRule("a", .5, .4, .5, .5, .5, 1.5, 0)).hasMessageContaining("thresholdShare and randomRate");
  }
}
