package dev.fathom.insight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RemovalCurveTest {
  @Test
  void ordersFollowTheValues() {
    // score = (good kept − bad kept) / n, with examples 0..9 bad (value −1) and 10..99 good (value = index)
    double[] v = new double[100];
    for (int i = 0; i < 100; i++) v[i] = i < 10 ? -1 : i;
    RemovalCurve.Result r = RemovalCurve.of(v, new double[] {0, 0.1, 0.3}, drop -> {
      double s = 0;
      for (int i = 0; i < 100; i++) if (!drop[i]) s += i < 10 ? -1 : 1;
      return s / 100;
    }, 1);
    assertThat(r.highFirst()).containsExactly(0.8, 0.7, 0.5);
    assertThat(r.lowFirst()).containsExactly(0.8, 0.9, 0.7);
    assertThat(r.random()[0]).isEqualTo(0.8);
    assertThat(r.random()[2]).isGreaterThan(r.highFirst()[2]).isLessThan(r.lowFirst()[1] + 0.0);
  }

  @Test
  void repeatsAreAveragedWithTheirSpreadAndFractionZeroIsSharedAcrossOrders() {
    double[] v = {5, 4, 3, 2, 1, 0};
    java.util.List<String> calls = new java.util.ArrayList<>();
    // score = repeat + (number kept) / 10: the mean over repeats 0, 1, 2 adds 1, the sd is 1
    RemovalCurve.Result r = RemovalCurve.of(v, new double[] {0, 0.5}, (drop, rep) -> {
      int kept = 0;
      for (boolean d : drop) if (!d) kept++;
      calls.add(rep + ":" + kept);
      return rep + kept / 10.0;
    }, 3, 7);
    assertThat(calls).hasSize(3 * (1 + 3));
    assertThat(r.highFirst()[0]).isEqualTo(1.6, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(r.lowFirst()[1]).isEqualTo(1.3, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(r.randomSd()[1]).isEqualTo(1.0, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(r.repeats()).isEqualTo(3);
    assertThatThrownBy(() -> RemovalCurve.of(v, new double[] {0}, (d, rep) -> 0, 0, 1)).hasMessageContaining("repeats must be >= 1, got 0");
  }

  @Test
  void fractionsMustAscendInsideZeroOne() {
    assertThatThrownBy(() -> RemovalCurve.of(new double[3], new double[] {0.2, 0.1}, d -> 0, 1)).hasMessageContaining("must ascend");
    assertThatThrownBy(() -> RemovalCurve.of(new double[3], new double[] {1}, d -> 0, 1)).hasMessageContaining("must be in [0, 1), got 1.0");
  }
}
