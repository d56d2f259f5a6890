package dev.fathom.llm.generate;

/**
 * The key/value cache of every layer, allocated once per session: for layer l,
 * {@code k[l]} and {@code v[l]} hold (B, Hkv, S, Dh) floats, keys already rotated to their
 * position. {@code length[b]} counts the positions of sequence b written so far (its next
 * position); sequences advance independently.
 */
final class KvCache {
  final int batch, kvHeads, maxSeq, headDim;
  final float[][] k, v;
  final int[] length;

  KvCache(int layers, int batch, int kvHeads, int maxSeq, int headDim) {
    long perLayer = (long) batch * kvHeads * maxSeq * headDim;
    if (perLayer > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("KV cache: " + batch + " sequences x " + kvHeads + " heads x " + maxSeq + " positions x "
          + headDim + " = " + perLayer + " floats per layer, more than one Java array holds (" + (Integer.MAX_VALUE - 16) + ")");
    }
    this.batch = batch;
    this.kvHeads = kvHeads;
    this.maxSeq = maxSeq;
    this.headDim = headDim;
    this.k = new float[layers][(int) perLayer];
    this.v = new float[layers][(int) perLayer];
    this.length = new int[batch];
  }

  /** Offset of position 0 of (sequence b, kv head g) in a layer's k or v array. */
  int base(int b, int g) {
    return (b * kvHeads + g) * maxSeq * headDim;
  }
}
