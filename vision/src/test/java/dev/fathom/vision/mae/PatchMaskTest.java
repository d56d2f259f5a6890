package dev.fathom.vision.mae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fathom.tensor.Rng;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PatchMaskTest {
  @Test
  void leavesExactlyTheRequestedShareVisible() {
    for (int patches : new int[] {16, 49, 196}) {
      PatchMask m = PatchMask.random(8, patches, 0.75, new Rng(patches));
      int hidden = (int) Math.round(patches * 0.75);
      for (int i = 0; i < 8; i++) {
        assertThat(m.keep()[i]).hasSize(patches - hidden);
        assertThat(m.hidden()[i]).hasSize(hidden);
        int[] all = IntStream.concat(Arrays.stream(m.keep()[i]), Arrays.stream(m.hidden()[i])).sorted().toArray();
        assertThat(all).containsExactly(IntStream.range(0, patches).toArray());
        assertThat(m.keep()[i]).isSorted();
      }
    }
    assertThat(PatchMask.random(4, 16, 0.75, new Rng(0)).visible()).isEqualTo(4);
  }

  @Test
  void masksDifferAcrossImagesAndCoverPositionsUniformly() {
    PatchMask m = PatchMask.random(4000, 16, 0.75, new Rng(7));
    int[] seen = new int[16];
    for (int[] k : m.keep()) for (int p : k) seen[p]++;
    // Each position is visible with probability 1/4: 1000 expected, sd ~27.
    for (int c : seen) assertThat(c).isBetween(850, 1150);
    assertThat(m.keep()[0]).isNotEqualTo(m.keep()[1]);
  }

  @Test
  void rejectsRatiosThatLeaveNothing() {
    assertThatThrownBy(() -> PatchMask.random(1, 4, 0.9, new Rng(0))).hasMessageContaining("hides all 4");
    assertThatThrownBy(() -> PatchMask.random(1, 4, 1.0, new Rng(0))).hasMessageContaining("[0, 1)");
  }
}
