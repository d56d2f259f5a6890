package dev.fathom.insight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fathom.tensor.Rng;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/** Exact enumeration, leave-one-out and TMC on games whose Shapley values are known in closed form. */
class ShapleyGamesTest {
  /** A utility from a function of the membership mask. */
  static Utility game(int n, ToDoubleFunction<Integer> ofMask) {
    return new Utility() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public double of(int[] members, int count) {
        int mask = 0;
        for (int k = 0; k < count; k++) mask |= 1 << members[k];
        return ofMask.applyAsDouble(mask);
      }
    };
  }

  @Test
  void additiveGameValuesAreTheWeights() {
    double[] w = {0.3, -1.2, 2.5, 0.0, 0.7};
    Utility u = game(5, mask -> {
      double s = 0;
      for (int i = 0; i < 5; i++) if ((mask >> i & 1) == 1) s += w[i];
      return s;
    });
    assertThat(ExactShapley.values(u)).containsExactly(w, within(1e-12));
    assertThat(LeaveOneOut.values(u)).containsExactly(w, within(1e-12));
    TmcShapley.Result tmc = TmcShapley.values(u, new TmcConfig(50, 10, 0, 0.05, 5, 1));
    assertThat(tmc.values()).containsExactly(w, within(1e-12)); // every permutation gives the same marginals
  }

  @Test
  void gloveGame() {
    // player 0 holds a left glove, players 1 and 2 right gloves; U = number of pairs. φ = (2/3, 1/6, 1/6)
    Utility u = game(3, mask -> Math.min(mask & 1, Integer.bitCount(mask & 6)));
    assertThat(ExactShapley.values(u)).containsExactly(new double[] {2.0 / 3, 1.0 / 6, 1.0 / 6}, within(1e-12));
    // leave-one-out misses the shared worth of the right gloves entirely
    assertThat(LeaveOneOut.values(u)).containsExactly(new double[] {1, 0, 0}, within(1e-12));
  }

  @Test
  void majorityGameIsSymmetricAndEfficient() {
    Utility u = game(4, mask -> Integer.bitCount(mask) >= 3 ? 1 : 0);
    double[] phi = ExactShapley.values(u);
    assertThat(phi).containsOnly(0.25);
  }

  @Test
  void exactValuesAreEfficientOnARandomGame() {
    Rng rng = new Rng(3);
    double[] table = new double[1 << 7];
    for (int i = 0; i < table.length; i++) table[i] = rng.nextDouble();
    Utility u = game(7, mask -> table[mask]);
    double sum = 0;
    for (double v : ExactShapley.values(u)) sum += v;
    assertThat(sum).isCloseTo(table[127] - table[0], within(1e-12));
  }

  @Test
  void tmcConvergesToExactOnARandomGame() {
    Rng rng = new Rng(5);
    double[] table = new double[1 << 6];
    for (int i = 0; i < table.length; i++) table[i] = Integer.bitCount(i) + 0.5 * rng.nextDouble();
    Utility u = game(6, mask -> table[mask]);
    double[] exact = ExactShapley.values(u);
    TmcShapley.Result r = TmcShapley.values(u, new TmcConfig(20000, 20000, 0, 1e-9, 100, 7));
    assertThat(r.permutations()).isEqualTo(20000);
    assertThat(r.values()).containsExactly(exact, within(0.02));
    double sum = 0;
    for (double v : r.values()) sum += v;
    assertThat(sum).isCloseTo(table[63] - table[0], within(1e-9)); // each permutation's marginals telescope
  }

  @Test
  void tmcStopsWhenConvergedAndTruncationSkipsCalls() {
    Utility u = game(8, mask -> Math.min(Integer.bitCount(mask), 3));
    TmcShapley.Result loose = TmcShapley.values(u, new TmcConfig(5000, 50, 0, 0.05, 20, 1));
    assertThat(loose.converged()).isTrue();
    assertThat(loose.permutations()).isLessThan(5000);
    assertThat(loose.finalChange()).isLessThan(0.05);
    TmcShapley.Result full = TmcShapley.values(u, new TmcConfig(200, 200, 0, 1e-12, 20, 1));
    TmcShapley.Result cut = TmcShapley.values(u, new TmcConfig(200, 200, 0.01, 1e-12, 20, 1));
    assertThat(full.utilityCalls()).isEqualTo(2 + 200L * 8);
    // U saturates after 3 members, so each permutation stops after its third member
    assertThat(cut.utilityCalls()).isEqualTo(2 + 200L * 3);
    assertThat(cut.values()).containsExactly(full.values(), within(1e-12));
  }

  @Test
  void badConfigAndSizesAreRejected() {
    assertThatThrownBy(() -> new TmcConfig(0, 1, 0, 0.05, 10, 1)).hasMessageContaining("maxPermutations must be >= 1, got 0");
    assertThatThrownBy(() -> new TmcConfig(10, 20, 0, 0.05, 10, 1)).hasMessageContaining("minPermutations must be in [1, maxPermutations=10], got 20");
    assertThatThrownBy(() -> new TmcConfig(10, 1, 1.0, 0.05, 10, 1)).hasMessageContaining("truncation must be in [0, 1), got 1.0");
    assertThatThrownBy(() -> ExactShapley.values(game(21, m -> 0))).hasMessageContaining("needs 1..20 players (2^n utility calls), got 21");
  }

  @Test
  void correlationsOfKnownSamples() {
    double[] a = {1, 2, 3, 4, 5}, b = {2, 4, 6, 8, 10.5};
    assertThat(Correlation.pearson(a, b)).isGreaterThan(0.998).isLessThan(1);
    assertThat(Correlation.pearson(a, new double[] {2, 4, 6, 8, 10})).isCloseTo(1, within(1e-12));
    assertThat(Correlation.spearman(a, b)).isCloseTo(1, within(1e-12));
    assertThat(Correlation.spearman(a, new double[] {5, 4, 3, 2, 1})).isCloseTo(-1, within(1e-12));
    assertThat(Correlation.ranks(new double[] {3, 1, 3, 2})).containsExactly(3.5, 1, 3.5, 2);
    assertThatThrownBy(() -> Correlation.pearson(a, new double[] {1})).hasMessageContaining("differ in length, 5 vs 1");
  }
}
