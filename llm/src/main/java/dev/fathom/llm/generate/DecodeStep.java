package dev.fathom.llm.generate;

import dev.fathom.kernel.Parallel;
import dev.fathom.kernel.Activations;
import dev.fathom.llm.AttentionType;

/**
 * One decode step: n rows, each a token at a given position of a sequence, through every layer to
 * the logits that follow it. Usually one row per sequence (one new token each); several rows of
 * one sequence at consecutive positions score a run of tokens at once (the verification of
 * speculative decoding), each row seeing the keys of the rows before it. Runs without allocation
 * on buffers sized for the session's most rows per step.
 */
final class DecodeStep extends LayerPass {

  /*
   * Design. At batch 1 a step is a string of matrix-vector products of a few hundred rows each;
   * a fork-join per product (10-20 µs) would cost as much as the products. So the step is one
   * parallel region: each of the pool's threads takes a static slice of every phase and the
   * threads meet at a spin barrier between phases (4 per layer):
   *   norm (each thread, redundantly, into its own buffer) + q/k/v rows | rope, cache write and
   *   attention per (row, kv head) | o rows + residual | norm + gate/up rows + SwiGLU |
   *   down rows + residual | ... | final norm + head rows.
   * When several rows belong to one sequence, the cache writes of all rows come before any
   * attention (one more barrier), so that a row sees the rows before it. The matrix-vector
   * products read each weight row once for all n rows, so scoring γ + 1 tokens of one sequence
   * costs far less than γ + 1 steps (5 rows of `base`: about 1.4× one row, BENCHMARKS.md).
   * Every output element is computed by one thread with an order that does not depend on the
   * slice, so logits do not depend on the thread count. From inside a pool worker (nested
   * parallelism) the step runs on the calling thread alone.
   */

  /**
   * Below this many multiply-adds per step (rows × weights), one thread does the step: a parallel
   * region and its barriers cost more than they save for models of a few thousand parameters.
   */
  private static final long SOLO_MACS = 1L << 17;

  private final float[] h, q, k, v, attn, gate, up;
  private final long macsPerRow;
  private final float[][] xn;
  private final SpinBarrier barrier, solo = new SpinBarrier(1);
  private int[] slots, tokens, positions;
  private int n;
  private boolean shared;
  private float[] logits;

  /** @param rows the most rows one step takes */
  DecodeStep(ModelWeights w, KvCache cache, MixerState mixer, int rows) {
    super(w, cache, mixer);
    int b = rows;
    h = new float[b * d];
    q = new float[b * qd];
    k = new float[b * kvd];
    v = new float[b * kvd];
    attn = new float[b * qd];
    gate = new float[b * f];
    up = new float[b * f];
    xn = new float[threads][b * d];
    barrier = new SpinBarrier(threads);
    macsPerRow = (long) w.layers().length * ((long) d * (qd + 2 * kvd) + (long) qd * d + 3L * d * f) + (long) vocab * d;
  }

  /**
   * Feeds {@code tokens[r]} to sequence {@code slots[r]} at position {@code positions[r]} for r in
   * [0, n) and writes the logits that follow each row to {@code out} (n, V). Rows of one sequence
   * must be in increasing, consecutive positions starting at most at its length; the caller checks
   * the arguments. A sequence's length becomes one past its last row.
   */
  void run(int[] slots, int[] tokens, int[] positions, int n, float[] out) {
    this.slots = slots;
    this.tokens = tokens;
    this.positions = positions;
    this.n = n;
    boolean sh = false;
    for (int r = 1; r < n && !sh; r++) for (int u = 0; u < r; u++) if (slots[u] == slots[r]) sh = true;
    this.shared = sh;
    this.logits = out;
    for (int r = 0; r < n; r++) System.arraycopy(w.embed(), tokens[r] * d, h, r * d, d);  // (n, D)
    int parties = threads;
    if (parties == 1 || (long) n * macsPerRow < SOLO_MACS || Parallel.nested()) {
      body(0, 1, solo);
    } else {
      barrier.reset();
      Parallel.forRange(parties, 1, (s, e) -> {
        if (e - s == 1) {
          body(s, parties, barrier);
        } else {
          body(0, 1, solo);  // the pool ran the loop inline: one thread does all
        }
      });
    }
    for (int r = 0; r < n; r++) cache.length[slots[r]] = positions[r] + 1;
    this.slots = null;
    this.tokens = null;
    this.positions = null;
    this.logits = null;
  }

  private void body(int tid, int nt, SpinBarrier bar) {
    try {
      LayerWeights[] ls = w.layers();
      for (int l = 0; l < ls.length; l++) layer(l, ls[l], cache.k[l], cache.v[l], tid, nt, bar);
      head(tid, nt);
    } catch (RuntimeException | Error e) {
      bar.breakBarrier();
      throw e;
    }
  }

  private void layer(int l, LayerWeights lw, float[] kc, float[] vc, int tid, int nt, SpinBarrier bar) {
    float[] x = xn[tid];
    for (int r = 0; r < n; r++) Ops.rmsNorm(h, r * d, lw.inputNorm(), eps, x, r * d, d);
    int rows = qd + 2 * kvd, s = Ops.split(rows, nt, tid), e = Ops.split(rows, nt, tid + 1);
    segment(lw.wq(), lw.bq(), q, qd, 0, x, s, e);
    segment(lw.wk(), lw.bk(), k, kvd, qd, x, s, e);
    segment(lw.wv(), lw.bv(), v, kvd, qd + kvd, x, s, e);
    if (mixer.convIn != null) {  // this thread's channels, rows of a sequence in order
      for (int r = 0; r < n; r++) QkvConv.apply(mixer, l, lw, slots[r], positions[r], qd, kvd, q, r * qd, k, r * kvd, v, r * kvd, s, e);
    }
    bar.await();

    if (type == AttentionType.LINEAR) {
      // One item per row (each its own sequence), or one for all rows when they share one (in order).
      int items = shared ? 1 : n, i0 = Ops.split(items, nt, tid), i1 = Ops.split(items, nt, tid + 1);
      for (int it = i0; it < i1; it++) {
        for (int r = shared ? 0 : it, end = shared ? n : it + 1; r < end; r++) linearRow(l, slots[r], r, q, k, v, attn);
      }
    } else {
      attention(l, kc, vc, tid, nt, bar);
    }
    bar.await();
    mlp(lw, tid, nt, bar);
  }

  /** Rotary positions, cache writes and softmax attention of this thread's (row, kv head) items. */
  private void attention(int l, float[] kc, float[] vc, int tid, int nt, SpinBarrier bar) {
    int items = n * kvHeads, i0 = Ops.split(items, nt, tid), i1 = Ops.split(items, nt, tid + 1);
    float[] sc = scores[tid];
    RopeRows rr = rope[tid];
    for (int it = i0; it < i1; it++) {
      int r = it / kvHeads, g = it % kvHeads, pos = positions[r], base = cache.base(slots[r], g);
      int at = base + cache.entryFor(l, slots[r], g, pos) * dh;
      rr.rotate(k, r * kvd + g * dh, 1, pos);
      System.arraycopy(k, r * kvd + g * dh, kc, at, dh);
      System.arraycopy(v, r * kvd + g * dh, vc, at, dh);
    }
    if (shared) bar.await();  // a row attends to the keys other threads wrote for earlier rows of its sequence
    KvPolicy policy = cache.policy;
    for (int it = i0; it < i1; it++) {
      int r = it / kvHeads, g = it % kvHeads, pos = positions[r], slot = slots[r], base = cache.base(slot, g);
      int lo = policy.bounded() ? 0 : Ops.firstKey(pos, window), hi = cache.entriesUsed(l, slot, g, pos);
      int sinks = policy.sinks();
      boolean shifted = sinks > 0 && pos >= cache.maxSeq;
      if (shifted) {
        // Sinks sit right before the window's oldest position, pos − N + 1: rotate each stored
        // key (at its own position s) on by pos − N − S + 1.
        float[] sk = sinkKeys[tid];
        System.arraycopy(kc, base, sk, 0, sinks * dh);
        rr.rotate(sk, 0, sinks, pos - policy.size() - sinks + 1);
      }
      float[] first = shifted ? sinkKeys[tid] : null;
      int firstCount = sinks;
      if (cache.received != null && pos >= maxPositions && hi == cache.maxSeq) {
        first = packedH2oKeys(l, slot, g, pos, kc, base, tid);
        firstCount = hi;
      }
      for (int hh = g * groups; hh < (g + 1) * groups; hh++) {
        int qo = r * qd + hh * dh;
        rr.rotate(q, qo, 1, pos);
        attendSoftmax(l, q, qo, first, firstCount, kc, vc, base, lo, hi, pos, sc, attn);
        if (cache.received != null) {
          float[] got = cache.received[l];
          int off = (slot * kvHeads + g) * cache.maxSeq;
          for (int j = 0; j < hi; j++) got[off + j] += sc[j];  // H2O: attention received, summed over the group's heads
        }
      }
    }
  }

  /** o projection and residual, then the MLP block. */
  private void mlp(LayerWeights lw, int tid, int nt, SpinBarrier bar) {
    float[] x = xn[tid];
    int s = Ops.split(d, nt, tid), e = Ops.split(d, nt, tid + 1);
    lw.wo().rows(lw.bo(), attn, 0, qd, n, h, 0, d, s, e, true);
    bar.await();

    for (int r = 0; r < n; r++) Ops.rmsNorm(h, r * d, lw.postNorm(), eps, x, r * d, d);
    s = Ops.split(f, nt, tid);
    e = Ops.split(f, nt, tid + 1);
    lw.wGate().rows(lw.bGate(), x, 0, d, n, gate, 0, f, s, e, false);
    lw.wUp().rows(lw.bUp(), x, 0, d, n, up, 0, f, s, e, false);
    if (e > s) {
      for (int r = 0; r < n; r++) Activations.swiglu(gate, r * f + s, up, r * f + s, gate, r * f + s, e - s);  // silu(gate) · up
    }
    bar.await();

    s = Ops.split(d, nt, tid);
    e = Ops.split(d, nt, tid + 1);
    lw.wDown().rows(lw.bDown(), gate, 0, f, n, h, 0, d, s, e, true);
    bar.await();
  }

  /**
   * H2O past the model's context: the keys of all entries of (layer, slot, kv head), the recent
   * ones at their own positions and the older ones (the heavy hitters) moved, in their original
   * order, to the positions right before the recent window, so that no distance exceeds the
   * cache's size (as StreamingLLM does with its sinks). Each moved key is rotated on by the
   * difference between its packed and its original position.
   */
  private float[] packedH2oKeys(int l, int slot, int g, int pos, float[] kc, int base, int tid) {
    int n = cache.maxSeq, off = (slot * kvHeads + g) * n;
    int[] at = cache.position[l], ord = order[tid];
    float[] keys = entryKeys[tid];
    System.arraycopy(kc, base, keys, 0, n * dh);
    int firstRecent = pos - cache.policy.recent() + 1, h = 0;
    for (int e = 0; e < n; e++) if (at[off + e] < firstRecent) ord[h++] = e;
    // insertion sort by original position (h <= n/2 entries)
    for (int i = 1; i < h; i++) {
      int e = ord[i], j = i - 1;
      while (j >= 0 && at[off + ord[j]] > at[off + e]) {
        ord[j + 1] = ord[j];
        j--;
      }
      ord[j + 1] = e;
    }
    RopeRows rr = rope[tid];
    for (int i = 0; i < h; i++) {
      int e = ord[i], packed = firstRecent - h + i;
      rr.rotate(keys, e * dh, 1, packed - at[off + e]);  // rotations compose: R(packed) = R(packed − p) R(p)
    }
    return keys;
  }

  /** Rows [s, e) of the stacked q/k/v projection that fall in the block starting at row {@code first}. */
  private void segment(Projection wt, float[] bias, float[] out, int outRows, int first, float[] x, int s, int e) {
    int lo = Math.max(s, first) - first, hi = Math.min(e, first + outRows) - first;
    if (lo < hi) wt.rows(bias, x, 0, d, n, out, 0, outRows, lo, hi, false);
  }

  private void head(int tid, int nt) {
    float[] x = xn[tid];
    for (int r = 0; r < n; r++) Ops.rmsNorm(h, r * d, w.finalNorm(), eps, x, r * d, d);
    w.head().rows(null, x, 0, d, n, logits, 0, vocab, Ops.split(vocab, nt, tid), Ops.split(vocab, nt, tid + 1), false);
  }
}
