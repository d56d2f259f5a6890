package dev.fathom.insight.sensitivity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The closed forms of average sensitivity against enumeration of all 2ⁿ inputs, and hand-checked values. */
class BooleanTaskTest {
  @Test
  void closedFormsEqualEnumerationOnSmallLengths() {
    for (int n = 1; n <= 12; n++) {
      for (String name : BooleanTask.NAMES) {
        BooleanTask task = BooleanTask.of(name, n, Math.min(3, n), 7 + n);
        assertThat(task.averageSensitivity()).as(name + " n=" + n).isCloseTo(AverageSensitivity.enumerate(task), within(1e-12));
      }
    }
  }

  @Test
  void knownValues() {
    // majority of 3: the six inputs with one or two ones each have two sensitive bits: 12/8
    assertThat(new Majority(3).averageSensitivity()).isEqualTo(1.5);
    // odd n: n·C(n−1, (n−1)/2)/2ⁿ⁻¹; n = 5: 5·6/16
    assertThat(new Majority(5).averageSensitivity()).isCloseTo(30.0 / 16, within(1e-15));
    // even n, ties give 0: only 11 (2 flips), 01 and 10 (1 flip each) are sensitive: 4/4
    assertThat(new Majority(2).averageSensitivity()).isCloseTo(1.0, within(1e-15));
    assertThat(new Parity(9).averageSensitivity()).isEqualTo(9);
    assertThat(new FirstBit(9).averageSensitivity()).isEqualTo(1);
    assertThat(SparseParity.seeded(20, 3, 1).averageSensitivity()).isEqualTo(3);
  }

  @Test
  void majorityGrowsLikeSqrtTwoNOverPi() {
    for (int n : new int[] {21, 41, 61}) {
      double asymptote = Math.sqrt(2.0 * n / Math.PI);
      assertThat(new Majority(n).averageSensitivity() / asymptote).as("n=" + n).isCloseTo(1.0, within(0.02));
    }
    assertThat(new Majority(21).averageSensitivity()).isCloseTo(AverageSensitivity.enumerate(new Majority(21)), within(1e-9));
  }

  @Test
  void functionValues() {
    assertThat(new Parity(4).apply(0b1011)).isEqualTo(1);
    assertThat(new Parity(4).apply(0b1001)).isZero();
    assertThat(new Parity(3).apply(0b1001)).as("bits past n are ignored").isEqualTo(1);
    assertThat(new Majority(3).apply(0b011)).isEqualTo(1);
    assertThat(new Majority(4).apply(0b0011)).as("a tie gives 0").isZero();
    assertThat(new FirstBit(5).apply(0b10)).isZero();
    assertThat(new FirstBit(5).apply(0b11)).isEqualTo(1);
    SparseParity s = new SparseParity(6, new int[] {1, 4});
    assertThat(s.apply(0b010010)).isZero();
    assertThat(s.apply(0b000010)).isEqualTo(1);
    assertThat(s.apply(0b100011)).isEqualTo(1);
    assertThat(s.apply(0b101101)).isZero();
  }

  @Test
  void sparseParityPositionsFollowTheSeed() {
    SparseParity a = SparseParity.seeded(16, 4, 3), b = SparseParity.seeded(16, 4, 3);
    assertThat(a).isEqualTo(b);
    assertThat(a.positions()).hasSize(4).isSorted().doesNotHaveDuplicates();
    assertThat(java.util.Arrays.stream(a.positions()).allMatch(p -> p >= 0 && p < 16)).isTrue();
    boolean differs = false;
    for (long seed = 4; seed < 20 && !differs; seed++) differs = !SparseParity.seeded(16, 4, seed).equals(a);
    assertThat(differs).as("other seeds pick other positions").isTrue();
  }

  @Test
  void scratchpadStepSensitivityEqualsEnumerationOfEachStep() {
    for (int n = 1; n <= 5; n++) {
      double sum = 0;
      for (int i = 1; i <= n; i++) {
        // output i reads x₁..xₙ (bits 0..n−1) and the fed-back s₁..sᵢ₋₁ (bits n..n+i−2); it is x₁ for i = 1, else sᵢ₋₁ ⊕ xᵢ
        final int step = i, nn = n;
        int width = n + i - 1;
        sum += AverageSensitivity.enumerate(
            bits -> step == 1 ? (int) (bits & 1) : (int) ((bits >>> (step - 1)) ^ (bits >>> (nn + step - 2))) & 1, width);
      }
      assertThat(AverageSensitivity.scratchpadParityStep(n)).as("n=" + n).isCloseTo(sum / n, within(1e-12));
    }
  }

  @Test
  void badArgumentsAreRejected() {
    assertThatThrownBy(() -> BooleanTask.of("xor", 4, 2, 1)).hasMessageContaining("unknown Boolean task 'xor'").hasMessageContaining("parity");
    assertThatThrownBy(() -> new Parity(0)).hasMessageContaining("length must be in [1, 62], got 0");
    assertThatThrownBy(() -> new Majority(63)).hasMessageContaining("got 63");
    assertThatThrownBy(() -> SparseParity.seeded(4, 5, 1)).hasMessageContaining("k must be in [1, n = 4], got 5");
    assertThatThrownBy(() -> new SparseParity(4, new int[] {2, 2})).hasMessageContaining("strictly increasing");
    assertThatThrownBy(() -> AverageSensitivity.enumerate(x -> 2, 3)).hasMessageContaining("expected 0 or 1");
    assertThatThrownBy(() -> AverageSensitivity.enumerate(x -> 0, 25)).hasMessageContaining("n must be in [1, 24], got 25");
  }
}
