package dev.fathom.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitTest {
  private static void assertPartition(Split s, int n) {
    int[] all =
        IntStream.concat(Arrays.stream(s.train()), Arrays.stream(s.test())).sorted().toArray();
    assertThat(all).containsExactly(IntStream.range(0, n).toArray());
    assertThat(s.train()).isSorted();
    assertThat(s.test()).isSorted();
  }

  @Test
  void seededShuffleIsDeterministicDisjointAndComplete() {
    Split a = Split.shuffled(1000, 0.2, 42);
    Split b = Split.shuffled(1000, 0.2, 42);
    Split c = Split.shuffled(1000, 0.2, 43);
    assertThat(a).isEqualTo(b);
    assertThat(a).isNotEqualTo(c);
    assertThat(a.test()).hasSize(200);
    assertThat(a.train()).hasSize(800);
    assertPartition(a, 1000);
    assertPartition(c, 1000);
    assertThat(a.test())
        .as("shuffled, not the first 200 rows")
        .isNotEqualTo(IntStream.range(0, 200).toArray());
  }

  @Test
  void extremeFractionsKeepBothPartsNonEmpty() {
    assertThat(Split.shuffled(10, 0.01, 1).test()).hasSize(1);
    assertThat(Split.shuffled(10, 0.99, 1).train()).hasSize(1);
    assertThat(Split.shuffled(2, 0.5, 7).test()).hasSize(1);
  }

  @Test
  void stratifiedKeepsClassProportions() {
    int[] labels = new int[1000];
    for (int i = 0; i < 1000; i++) {
      labels[i] = i % 10 < 7 ? 0 : (i % 10 < 9 ? 1 : 2); // 70% / 20% / 10%
    }
    Split s = Split.stratified(labels, 0.25, 5);
    assertPartition(s, 1000);
    int[] testCounts = new int[3];
    for (int i : s.test()) {
      testCounts[labels[i]]++;
    }
    assertThat(testCounts).containsExactly(175, 50, 25);
    assertThat(Split.stratified(labels, 0.25, 5)).isEqualTo(s);
  }

  @Test
  void stratifiedSingletonClassGoesToTraining() {
    int[] labels = {0, 0, 0, 0, 1};
    Split s = Split.stratified(labels, 0.5, 3);
    assertPartition(s, 5);
    assertThat(s.train()).contains(4);
    assertThat(s.test()).hasSize(2);
  }

  @Test
  void stratifiedFoldsPartitionTheRowsAndKeepClassProportions() {
    int[] labels = new int[103];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % 10 < 7 ? 0 : (i % 10 < 9 ? 1 : 2);
    }
    int[] classCount = new int[3];
    for (int y : labels) {
      classCount[y]++;
    }
    int k = 5;
    int[] seen = new int[labels.length];
    for (int f = 0; f < k; f++) {
      Split s = Split.stratifiedFold(labels, k, f, 9);
      assertPartition(s, labels.length);
      assertThat(s.test().length).isBetween(labels.length / k, labels.length / k + 1);
      int[] testCounts = new int[3];
      for (int i : s.test()) {
        seen[i]++;
        testCounts[labels[i]]++;
      }
      for (int c = 0; c < 3; c++) {
        assertThat(testCounts[c]).isBetween(classCount[c] / k, classCount[c] / k + 1);
      }
      assertThat(Split.stratifiedFold(labels, k, f, 9)).isEqualTo(s);
    }
    assertThat(seen).containsOnly(1);
    assertThat(Split.stratifiedFold(labels, k, 0, 10)).isNotEqualTo(Split.stratifiedFold(labels, k, 0, 9));
    assertThatThrownBy(() -> Split.stratifiedFold(labels, 1, 0, 0)).hasMessageContaining("folds must be in [2, 103]");
    assertThatThrownBy(() -> Split.stratifiedFold(labels, 5, 5, 0)).hasMessageContaining("fold must be in [0, 5), got 5");
    assertThatThrownBy(() -> Split.stratifiedFold(new int[] {0, -1}, 2, 0, 0)).hasMessageContaining("label of row 1 is -1");
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> Split.shuffled(1, 0.5, 0)).hasMessageContaining("at least 2 rows");
    assertThatThrownBy(() -> Split.shuffled(10, 1.0, 0)).hasMessageContaining("in (0, 1), got 1.0");
    assertThatThrownBy(() -> Split.shuffled(10, Double.NaN, 0)).hasMessageContaining("got NaN");
    assertThatThrownBy(() -> Split.stratified(new int[] {0, -1}, 0.5, 0))
        .hasMessageContaining("label of row 1 is -1");
  }
}
