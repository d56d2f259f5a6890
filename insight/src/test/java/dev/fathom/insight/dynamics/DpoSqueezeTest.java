package dev.fathom.insight.dynamics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The squeeze measure of multi-step DPO on constructed next-token distributions. */
class DpoSqueezeTest {
  private static double[] log(double... p) {
    double[] l = new double[p.length];
    for (int i = 0; i < p.length; i++) l[i] = Math.log(p[i]);
    return l;
  }

  /** One chosen token (token 1) and two rejected positions: y⁻ = (3, 0) with step-0 argmax (0, 0), so only position 0 counts. */
  private static PairState state(double[] position0, double[] position1) {
    double[][] chosenRows = {log(0.1, 0.5, 0.2, 0.2)};
    return PairState.of(chosenRows, new int[] {1}, new double[][] {position0, position1}, new int[] {3, 0}, new int[] {0, 0}, Double.NaN);
  }

  @Test
  void massMovingIntoTheArgmaxIsSqueezing() {
    PairState before = state(log(0.6, 0.25, 0.1, 0.05), log(0.9, 0.05, 0.03, 0.02));
    PairState after = state(log(0.7, 0.2, 0.08, 0.02), log(0.5, 0.3, 0.1, 0.1));
    assertThat(before.positions()).as("the position whose token is the argmax is left out").isEqualTo(1);
    assertThat(before.argmaxProb()).isCloseTo(0.6, within(1e-12));
    assertThat(before.rejectedProb()).isCloseTo(0.05, within(1e-12));
    assertThat(before.otherMass()).isCloseTo(0.35, within(1e-12));
    assertThat(before.logpRejected()).isCloseTo(Math.log(0.05) + Math.log(0.9), within(1e-12));
    assertThat(before.logpChosen()).isCloseTo(Math.log(0.5), within(1e-12));
    assertThat(after.otherMass()).isCloseTo(0.28, within(1e-12));
    assertThat(DpoSqueeze.shown(before, after)).isTrue();
    assertThat(DpoSqueeze.shown(after, before)).as("the reverse move is not squeezing").isFalse();
  }

  /** y⁻ falls and the argmax rises a little, but the freed mass goes to the other tokens: not squeezing. */
  @Test
  void massMovingIntoTheOtherTokensIsNot() {
    PairState before = state(log(0.5, 0.1, 0.1, 0.3), log(0.9, 0.05, 0.03, 0.02));
    PairState after = state(log(0.55, 0.2, 0.2, 0.05), log(0.9, 0.05, 0.03, 0.02));
    assertThat(after.argmaxProb()).isGreaterThan(before.argmaxProb());
    assertThat(after.logpRejected()).isLessThan(before.logpRejected());
    assertThat(DpoSqueeze.shown(before, after)).isFalse();
    DpoSqueeze s = DpoSqueeze.of(List.of(before, before), List.of(after, state(log(0.7, 0.05, 0.05, 0.2), log(0.9, 0.05, 0.03, 0.02))));
    assertThat(s.probes()).isEqualTo(2);
    assertThat(s.shown()).isEqualTo(0.5);
    assertThat(s.argmaxRose()).isEqualTo(1.0);
    assertThat(s.rejectedFell()).isEqualTo(1.0);
    assertThat(s.othersFell()).isEqualTo(0.5);
    assertThat(s.greedyRose()).as("no greedy response tracked").isNaN();
  }

  @Test
  void theGreedyResponseRoseIsCountedWhereTracked() {
    double[] row = log(0.6, 0.25, 0.1, 0.05);
    PairState a = PairState.of(new double[][] {row}, new int[] {1}, new double[][] {row}, new int[] {3}, new int[] {0}, -5.0);
    PairState up = PairState.of(new double[][] {row}, new int[] {1}, new double[][] {row}, new int[] {3}, new int[] {0}, -4.0);
    PairState down = PairState.of(new double[][] {row}, new int[] {1}, new double[][] {row}, new int[] {3}, new int[] {0}, -6.0);
    assertThat(DpoSqueeze.of(List.of(a, a, a, a), List.of(up, down, down, down)).greedyRose()).isEqualTo(0.25);
  }

  @Test
  void aPairWithoutNonArgmaxPositionsDoesNotShowIt() {
    double[] row = log(0.6, 0.25, 0.1, 0.05);
    PairState only = PairState.of(new double[][] {row}, new int[] {1}, new double[][] {row}, new int[] {0}, new int[] {0}, Double.NaN);
    assertThat(only.positions()).isZero();
    assertThat(only.argmaxProb()).isNaN();
    assertThat(DpoSqueeze.shown(only, only)).isFalse();
  }
}
