package dev.fathom.insight.sensitivity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fathom.tensor.Rng;
import org.junit.jupiter.api.Test;

/** The two token layouts, written out by hand for small inputs. */
class BitBatchTest {
  private static final int C = BitTransformer.CLS, S = BitTransformer.SEP, I = BitBatch.IGNORE;

  @Test
  void directLayoutPutsClsFirstAndTheAnswerAtPositionZero() {
    BitBatch b = BitBatch.direct(new Majority(3), new long[] {0b011, 0b100});
    assertThat(b.ids().shape()).containsExactly(2, 4);
    assertThat(b.ids().toLongArray()).containsExactly(C, 1, 1, 0, C, 0, 0, 1);
    assertThat(b.targets().toLongArray()).containsExactly(1, I, I, I, 0, I, I, I);
    assertThat(b.answers()).containsExactly(1, 0);
    assertThat(b.answerPosition()).isZero();
  }

  @Test
  void scratchpadLayoutFeedsTheRunningParitiesBack() {
    // x = 1, 1, 0, 1: running parities 1, 0, 0, 1
    BitBatch b = BitBatch.scratchpad(4, new long[] {0b1011});
    assertThat(b.ids().toLongArray()).containsExactly(1, 1, 0, 1, S, 1, 0, 0);
    assertThat(b.targets().toLongArray()).containsExactly(I, I, I, I, 1, 0, 0, 1);
    assertThat(b.answers()).containsExactly(1);
    assertThat(b.answerPosition()).isEqualTo(7);
    assertThat(BitBatch.sequenceLength(4, true)).isEqualTo(8);
    assertThat(BitBatch.sequenceLength(4, false)).isEqualTo(5);
  }

  @Test
  void answersAreTheTaskAndTheLastTargetOfTheScratchpad() {
    Rng rng = new Rng(3);
    long[] x = BitBatch.sample(9, 200, rng);
    BitBatch b = BitBatch.scratchpad(9, x);
    long[] tg = b.targets().toLongArray();
    for (int r = 0; r < x.length; r++) {
      assertThat(x[r] >>> 9).as("only n bits are drawn").isZero();
      assertThat(b.answers()[r]).isEqualTo(new Parity(9).apply(x[r])).isEqualTo((int) tg[r * 18 + 17]);
    }
    assertThat(BitBatch.all(3)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
  }
}
