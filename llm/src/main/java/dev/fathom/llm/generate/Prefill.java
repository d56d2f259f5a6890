package dev.fathom.llm.generate;

import dev.fathom.kernel.Activations;
import dev.fathom.kernel.Parallel;
import dev.fathom.llm.AttentionType;
import dev.fathom.llm.Rotary;

/**
 * Prefill of one sequence: T tokens at once, appended at the sequence's next position, through
 * every layer with GEMMs for the projections; keys and values go to the cache, and only the last
 * position's logits are computed. Buffers grow to the longest prompt seen and are then reused.
 */
final class Prefill extends LayerPass {
  private final float[] last;
  private int cap;
  private float[] x, xn, q, k, v, attn, gate, up;

  Prefill(ModelWeights w, KvCache cache, MixerState mixer) {
    super(w, cache, mixer);
    last = new float[d];
  }

  private void ensure(int t) {
    if (t <= cap) return;
    cap = t;
    x = new float[t * d];
    xn = new float[t * d];
    q = new float[t * qd];
    k = new float[t * kvd];
    v = new float[t * kvd];
    attn = new float[t * qd];
    gate = new float[t * f];
    up = new float[t * f];
  }

  /** Appends {@code tokens} to sequence {@code slot} and writes the last position's logits to out[outOff..]. */
  void run(int slot, int[] tokens, float[] out, int outOff) {
    int t = tokens.length, start = cache.length[slot];
    ensure(t);
    for (int i = 0; i < t; i++) System.arraycopy(w.embed(), tokens[i] * d, x, i * d, d);  // (T, D)
    LayerWeights[] ls = w.layers();
    for (int l = 0; l < ls.length; l++) layer(l, ls[l], cache.k[l], cache.v[l], slot, start, t);
    cache.length[slot] = start + t;
    Ops.rmsNorm(x, (t - 1) * d, w.finalNorm(), eps, last, 0, d);
    Parallel.forRange(vocab, 64, (s, e) -> w.head().rows(null, last, 0, d, 1, out, outOff, vocab, s, e, false));
  }

  private void layer(int l, LayerWeights lw, float[] kc, float[] vc, int slot, int start, int t) {
    for (int i = 0; i < t; i++) Ops.rmsNorm(x, i * d, lw.inputNorm(), eps, xn, i * d, d);
    lw.wq().linear(xn, lw.bq(), q, qd, t, false);   // (T, H·Dh)
    lw.wk().linear(xn, lw.bk(), k, kvd, t, false);  // (T, Hkv·Dh)
    lw.wv().linear(xn, lw.bv(), v, kvd, t, false);  // (T, Hkv·Dh)
    if (mixer.convIn != null) {  // each channel's positions in order, channels in parallel
      int width = qd + 2 * kvd;
      Parallel.forRange(width, 64, (c0, c1) -> {
        for (int i = 0; i < t; i++) QkvConv.apply(mixer, l, lw, slot, start + i, qd, kvd, q, i * qd, k, i * kvd, v, i * kvd, c0, c1);
      });
    }
    if (type == AttentionType.LINEAR) {
      for (int i = 0; i < t; i++) linearRow(l, slot, i, q, k, v, attn);
    } else {
      softmaxAttention(l, kc, vc, slot, start, t);
    }
    lw.wo().linear(attn, lw.bo(), x, d, t, true);  // x += attn · Wo^T + bo
    for (int i = 0; i < t; i++) Ops.rmsNorm(x, i * d, lw.postNorm(), eps, xn, i * d, d);
    lw.wGate().linear(xn, lw.bGate(), gate, f, t, false);  // (T, F)
    lw.wUp().linear(xn, lw.bUp(), up, f, t, false);        // (T, F)
    Activations.swiglu(gate, 0, up, 0, gate, 0, t * f);  // silu(gate) · up
    lw.wDown().linear(gate, lw.bDown(), x, d, t, true);  // x += act · Wd^T + bd
  }

  /** Rotary positions, cache writes and causal softmax attention of the T new positions. */
  private void softmaxAttention(int layer, float[] kc, float[] vc, int slot, int start, int t) {
    float[] cos = w.cos(), sin = w.sin();
    for (int i = 0; i < t; i++) {
      Rotary.rotate(q, i * qd, heads, half, cos, sin, start + i, 1f);
      Rotary.rotate(k, i * kvd, kvHeads, half, cos, sin, start + i, 1f);
      for (int g = 0; g < kvHeads; g++) {
        int dst = cache.base(slot, g) + (start + i) * dh;
        System.arraycopy(k, i * kvd + g * dh, kc, dst, dh);
        System.arraycopy(v, i * kvd + g * dh, vc, dst, dh);
      }
    }
    int items = t * heads;
    Parallel.forRange(threads, 1, (a, b) -> {
      for (int tid = a; tid < b; tid++) {
        float[] sc = scores[tid];
        for (int it = Ops.split(items, threads, tid), end = Ops.split(items, threads, tid + 1); it < end; it++) {
          int i = it / heads, hh = it % heads, pos = start + i, qo = i * qd + hh * dh;
          attendSoftmax(layer, q, qo, null, 0, kc, vc, cache.base(slot, hh / groups), Ops.firstKey(pos, window), pos + 1, pos, sc, attn);
        }
      }
    });
  }
}
