package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The block pattern: which key blocks a query block sees, the seeded random draw, validation. */
class BlockSparseLayoutTest {

  private static final BlockSparseLayout[] LAYOUTS = {
      new BlockSparseLayout(64, 1, 0, 0, 0), new BlockSparseLayout(64, 3, 1, 1, 7), new BlockSparseLayout(128, 2, 2, 3, -5),
      new BlockSparseLayout(64, 1, 0, 4, 123), new BlockSparseLayout(192, 4, 3, 2, Long.MAX_VALUE)};

  @Test
  void keyBlocksAreSortedDistinctCausalAndHoldLocalGlobalAndTheRightNumberOfRandomBlocks() {
    for (BlockSparseLayout layout : LAYOUTS) {
      for (int qb = 0; qb < 60; qb++) {
        int[] kbs = layout.keyBlocks(qb);
        String what = layout + " qb=" + qb;
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < kbs.length; i++) {
          assertThat(kbs[i]).as(what).isBetween(0, qb);
          if (i > 0) assertThat(kbs[i]).as(what).isGreaterThan(kbs[i - 1]);
          seen.add(kbs[i]);
        }
        Set<Integer> fixed = new HashSet<>();
        for (int kb = Math.max(0, qb - layout.localBlocks() + 1); kb <= qb; kb++) fixed.add(kb);
        for (int kb = 0; kb < Math.min(layout.globalBlocks(), qb + 1); kb++) fixed.add(kb);
        assertThat(seen).as(what).containsAll(fixed);
        int candidates = Math.max(0, qb - layout.localBlocks() - layout.globalBlocks() + 1);
        assertThat(kbs.length - fixed.size()).as("random blocks " + what)
            .isEqualTo(Math.min(layout.randomBlocks(), candidates));
        for (int kb = -1; kb <= qb + 1; kb++) assertThat(layout.sees(qb, kb)).as(what + " kb=" + kb).isEqualTo(seen.contains(kb));
      }
    }
  }

  @Test
  void theDrawDependsOnlyOnSeedAndQueryBlock() {
    BlockSparseLayout a = new BlockSparseLayout(64, 2, 1, 3, 99), b = new BlockSparseLayout(64, 2, 1, 3, 99);
    BlockSparseLayout other = new BlockSparseLayout(64, 2, 1, 3, 100);
    int differ = 0;
    for (int qb = 200; qb >= 0; qb--) {  // the other order: no state carried between calls
      assertThat(a.keyBlocks(qb)).as("qb=%d", qb).containsExactly(b.keyBlocks(qb));
      assertThat(a.keyBlocks(qb)).as("qb=%d asked again", qb).containsExactly(a.keyBlocks(qb));
      if (!java.util.Arrays.equals(a.keyBlocks(qb), other.keyBlocks(qb))) differ++;
    }
    assertThat(differ).as("query blocks whose draw changes with the seed").isGreaterThan(150);
  }

  @Test
  void theRandomBlockIsUniformOverTheCandidates() {
    // qb = 50, local 1, global 1: one block drawn from [1, 49]; over 4900 seeds each is expected 100 times (sd ~10).
    int[] hits = new int[50];
    for (long seed = 0; seed < 4900; seed++) {
      int[] kbs = new BlockSparseLayout(64, 1, 1, 1, seed).keyBlocks(50);
      assertThat(kbs).hasSize(3);
      hits[kbs[1]]++;
    }
    for (int kb = 1; kb <= 49; kb++) assertThat(hits[kb]).as("block %d", kb).isBetween(50, 150);
  }

  @Test
  void aDrawOfAllCandidatesTakesThemAll() {
    BlockSparseLayout layout = new BlockSparseLayout(64, 2, 1, 10, 3);
    assertThat(layout.keyBlocks(6)).containsExactly(0, 1, 2, 3, 4, 5, 6);
    assertThat(layout.keyBlocks(0)).containsExactly(0);
  }

  @Test
  void badLayoutsAreRejectedWithFieldExpectedAndGot() {
    assertThatThrownBy(() -> new BlockSparseLayout(0, 1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blockSize").hasMessageContaining("multiple of 64").hasMessageContaining("got 0");
    assertThatThrownBy(() -> new BlockSparseLayout(100, 1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blockSize").hasMessageContaining("multiple of 64").hasMessageContaining("got 100");
    assertThatThrownBy(() -> new BlockSparseLayout(64, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("localBlocks: expected >= 1, got 0");
    assertThatThrownBy(() -> new BlockSparseLayout(64, 1, -1, 0, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("globalBlocks: expected >= 0, got -1");
    assertThatThrownBy(() -> new BlockSparseLayout(64, 1, 0, -2, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("randomBlocks: expected >= 0, got -2");
    BlockSparseLayout ok = new BlockSparseLayout(64, 1, 0, 0, 0);
    assertThatThrownBy(() -> ok.keyBlocks(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -1");
  }

  @Test
  void toStringIsCompact() {
    assertThat(new BlockSparseLayout(64, 3, 1, 1, 42)).hasToString("bs64/l3/g1/r1/s42");
  }
}
