package dev.fathom.insight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.tensor.Rng;
import org.junit.jupiter.api.Test;

class KnnShapleyTest {
  /** U(S) = (1/K) Σ_{j ≤ min(K,|S|)} 1[y of the j-th nearest in S = y], by brute force. */
  private static double utility(int mask, double[] dist, int[] y, int label, int k) {
    int n = dist.length;
    Integer[] members = java.util.stream.IntStream.range(0, n).filter(i -> (mask >> i & 1) == 1).boxed().toArray(Integer[]::new);
    java.util.Arrays.sort(members, (a, b) -> dist[a] != dist[b] ? Double.compare(dist[a], dist[b]) : Integer.compare(a, b));
    double u = 0;
    for (int j = 0; j < Math.min(k, members.length); j++) if (y[members[j]] == label) u += 1.0 / k;
    return u;
  }

  /** φ_i = Σ_{S ⊆ N∖{i}} |S|!(n−|S|−1)!/n! (U(S ∪ {i}) − U(S)). */
  private static double[] enumerate(double[] dist, int[] y, int label, int k) {
    int n = dist.length;
    double[] fact = new double[n + 1];
    fact[0] = 1;
    for (int i = 1; i <= n; i++) fact[i] = fact[i - 1] * i;
    double[] phi = new double[n];
    for (int i = 0; i < n; i++) {
      for (int mask = 0; mask < 1 << n; mask++) {
        if ((mask >> i & 1) == 1) continue;
        int size = Integer.bitCount(mask);
        double w = fact[size] * fact[n - size - 1] / fact[n];
        phi[i] += w * (utility(mask | 1 << i, dist, y, label, k) - utility(mask, dist, y, label, k));
      }
    }
    return phi;
  }

  @Test
  void theRecursionEqualsShapleyByEnumeration() {
    Rng rng = new Rng(1);
    for (int trial = 0; trial < 20; trial++) {
      int n = 2 + rng.nextInt(8), k = 1 + rng.nextInt(4), d = 3;
      float[] train = new float[n * d], test = new float[d];
      int[] y = new int[n];
      for (int i = 0; i < n * d; i++) train[i] = (float) rng.nextGaussian();
      for (int j = 0; j < d; j++) test[j] = (float) rng.nextGaussian();
      for (int i = 0; i < n; i++) y[i] = rng.nextInt(3);
      int label = rng.nextInt(3);
      double[] dist = new double[n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < d; j++) dist[i] += Math.pow((double) train[i * d + j] - test[j], 2);
      }
      double[] exact = enumerate(dist, y, label, k);
      double[] fast = KnnShapley.values(train, y, test, new int[] {label}, d, k);
      for (int i = 0; i < n; i++) assertThat(fast[i]).as("trial %d, n %d, K %d, point %d", trial, n, k, i).isCloseTo(exact[i], within(1e-6));
      // efficiency: the values sum to U(all) − U(∅)
      double sum = 0;
      for (double v : fast) sum += v;
      assertThat(sum).isCloseTo(utility((1 << n) - 1, dist, y, label, k), within(1e-6));
    }
  }

  @Test
  void aFlippedNeighbourIsWorthLessThanACorrectOne() {
    // two clusters; point 1 sits in cluster 0 but carries label 1
    float[] train = {0f, 0.1f, 0.2f, 5f, 5.1f, 5.2f};
    int[] y = {0, 1, 0, 1, 1, 1};
    float[] test = {0.05f, 0.15f, 5.05f};
    double[] v = KnnShapley.values(train, y, test, new int[] {0, 0, 1}, 1, 3);
    for (int i = 0; i < 6; i++) if (i != 1) assertThat(v[1]).as("point %d", i).isLessThan(v[i]);
    assertThat(v[0]).isGreaterThan(0);
  }

  @Test
  void aucCountsTiesAsHalfAndRejectsOneClass() {
    assertThat(Auc.of(new double[] {0.1, 0.4, 0.35, 0.8}, new boolean[] {false, false, true, true})).isCloseTo(0.75, within(1e-12));
    assertThat(Auc.of(new double[] {1, 1, 1, 1}, new boolean[] {false, true, false, true})).isCloseTo(0.5, within(1e-12));
    assertThatThrownBy(() -> Auc.of(new double[] {1, 2}, new boolean[] {true, true})).hasMessageContaining("need both classes");
  }

  @Test
  void badInputIsRejected() {
    assertThatThrownBy(() -> KnnShapley.values(new float[5], new int[2], new float[2], new int[1], 2, 1))
        .hasMessageContaining("expected 2 x 2 training features, got 5");
    assertThatThrownBy(() -> KnnShapley.values(new float[4], new int[2], new float[2], new int[1], 2, 0)).hasMessageContaining("K must be >= 1");
  }
}
