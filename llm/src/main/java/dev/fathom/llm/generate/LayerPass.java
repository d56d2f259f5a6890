package dev.fathom.llm.generate;

import dev.fathom.kernel.Parallel;
import dev.fathom.llm.LlamaConfig;

/**
 * What {@link Prefill} and {@link DecodeStep} share: the weights, the cache, the model's
 * dimensions derived once from its config, and one attention-score row per thread.
 */
abstract class LayerPass {
  final ModelWeights w;
  final KvCache cache;
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

  LayerPass(ModelWeights w, KvCache cache) {
    LlamaConfig c = w.config();
    this.w = w;
    this.cache = cache;
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
  }
}
