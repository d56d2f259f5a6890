package dev.fathom.kernel;

import static dev.fathom.kernel.ScalarFlashAttention.BK;
import static dev.fathom.kernel.ScalarFlashAttention.BQ;

/**
 * The tiles of a {@link BlockSparseLayout} for T queries aligned to the end of S keys (query row
 * i at position i + S − T): query tiles are cut at multiples of BQ in position space, so each lies
 * in one query block and reads every key tile of the blocks that block sees (up to its causal
 * diagonal); a key tile is read by the rows, in chunks of at most BQ, of the query blocks that see
 * its block. A block of blockSize positions is blockSize / 64 whole tiles, so no element mask
 * beyond the causal one is needed.
 *
 * <p>The key blocks of every query block of the sequence and their transpose are computed once
 * here: O(#blocks · (local + global + random)) ints.
 */
final class BlockSparseTiles implements TilePattern {
  private final int blockSize;
  private final int firstBlock;  // query block of the first query row at a position >= 0
  private final int queryBlocks;  // query blocks with rows, from firstBlock
  private final int[][] keysOf;  // [qb − firstBlock]: the key blocks qb sees, ascending
  private final int[][] seenBy;  // [kb]: the query blocks (with rows) that see kb, ascending

  BlockSparseTiles(BlockSparseLayout layout, int t, int s) {
    blockSize = layout.blockSize();
    int off = s - t, lastPos = off + t - 1;
    firstBlock = Math.max(0, Math.floorDiv(off, blockSize));
    queryBlocks = lastPos < 0 ? 0 : lastPos / blockSize - firstBlock + 1;
    keysOf = new int[queryBlocks][];
    int keyBlocks = (s + blockSize - 1) / blockSize;
    int[] count = new int[keyBlocks];
    for (int i = 0; i < queryBlocks; i++) {
      keysOf[i] = layout.keyBlocks(firstBlock + i);
      for (int kb : keysOf[i]) count[kb]++;
    }
    seenBy = new int[keyBlocks][];
    for (int kb = 0; kb < keyBlocks; kb++) seenBy[kb] = new int[count[kb]];
    java.util.Arrays.fill(count, 0);
    for (int i = 0; i < queryBlocks; i++) for (int kb : keysOf[i]) seenBy[kb][count[kb]++] = firstBlock + i;
  }

  @Override
  public boolean causal() {
    return true;
  }

  @Override
  public int window() {
    return 0;
  }

  @Override
  public int rowAlign(int off) {
    return Math.floorMod(off, BQ);
  }

  @Override
  public int keyTiles(int firstPos, int kEnd, int[] k0s) {
    if (firstPos < 0) return 0;  // rows before the first key see nothing
    int n = 0;
    for (int kb : keysOf[firstPos / blockSize - firstBlock]) {
      int end = Math.min(kEnd, (kb + 1) * blockSize);
      for (int k0 = kb * blockSize; k0 < end; k0 += BK) k0s[n++] = k0;
    }
    return n;
  }

  @Override
  public int rowChunks(int k0, int n, int t, int off, int[] starts, int[] rows) {
    int iStart = Math.max(0, k0 - off);  // first query row that sees key k0
    int c = 0;
    for (int qb : seenBy[k0 / blockSize]) {
      int hi = Math.min(t, (qb + 1) * blockSize - off);
      for (int q0 = Math.max(iStart, qb * blockSize - off); q0 < hi; q0 += BQ) {
        starts[c] = q0;
        rows[c++] = Math.min(BQ, hi - q0);
      }
    }
    return c;
  }

  @Override
  public int maxRowChunks(int t) {
    return t / BQ + 2 * queryBlocks + 2;
  }
}
