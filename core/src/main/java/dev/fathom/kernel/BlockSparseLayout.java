package dev.fathom.kernel;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The causal block pattern of block-sparse attention with global tokens, in the manner of
 * BigBird (Zaheer et al. 2020, "Big Bird: Transformers for Longer Sequences": window, global and
 * random blocks) and Longformer (Beltagy et al. 2020, "Longformer: The Long-Document
 * Transformer": sliding window plus global attention), restricted to a causal model.
 *
 * <p>Positions are cut into blocks of {@code blockSize}; a query at (aligned) position p lies in
 * query block {@code p / blockSize}, a key at position j in key block {@code j / blockSize}.
 * Query block qb sees the key blocks
 * <pre>
 * local:  qb − localBlocks + 1 … qb                    (its own block included)
 * global: 0 … globalBlocks − 1                          (the first globalBlocks·blockSize positions)
 * random: min(randomBlocks, #C) blocks of C = [globalBlocks, qb − localBlocks], drawn uniformly
 *         without replacement
 * </pre>
 * (all clipped to {@code 0 … qb}), and inside a visible block the usual causal mask applies: query
 * position p sees key position j iff its block sees j's block and {@code j ≤ p}. The global tokens
 * come first, so in a causal model they see everything before them and every later query sees
 * them: they carry information across the whole sequence in one layer, as BigBird's and
 * Longformer's global tokens do, without breaking causality.
 *
 * <p>The random draw is a pure function of {@code (seed, qb)}: a SplitMix64 stream seeded with
 * {@code seed ^ (qb · 0x9E3779B97F4A7C15)} drives a partial Fisher–Yates shuffle of C. It does not
 * depend on the sequence length, so a decoder that has seen only a prefix draws the same blocks as
 * training over the full sequence did.
 *
 * <p>Cost: a query block sees at most {@code localBlocks + globalBlocks + randomBlocks} key blocks,
 * so attention over T positions does O(T·(local + global + random)·blockSize) work instead of
 * O(T²).
 *
 * @param blockSize positions per block, a positive multiple of 64 (the kernel's tile)
 * @param localBlocks blocks of the causal window, own block included, at least 1
 * @param globalBlocks leading blocks every query sees, at least 0
 * @param randomBlocks extra blocks drawn per query block, at least 0
 * @param seed seed of the random blocks
 */
public record BlockSparseLayout(int blockSize, int localBlocks, int globalBlocks, int randomBlocks, long seed) {
  /** The kernel's tile; a block is a whole number of tiles. */
  static final int TILE = 64;
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  /**
   * @throws IllegalArgumentException for a blockSize that is not a positive multiple of 64, a
   *     localBlocks below 1, or a negative globalBlocks or randomBlocks
   */
  public BlockSparseLayout {
    if (blockSize < TILE || blockSize % TILE != 0) {
      throw new IllegalArgumentException("block-sparse layout: blockSize: expected a positive multiple of " + TILE
          + ", got " + blockSize);
    }
    if (localBlocks < 1) {
      throw new IllegalArgumentException("block-sparse layout: localBlocks: expected >= 1, got " + localBlocks);
    }
    if (globalBlocks < 0) {
      throw new IllegalArgumentException("block-sparse layout: globalBlocks: expected >= 0, got " + globalBlocks);
    }
    if (randomBlocks < 0) {
      throw new IllegalArgumentException("block-sparse layout: randomBlocks: expected >= 0, got " + randomBlocks);
    }
  }

  /**
   * The key blocks query block {@code queryBlock} sees: sorted ascending, distinct, all at most
   * {@code queryBlock}.
   *
   * @throws IllegalArgumentException for a negative block
   */
  public int[] keyBlocks(int queryBlock) {
    if (queryBlock < 0) {
      throw new IllegalArgumentException("block-sparse layout: query block: expected >= 0, got " + queryBlock);
    }
    int localFirst = Math.max(0, queryBlock - localBlocks + 1);
    int global = Math.min(globalBlocks, localFirst);  // global blocks not already in the window
    int[] random = randomBlocks(queryBlock);
    int[] out = new int[global + random.length + queryBlock - localFirst + 1];
    int n = 0;
    for (int kb = 0; kb < global; kb++) out[n++] = kb;
    for (int kb : random) out[n++] = kb;  // all in [globalBlocks, localFirst): between the two
    for (int kb = localFirst; kb <= queryBlock; kb++) out[n++] = kb;
    return out;
  }

  /** Whether query block {@code queryBlock} sees key block {@code keyBlock} (false for either negative). */
  public boolean sees(int queryBlock, int keyBlock) {
    if (queryBlock < 0 || keyBlock < 0 || keyBlock > queryBlock) return false;
    if (keyBlock > queryBlock - localBlocks || keyBlock < globalBlocks) return true;
    return Arrays.binarySearch(randomBlocks(queryBlock), keyBlock) >= 0;
  }

  /**
   * The random blocks of a query block, sorted: the first min(randomBlocks, |C|) entries of a
   * Fisher–Yates shuffle of C = [globalBlocks, qb − localBlocks], with the swapped entries kept in
   * a map so the draw costs O(randomBlocks) whatever |C|.
   */
  private int[] randomBlocks(int queryBlock) {
    int lo = globalBlocks, candidates = queryBlock - localBlocks + 1 - lo;
    int draw = Math.min(randomBlocks, Math.max(0, candidates));
    int[] out = new int[draw];
    if (draw == 0) return out;
    long[] state = {seed ^ (queryBlock * GOLDEN)};
    Map<Integer, Integer> swapped = new HashMap<>();
    for (int i = 0; i < draw; i++) {
      int j = i + uniform(state, candidates - i);
      int atJ = swapped.getOrDefault(j, j);
      swapped.put(j, swapped.getOrDefault(i, i));
      out[i] = lo + atJ;
    }
    Arrays.sort(out);
    return out;
  }

  /** Uniform in [0, bound) from the SplitMix64 stream in {@code state[0]} (rejection, no modulo bias). */
  private static int uniform(long[] state, int bound) {
    long bits, value;
    do {
      bits = splitMix64(state) >>> 1;
      value = bits % bound;
    } while (bits - value + (bound - 1) < 0);
    return (int) value;
  }

  /** One step of SplitMix64 (Steele, Lea, Flood 2014): advances the state, returns the mixed output. */
  private static long splitMix64(long[] state) {
    long z = state[0] += GOLDEN;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Compact form, e.g. {@code bs64/l3/g1/r1/s42} (block size, local, global, random, seed). */
  @Override
  public String toString() {
    return "bs" + blockSize + "/l" + localBlocks + "/g" + globalBlocks + "/r" + randomBlocks + "/s" + seed;
  }
}
