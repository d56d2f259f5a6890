package dev.fathom.kernel;

import static dev.fathom.kernel.ScalarFlashAttention.BK;
import static dev.fathom.kernel.ScalarFlashAttention.BQ;

/**
 * Which tiles the attention walk of {@link ScalarFlashAttention} visits: per query tile the
 * ascending key tiles it reads (forward and gq pass), per key tile the ascending chunks of query
 * rows that read it (gk/gv pass, the transpose). Inside a visited tile the walk applies the causal
 * mask (and a window's lower edge) element by element; a pattern only says which tiles.
 *
 * <p>{@link Dense}: all tiles up to the causal diagonal, or those of a sliding window.
 * {@link BlockSparseTiles}: the tiles of the blocks of a {@link BlockSparseLayout}.
 */
sealed interface TilePattern permits TilePattern.Dense, BlockSparseTiles {

  /** Whether query row i sees only keys j ≤ i + S − T. */
  boolean causal();

  /** The sliding window (keys per query), or 0 for none. */
  int window();

  /**
   * Query tile j holds rows {@code max(0, j·BQ − a) … min(T, (j+1)·BQ − a) − 1} for the
   * {@code a} returned here: 0 (tiles of rows) or {@code (S − T) mod BQ} (tiles of aligned
   * positions, so a tile never straddles a block).
   */
  int rowAlign(int off);

  /**
   * Fills {@code k0s} with the first keys of the key tiles that a query tile whose first row
   * sits at aligned position {@code firstPos} reads, ascending, all below {@code kEnd}; returns
   * their count (at most ⌈S / BK⌉).
   */
  int keyTiles(int firstPos, int kEnd, int[] k0s);

  /**
   * Fills {@code starts} and {@code rows} with the chunks (at most BQ rows each, ascending) of
   * query rows that read the key tile {@code [k0, k0 + n)}; returns their count (at most
   * {@link #maxRowChunks}).
   */
  int rowChunks(int k0, int n, int t, int off, int[] starts, int[] rows);

  /** An upper bound of {@link #rowChunks}' count for T queries. */
  int maxRowChunks(int t);

  /** Query tiles per head for T queries starting at aligned position {@code off}. */
  default int rowTiles(int t, int off) {
    return t == 0 ? 0 : (t + rowAlign(off) + BQ - 1) / BQ;
  }

  /**
   * Full (causal or not) attention, or a causal sliding window: the walk exactly as it was before
   * patterns existed, tile for tile, so its results keep their bits.
   */
  record Dense(boolean causal, int window) implements TilePattern {
    @Override
    public int rowAlign(int off) {
      return 0;
    }

    @Override
    public int keyTiles(int firstPos, int kEnd, int[] k0s) {
      int n = 0;
      for (int k0 = ScalarFlashAttention.firstTile(firstPos, window); k0 < kEnd; k0 += BK) k0s[n++] = k0;
      return n;
    }

    @Override
    public int rowChunks(int k0, int n, int t, int off, int[] starts, int[] rows) {
      int iStart = causal ? Math.max(0, k0 - off) : 0;  // first query row that sees key k0
      // with a window, the last row that sees the tile's last key k0 + n − 1 is k0 + n − 2 + window − off
      int iEnd = window > 0 ? (int) Math.min(t, (long) k0 + n - 1 + window - off) : t;
      int c = 0;
      for (int q0 = iStart; q0 < iEnd; q0 += BQ) {
        starts[c] = q0;
        rows[c++] = Math.min(BQ, t - q0);
      }
      return c;
    }

    @Override
    public int maxRowChunks(int t) {
      return (t + BQ - 1) / BQ;
    }
  }
}
