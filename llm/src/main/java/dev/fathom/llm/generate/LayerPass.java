package dev.fathom.llm.generate;

import dev.fathom.kernel.Parallel;
import dev.fathom.llm.AttentionType;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.nn.LinearAttentionState;

/**
 * What {@link Prefill} and {@link DecodeStep} share: the weights, the cache and the other
 * per-sequence state, the model's dimensions derived once from its config, and one
 * attention-score row per thread.
 */
abstract class LayerPass {
  final ModelWeights w;
  final KvCache cache;
  final MixerState mixer;
  /** The layers' attention; linear attention keeps no keys (its state is in {@link #mixer}). */
  final AttentionType type;
  /** Block-sparse attention: [layer][query block] the key blocks it sees; null otherwise. */
  final int[][][] keyBlocks;
  final int blockSize;
  /** hidden, query width (H·Dh), key/value width (Hkv·Dh), FFN width, heads, kv heads, head size, Dh/2, H/Hkv, window, vocab, threads. */
  final int d, qd, kvd, f, heads, kvHeads, dh, half, groups, window, vocab, threads;
  final double eps;
  final float scale;
  final float[][] scores;
  /** Per thread: rotary rows (table or computed), and the sink keys shifted next to the window. */
  final RopeRows[] rope;
  final float[][] sinkKeys;
  /** H2O past the model's context: every entry's key, the older ones moved to packed positions. */
  final float[][] entryKeys;
  final int[][] order;
  final int maxPositions;

  LayerPass(ModelWeights w, KvCache cache, MixerState mixer) {
    LlamaConfig c = w.config();
    this.w = w;
    this.cache = cache;
    this.mixer = mixer;
    this.type = c.attention();
    d = c.hiddenSize();
    heads = c.numAttentionHeads();
    kvHeads = c.numKeyValueHeads();
    dh = c.headDim();
    half = dh / 2;
    groups = heads / kvHeads;
    qd = heads * dh;
    kvd = kvHeads * dh;
    f = c.intermediateSize();
    window = c.window();
    vocab = c.vocabSize();
    eps = c.rmsNormEps();
    scale = (float) (1.0 / Math.sqrt(dh));
    threads = Parallel.threads();
    scores = new float[threads][cache.maxSeq];
    rope = new RopeRows[threads];
    sinkKeys = new float[threads][cache.policy.sinks() * dh];
    for (int t = 0; t < threads; t++) rope[t] = new RopeRows(w, half);
    boolean h2o = cache.policy.kind() == KvPolicy.Kind.H2O;
    entryKeys = new float[threads][h2o ? cache.maxSeq * dh : 0];
    order = new int[threads][h2o ? cache.maxSeq : 0];
    maxPositions = c.maxPositionEmbeddings();
    if (type == AttentionType.BLOCK_SPARSE) {
      blockSize = c.blockSize();
      int blocks = (cache.maxSeq + blockSize - 1) / blockSize;
      keyBlocks = new int[c.numHiddenLayers()][blocks][];
      for (int l = 0; l < keyBlocks.length; l++) {
        var layout = c.blockLayout(l);
        for (int qb = 0; qb < blocks; qb++) keyBlocks[l][qb] = layout.keyBlocks(qb);
      }
    } else {
      blockSize = 0;
      keyBlocks = null;
    }
  }

  /**
   * One query head at position {@code pos} against its cache (q at qOff, output to the same
   * offset of {@code out}): over the visible blocks under block-sparse attention, else over
   * entries [lo, hi) with the first ones' keys from {@code firstKeys} when not null.
   */
  final void attendSoftmax(int layer, float[] q, int qOff, float[] firstKeys, int firstCount, float[] kc, float[] vc, int base, int lo,
      int hi, int pos, float[] sc, float[] out) {
    if (keyBlocks != null) {
      Ops.attendBlocks(q, qOff, kc, vc, base, dh, keyBlocks[layer][pos / blockSize], blockSize, pos, scale, sc, out, qOff);
    } else {
      Ops.attend(q, qOff, firstKeys, firstCount, kc, vc, base, dh, lo, hi, scale, sc, out, qOff);
    }
  }

  /**
   * Linear attention of row r (q, k, v at offsets r·qd, r·kvd of the step's buffers) through the
   * state of (layer, slot), output to {@code out[r·qd ..]}, read and written in place, one kv
   * head group at a time.
   */
  final void linearRow(int layer, int slot, int r, float[] q, float[] k, float[] v, float[] out) {
    LinearAttentionState st = mixer.linear[layer][slot];
    for (int g = 0; g < kvHeads; g++) st.step(g, q, r * qd, k, r * kvd, v, r * kvd, out, r * qd);
  }
}
