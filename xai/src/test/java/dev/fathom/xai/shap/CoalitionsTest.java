package dev.fathom.xai.shap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.tensor.Rng;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CoalitionsTest {

  private static int size(boolean[] z) {
    int s = 0;
    for (boolean b : z) if (b) s++;
    return s;
  }

  @Test
  void fullBudgetEnumeratesEveryCoalitionWithTheShapleyKernel() {
    for (int m = 2; m <= 9; m++) {
      Coalitions c = Coalitions.draw(m, 1 << m, true, new Rng(0));
      assertThat(c.exhaustive()).isTrue();
      assertThat(c.masks()).hasNumberOfRows((1 << m) - 2);
      Set<String> distinct = new HashSet<>();
      double sum = 0, norm = 0;
      for (int s = 1; s < m; s++) norm += (m - 1.0) / (s * (m - s));
      for (int r = 0; r < c.masks().length; r++) {
        int s = size(c.masks()[r]);
        assertThat(s).isBetween(1, m - 1);
        distinct.add(Arrays.toString(c.masks()[r]));
        // π(s) = (M − 1) / (C(M, s) s (M − s)), normalized over all non-trivial coalitions
        double pi = (m - 1.0) / (Coalitions.binomial(m, s) * s * (m - s)) / norm;
        assertThat(c.weights()[r]).isCloseTo(pi, within(1e-15));
        sum += c.weights()[r];
      }
      assertThat(distinct).hasSize((1 << m) - 2);
      assertThat(sum).isCloseTo(1, within(1e-12));
    }
  }

  @Test
  void sampledCoalitionsRespectTheBudgetComeInComplementPairsAndCarryTheirMass() {
    int m = 14, budget = 300;
    Coalitions c = Coalitions.draw(m, budget, true, new Rng(3));
    assertThat(c.exhaustive()).isFalse();
    assertThat(c.masks().length).isLessThanOrEqualTo(budget).isGreaterThan(budget - 2);
    // sizes 1 and 13 (2·14 coalitions) fit the budget completely; the rest are drawn
    long complete = Arrays.stream(c.masks()).filter(z -> size(z) == 1 || size(z) == m - 1).count();
    assertThat(complete).isEqualTo(2 * m);
    Set<String> all = new HashSet<>();
    for (boolean[] z : c.masks()) all.add(Arrays.toString(z));
    assertThat(all).hasSize(c.masks().length);
    for (boolean[] z : c.masks()) {
      boolean[] comp = new boolean[m];
      for (int i = 0; i < m; i++) comp[i] = !z[i];
      if (size(z) != m / 2) assertThat(all).contains(Arrays.toString(comp));
    }
    assertThat(Arrays.stream(c.weights()).sum()).isCloseTo(1, within(1e-12));
  }

  @Test
  void unpairedSamplingDrawsBothSidesWithoutComplements() {
    int m = 14;
    Coalitions c = Coalitions.draw(m, 300, false, new Rng(3));
    long small = Arrays.stream(c.masks()).filter(z -> size(z) > 1 && size(z) < m / 2).count();
    long large = Arrays.stream(c.masks()).filter(z -> size(z) > m / 2 && size(z) < m - 1).count();
    assertThat(small).isGreaterThan(30);
    assertThat(large).isGreaterThan(30);
    assertThat(Arrays.stream(c.weights()).sum()).isCloseTo(1, within(1e-12));
  }
}
