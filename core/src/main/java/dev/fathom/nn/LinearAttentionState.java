package dev.fathom.nn;

import java.util.Arrays;

/**
 * The recurrent form of causal linear attention ({@link LinearAttentionOps}) for decoding: per
 * key/value head a state S (D×Dv) and z (D), updated by each new token in O(D·Dv) whatever the
 * position, so a sequence of any length costs constant memory and constant time per token.
 * Gives the same outputs as the whole-sequence op, token by token. Not thread-safe.
 */
public final class LinearAttentionState {
  private final int heads, kvHeads, d, dv;
  private final double[] s, z;
  private final double[] kf, qf;
  private long length;

  /**
   * @param heads query heads H, a multiple of kvHeads
   * @param kvHeads key/value heads Hkv
   * @param d key size D
   * @param dv value size Dv
   */
  public LinearAttentionState(int heads, int kvHeads, int d, int dv) {
    if (heads < 1 || kvHeads < 1 || heads % kvHeads != 0 || d < 1 || dv < 1) {
      throw new IllegalArgumentException("LinearAttentionState: expected H a positive multiple of Hkv and D, Dv >= 1, got H=" + heads
          + ", Hkv=" + kvHeads + ", D=" + d + ", Dv=" + dv);
    }
    this.heads = heads;
    this.kvHeads = kvHeads;
    this.d = d;
    this.dv = dv;
    this.s = new double[kvHeads * d * dv];
    this.z = new double[kvHeads * d];
    this.kf = new double[d];
    this.qf = new double[d];
  }

  /** Tokens fed so far. */
  public long length() {
    return length;
  }

  /** Forgets every token. */
  public void reset() {
    Arrays.fill(s, 0);
    Arrays.fill(z, 0);
    length = 0;
  }

  /**
   * Feeds one token: q (H·D), k (Hkv·D), v (Hkv·Dv), head-major; writes its attention output
   * (H·Dv) to {@code out}, the token seeing every earlier token and itself.
   *
   * @throws IllegalArgumentException for arrays of the wrong length
   */
  public void step(float[] q, float[] k, float[] v, float[] out) {
    if (q.length != heads * d || k.length != kvHeads * d || v.length != kvHeads * dv || out.length != heads * dv) {
      throw new IllegalArgumentException("LinearAttentionState.step: expected q " + heads * d + ", k " + kvHeads * d + ", v "
          + kvHeads * dv + ", out " + heads * dv + " floats, got " + q.length + ", " + k.length + ", " + v.length + ", " + out.length);
    }
    int group = heads / kvHeads;
    for (int g = 0; g < kvHeads; g++) {
      int so = g * d * dv, zo = g * d;
      LinearAttentionOps.accumulate(k, g * d, v, g * dv, d, dv, s, so, z, zo, kf);
      for (int hh = g * group; hh < (g + 1) * group; hh++) LinearAttentionOps.read(q, hh * d, d, dv, s, so, z, zo, qf, out, hh * dv);
    }
    length++;
  }
}
