package dev.fathom.llm.generate;

import java.util.Arrays;

/**
 * The key/value cache of every layer, allocated once per session: for layer l, {@code k[l]} and
 * {@code v[l]} hold (B, Hkv, C, Dh) floats, keys already rotated to their position, where C
 * ({@link #maxSeq}) is the number of cache entries per sequence. {@code length[b]} counts the
 * positions of sequence b fed so far (its next position); sequences advance independently.
 *
 * <p>Under {@link KvPolicy#FULL} position p lives in entry p. A bounded policy maps positions to
 * its C entries ({@link #entryFor}): window and sinks as a ring after the S sink entries, H2O by
 * evicting the entry with the least attention received outside the recent half ({@link #received}
 * holds those sums, {@link #position} each entry's position, {@link #filled} the entries in use).
 */
final class KvCache {
  final int batch, kvHeads, maxSeq, headDim;
  final float[][] k, v;
  final int[] length;
  final KvPolicy policy;
  /** H2O only, per layer, indexed [(b · Hkv + g) · C + entry]. */
  final int[][] position;
  final float[][] received;
  /** H2O only, per layer, indexed [b · Hkv + g]. */
  final int[][] filled;

  KvCache(int layers, int batch, int kvHeads, int maxSeq, int headDim) {
    this(layers, batch, kvHeads, maxSeq, headDim, KvPolicy.FULL);
  }

  /** @param entries cache entries per sequence: the positions for full, the policy's capacity otherwise */
  KvCache(int layers, int batch, int kvHeads, int entries, int headDim, KvPolicy policy) {
    long perLayer = (long) batch * kvHeads * entries * headDim;
    if (perLayer > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("KV cache: " + batch + " sequences x " + kvHeads + " heads x " + entries + " positions x "
          + headDim + " = " + perLayer + " floats per layer, more than one Java array holds (" + (Integer.MAX_VALUE - 16) + ")");
    }
    this.batch = batch;
    this.kvHeads = kvHeads;
    this.maxSeq = entries;
    this.headDim = headDim;
    this.policy = policy;
    this.k = new float[layers][(int) perLayer];
    this.v = new float[layers][(int) perLayer];
    this.length = new int[batch];
    boolean h2o = policy.kind() == KvPolicy.Kind.H2O;
    this.position = h2o ? new int[layers][batch * kvHeads * entries] : null;
    this.received = h2o ? new float[layers][batch * kvHeads * entries] : null;
    this.filled = h2o ? new int[layers][batch * kvHeads] : null;
  }

  /** Offset of entry 0 of (sequence b, kv head g) in a layer's k or v array. */
  int base(int b, int g) {
    return (b * kvHeads + g) * maxSeq * headDim;
  }

  /**
   * The entry that takes position {@code pos} of (layer, sequence b, kv head g), evicting what the
   * policy drops. Called once per new position and head, in increasing positions.
   */
  int entryFor(int layer, int b, int g, int pos) {
    switch (policy.kind()) {
      case FULL:
        return pos;
      case WINDOW:
      case SINKS: {
        int s = policy.sinks();
        return pos < s ? pos : s + (pos - s) % policy.size();
      }
      default:
        return h2oEntry(layer, b * kvHeads + g, pos);
    }
  }

  /** Entries of (layer, b, g) that a query at {@code pos} attends to: [0, result). */
  int entriesUsed(int layer, int b, int g, int pos) {
    return switch (policy.kind()) {
      case FULL -> pos + 1;
      case WINDOW, SINKS -> Math.min(pos + 1, maxSeq);
      case H2O -> filled[layer][b * kvHeads + g];
    };
  }

  /** Forgets the H2O state of sequence b (when it is emptied). */
  void clear(int b) {
    if (filled == null) return;
    for (int l = 0; l < filled.length; l++) {
      Arrays.fill(filled[l], b * kvHeads, (b + 1) * kvHeads, 0);
    }
  }

  private int h2oEntry(int layer, int head, int pos) {
    int[] used = filled[layer], at = position[layer];
    float[] got = received[layer];
    int off = head * maxSeq, n = used[head], e;
    if (n < maxSeq) {
      e = n;
      used[head] = n + 1;
    } else {
      // Evict the entry with the least attention received among those older than the recent
      // ones (ties: the oldest); the newest recent() − 1 positions and this one stay.
      int newestKept = pos - policy.recent() + 1;
      e = -1;
      for (int j = 0; j < maxSeq; j++) {
        if (at[off + j] >= newestKept) continue;
        if (e < 0 || got[off + j] < got[off + e] || (got[off + j] == got[off + e] && at[off + j] < at[off + e])) e = j;
      }
    }
    at[off + e] = pos;
    got[off + e] = 0f;
    return e;
  }
}
