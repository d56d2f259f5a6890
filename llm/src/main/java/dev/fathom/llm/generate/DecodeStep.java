package dev.fathom.llm.generate;

import dev.fathom.kernel.Parallel;
import dev.fathom.kernel.Activations;
import dev.fathom.llm.Rotary;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * One decode step: one new token for each of n sequences, through every layer, to the logits of
 * that token. Runs without allocation on buffers sized for the session's batch.
 */
final class DecodeStep extends LayerPass {

  /*
   * Design. At batch 1 a step is a string of matrix-vector products of a few hundred rows each;
   * a fork-join per product (10-20 µs) would cost as much as the products. So the step is one
   * parallel region: each of the pool's threads takes a static slice of every phase and the
   * threads meet at a spin barrier between phases (4 per layer):
   *   norm (each thread, redundantly, into its own buffer) + q/k/v rows | rope, cache write and
   *   attention per (sequence, kv head) | o rows + residual | norm + gate/up rows + SwiGLU |
   *   down rows + residual | ... | final norm + head rows.
   * Every output element is computed by one thread with an order that does not depend on the
   * slice, so logits do not depend on the thread count. From inside a pool worker (nested
   * parallelism) the step runs on the calling thread alone.
   */

  private final float[] h, q, k, v, attn, gate, up;
  private final float[][] xn;
  private final SpinBarrier barrier, solo = new SpinBarrier(1);
  private int[] slots, tokens;
  private int n;
  private float[] logits;

  DecodeStep(ModelWeights w, KvCache cache) {
    super(w, cache);
    int b = cache.batch;
    h = new float[b * d];
    q = new float[b * qd];
    k = new float[b * kvd];
    v = new float[b * kvd];
    attn = new float[b * qd];
    gate = new float[b * f];
    up = new float[b * f];
    xn = new float[threads][b * d];
    barrier = new SpinBarrier(threads);
  }

  /**
   * Feeds {@code tokens[r]} to sequence {@code slots[r]} at its next position for r in [0, n)
   * and writes the next-token logits to {@code out} (n, V). Arguments are checked by the caller;
   * cache lengths are advanced here.
   */
  void run(int[] slots, int[] tokens, int n, float[] out) {
    this.slots = slots;
    this.tokens = tokens;
    this.n = n;
    this.logits = out;
    for (int r = 0; r < n; r++) System.arraycopy(w.embed(), tokens[r] * d, h, r * d, d);  // (n, D)
    int parties = threads;
    if (parties == 1 || Thread.currentThread() instanceof ForkJoinWorkerThread) {
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
    for (int r = 0; r < n; r++) cache.length[slots[r]]++;
    this.slots = null;
    this.tokens = null;
    this.logits = null;
  }

  private void body(int tid, int nt, SpinBarrier bar) {
    try {
      LayerWeights[] ls = w.layers();
      for (int l = 0; l < ls.length; l++) layer(ls[l], cache.k[l], cache.v[l], tid, nt, bar);
      head(tid, nt);
    } catch (RuntimeException | Error e) {
      bar.breakBarrier();
      throw e;
    }
  }

  private void layer(LayerWeights lw, float[] kc, float[] vc, int tid, int nt, SpinBarrier bar) {
    float[] x = xn[tid];
    for (int r = 0; r < n; r++) Ops.rmsNorm(h, r * d, lw.inputNorm(), eps, x, r * d, d);
    int rows = qd + 2 * kvd, s = Ops.split(rows, nt, tid), e = Ops.split(rows, nt, tid + 1);
    segment(lw.wq(), lw.bq(), q, qd, 0, x, s, e);
    segment(lw.wk(), lw.bk(), k, kvd, qd, x, s, e);
    segment(lw.wv(), lw.bv(), v, kvd, qd + kvd, x, s, e);
    bar.await();

    int items = n * kvHeads;
    float[] cos = w.cos(), sin = w.sin(), sc = scores[tid];
    for (int it = Ops.split(items, nt, tid), end = Ops.split(items, nt, tid + 1); it < end; it++) {
      int r = it / kvHeads, g = it % kvHeads, slot = slots[r], pos = cache.length[slot];
      int base = cache.base(slot, g);
      Rotary.rotate(k, r * kvd + g * dh, 1, half, cos, sin, pos, 1f);
      System.arraycopy(k, r * kvd + g * dh, kc, base + pos * dh, dh);
      System.arraycopy(v, r * kvd + g * dh, vc, base + pos * dh, dh);
      int lo = Ops.firstKey(pos, window);
      for (int hh = g * groups; hh < (g + 1) * groups; hh++) {
        int qo = r * qd + hh * dh;
        Rotary.rotate(q, qo, 1, half, cos, sin, pos, 1f);
        Ops.attend(q, qo, kc, vc, base, dh, lo, pos + 1, scale, sc, attn, qo);
      }
    }
    bar.await();

    s = Ops.split(d, nt, tid);
    e = Ops.split(d, nt, tid + 1);
    MatVec.rows(lw.wo(), 0, qd, lw.bo(), 0, attn, 0, qd, n, h, 0, d, s, e, true);
    bar.await();

    for (int r = 0; r < n; r++) Ops.rmsNorm(h, r * d, lw.postNorm(), eps, x, r * d, d);
    s = Ops.split(f, nt, tid);
    e = Ops.split(f, nt, tid + 1);
    MatVec.rows(lw.wGate(), 0, d, lw.bGate(), 0, x, 0, d, n, gate, 0, f, s, e, false);
    MatVec.rows(lw.wUp(), 0, d, lw.bUp(), 0, x, 0, d, n, up, 0, f, s, e, false);
    if (e > s) {
      for (int r = 0; r < n; r++) Activations.swiglu(gate, r * f + s, up, r * f + s, gate, r * f + s, e - s);  // silu(gate) · up
    }
    bar.await();

    s = Ops.split(d, nt, tid);
    e = Ops.split(d, nt, tid + 1);
    MatVec.rows(lw.wDown(), 0, f, lw.bDown(), 0, gate, 0, f, n, h, 0, d, s, e, true);
    bar.await();
  }

  /** Rows [s, e) of the stacked q/k/v projection that fall in the block starting at row {@code first}. */
  private void segment(float[] wt, float[] bias, float[] out, int outRows, int first, float[] x, int s, int e) {
    int lo = Math.max(s, first) - first, hi = Math.min(e, first + outRows) - first;
    if (lo < hi) MatVec.rows(wt, 0, d, bias, 0, x, 0, d, n, out, 0, outRows, lo, hi, false);
  }

  private void head(int tid, int nt) {
    float[] x = xn[tid];
    for (int r = 0; r < n; r++) Ops.rmsNorm(h, r * d, w.finalNorm(), eps, x, r * d, d);
    MatVec.rows(w.head(), 0, d, null, 0, x, 0, d, n, logits, 0, vocab, Ops.split(vocab, nt, tid), Ops.split(vocab, nt, tid + 1), false);
  }
}
