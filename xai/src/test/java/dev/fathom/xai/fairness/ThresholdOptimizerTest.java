package dev.fathom.xai.fairness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.tensor.Rng;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThresholdOptimizerTest {
  @Test
  void handSolvedExampleMixesTwoThresholdsInOneGroup() {
    // a (8 examples, each twice): scores .9 .8 .3 .2, labels 1 1 0 0 -> the threshold .55 is perfect at rate 1/2.
    // b (4): scores .7 .6 .5 .4, labels 1 0 1 0 -> accuracy 3/4 at rates 1/4 (threshold .65) and 3/4 (threshold .45).
    // Weighted by size, rate 1/2 wins (2*1 + 3/4 against 2*3/4 + 3/4); b reaches it by using .45 with probability 1/2.
    double[] s = {.9, .8, .3, .2, .9, .8, .3, .2, .7, .6, .5, .4};
    int[] y = {1, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0};
    Groups g = Groups.of("a", "a", "a", "a", "a", "a", "a", "a", "b", "b", "b", "b");
    ThresholdOptimizer t = ThresholdOptimizer.fit(s, y, g);
    assertThat(t.targetRate()).isCloseTo(0.5, within(1e-12));
    ThresholdRule a = t.rules().get(0), b = t.rules().get(1);
    assertThat(a.high()).isCloseTo((0.8 + 0.3) / 2, within(1e-12));
    assertThat(a.pLow()).isZero();
    assertThat(b.high()).isCloseTo((0.7 + 0.6) / 2, within(1e-12));
    assertThat(b.low()).isCloseTo((0.5 + 0.4) / 2, within(1e-12));
    assertThat(b.pLow()).isCloseTo(0.5, within(1e-12));
    assertThat(b.accuracy()).isCloseTo(0.75, within(1e-12));
    assertThat(t.decide(s, g)).containsExactly(new double[] {1, 1, 0, 0, 1, 1, 0, 0, 1, 0.5, 0.5, 0}, within(1e-12));
  }

  /** Two groups with shifted score distributions, scores rounded to 2 decimals so there are ties. */
  static double[] data(int n, int[] y, String[] labels, long seed) {
    Rng rng = new Rng(seed);
    double[] s = new double[n];
    for (int i = 0; i < n; i++) {
      boolean b = i % 5 < 2;
      labels[i] = b ? "b" : "a";
      y[i] = rng.nextDouble() < (b ? 0.45 : 0.7) ? 1 : 0;
      double z = (y[i] == 1 ? 0.8 : -0.4) + (b ? -0.5 : 0.2) + rng.nextGaussian();
      s[i] = Math.round(100 / (1 + Math.exp(-z))) / 100.0;
    }
    return s;
  }

  @Test
  void equalSelectionRatesAtTheBestAccuracyABruteForceFinds() {
    int n = 300;
    int[] y = new int[n];
    String[] labels = new String[n];
    double[] s = data(n, y, labels, 11);
    Groups g = Groups.of(labels);
    ThresholdOptimizer t = ThresholdOptimizer.fit(s, y, g);
    FairnessReport r = GroupMetrics.report(y, t.decide(s, g), g, null);
    assertThat(r.demographicParityDifference()).isLessThan(1e-12);
    assertThat(r.groups().getFirst().selectionRate()).isCloseTo(t.targetRate(), within(1e-12));
    assertThat(r.accuracy()).isCloseTo(bruteForce(s, y, g), within(1e-9));
    // and parity costs something here: a single threshold for everyone is more accurate but unequal
    FairnessReport plain = GroupMetrics.report(y, GroupMetrics.decisions(s, 0.5), g, null);
    assertThat(plain.demographicParityDifference()).isGreaterThan(0.2);
  }

  /**
   * max over rates r of Σ_a n_a acc_a(r) / N, with acc_a(r) the best mix of any two single thresholds
   * (every pair of operating points, no hull), r over every operating point's rate and a fine grid.
   */
  static double bruteForce(double[] s, int[] y, Groups g) {
    List<List<double[]>> points = new ArrayList<>();
    for (int a = 0; a < g.count(); a++) {
      List<double[]> pts = new ArrayList<>();
      List<Double> thresholds = new ArrayList<>(List.of(Double.POSITIVE_INFINITY));
      for (int i = 0; i < s.length; i++) if (g.of(i) == a) thresholds.add(s[i]);
      for (double t : thresholds) {
        double sel = 0, correct = 0, n = 0;
        for (int i = 0; i < s.length; i++) {
          if (g.of(i) != a) continue;
          int d = s[i] >= t ? 1 : 0;
          n++;
          sel += d;
          correct += d == y[i] ? 1 : 0;
        }
        pts.add(new double[] {sel / n, correct / n, n});
      }
      points.add(pts);
    }
    List<Double> rates = new ArrayList<>();
    for (var pts : points) for (double[] p : pts) rates.add(p[0]);
    for (int k = 0; k <= 1000; k++) rates.add(k / 1000.0);
    double best = 0;
    for (double r : rates) {
      double total = 0, n = 0;
      for (var pts : points) {
        double acc = Double.NEGATIVE_INFINITY;
        for (double[] p : pts) {
          for (double[] q : pts) {
            if (p[0] <= r && r <= q[0]) {
              double mix = q[0] == p[0] ? 0 : (r - p[0]) / (q[0] - p[0]);
              acc = Math.max(acc, (1 - mix) * p[1] + mix * q[1]);
            }
          }
        }
        total += acc * pts.getFirst()[2];
        n += pts.getFirst()[2];
      }
      best = Math.max(best, total / n);
    }
    return best;
  }

  @Test
  void drawsFollowTheRuleProbabilities() {
    int n = 300;
    int[] y = new int[n];
    String[] labels = new String[n];
    double[] s = data(n, y, labels, 12);
    Groups g = Groups.of(labels);
    ThresholdOptimizer t = ThresholdOptimizer.fit(s, y, g);
    double[] p = t.decide(s, g);
    int[] selected = new int[n];
    int draws = 400;
    Rng rng = new Rng(3);
    for (int k = 0; k < draws; k++) {
      int[] d = t.predict(s, g, rng);
      for (int i = 0; i < n; i++) selected[i] += d[i];
    }
    for (int i = 0; i < n; i++) {
      if (p[i] == 0 || p[i] == 1) assertThat(selected[i]).isEqualTo((int) p[i] * draws);
      else assertThat(selected[i] / (double) draws).isCloseTo(p[i], within(0.1)); // 4 sd of a mean of 400 draws is at most 0.1
    }
  }

  @Test
  void badInput() {
    assertThatThrownBy(() -> ThresholdOptimizer.fit(new double[] {.5, .6}, new int[] {1, 0}, Groups.of("a", "a")))
        .hasMessageContaining("expected at least 2 groups with training examples, got [a]");
    assertThatThrownBy(() -> ThresholdOptimizer.fit(new double[] {.5}, new int[] {1, 0}, Groups.of("a", "b")))
        .hasMessageContaining("scores has 1 entries, expected one per example of the 2");
    ThresholdOptimizer t = ThresholdOptimizer.fit(new double[] {.5, .6, .7, .2}, new int[] {1, 0, 1, 0}, Groups.of("a", "a", "b", "b"));
    assertThatThrownBy(() -> t.decide(new double[] {.5}, Groups.of("c")))
        .hasMessageContaining("example 0 is in group 'c', which had no training examples; the fitted groups are [a, b]");
  }
}
