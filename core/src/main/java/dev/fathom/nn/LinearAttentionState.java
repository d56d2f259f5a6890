package dev.fathom.nn;

import dev.fathom.kernel.LinearAttentionKernels;
import dev.fathom.kernel.ScalarLinearAttentionKernels;
import java.util.Arrays;

/**
 * The recurrent form of causal linear attention ({@link LinearAttentionOps}) for decoding: per
 * key/value head a state S (D×Dv) and z (D), updated by each new token in O(D·Dv) whatever the
 * position, so a sequence of any length costs constant memory and constant time per token.
 * Gives the same outputs as the whole-sequence op, token by token, bit for bit (both run
 * {@link LinearAttentionKernels#accumulate} and {@link LinearAttentionKernels#read}).
 *
 * <p>Thread safety: {@link #step(int, float[], int, float[], int, float[], int, float[], int)}
 * for different groups g may run concurrently (each group has its own state slice, scratch and
 * token count); everything else — the same group from two threads, {@link #step(float[], float[],
 * float[], float[])}, {@link #reset}, {@link #copyFrom} — needs the caller's exclusion.
 */
public final class LinearAttentionState {
  private final int heads, kvHeads, group, d, dv;
  private final double[] s, z;
  private final double[][] scratch;
  private final long[] lengths;

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
    this.group = heads / kvHeads;
    this.d = d;
    this.dv = dv;
    this.s = new double[kvHeads * d * dv];
    this.z = new double[kvHeads * d];
    this.scratch = new double[kvHeads][ScalarLinearAttentionKernels.scratchSize(d, dv)];
    this.lengths = new long[kvHeads];
  }

  /** Tokens fed so far (to group 0; every group after whole-token steps). */
  public long length() {
    return lengths[0];
  }

  /**
   * Tokens fed so far to kv head group g.
   *
   * @throws IllegalArgumentException for g outside [0, Hkv)
   */
  public long length(int g) {
    checkGroup(g);
    return lengths[g];
  }

  /** Forgets every token. */
  public void reset() {
    Arrays.fill(s, 0);
    Arrays.fill(z, 0);
    Arrays.fill(lengths, 0);
  }

  /**
   * Makes this state a copy of {@code other} (snapshot / restore, e.g. before speculative tokens).
   *
   * @throws IllegalArgumentException when the two have different H, Hkv, D or Dv
   */
  public void copyFrom(LinearAttentionState other) {
    if (other.heads != heads || other.kvHeads != kvHeads || other.d != d || other.dv != dv) {
      throw new IllegalArgumentException("LinearAttentionState.copyFrom: expected H=" + heads + ", Hkv=" + kvHeads + ", D=" + d
          + ", Dv=" + dv + ", got H=" + other.heads + ", Hkv=" + other.kvHeads + ", D=" + other.d + ", Dv=" + other.dv);
    }
    System.arraycopy(other.s, 0, s, 0, s.length);
    System.arraycopy(other.z, 0, z, 0, z.length);
    System.arraycopy(other.lengths, 0, lengths, 0, lengths.length);
  }

  /** A new state equal to this one. */
  public LinearAttentionState copy() {
    LinearAttentionState c = new LinearAttentionState(heads, kvHeads, d, dv);
    c.copyFrom(this);
    return c;
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
    for (int g = 0; g < kvHeads; g++) stepGroup(g, q, 0, k, 0, v, 0, out, 0);
  }

  /**
   * Feeds one token to kv head group g only: reads its key at {@code k[kOff + g·D ..]}, its value
   * at {@code v[vOff + g·Dv ..]} and the queries of its H/Hkv heads at {@code q[qOff + h·D ..]}, and
   * writes their outputs at {@code out[outOff + h·Dv ..]}, h the group's query heads; the offsets
   * point at head 0 of the token's rows, so a decoder steps one group without copying. Groups may
   * be stepped from different threads at once.
   *
   * @throws IllegalArgumentException for g outside [0, Hkv) or rows that do not fit in their arrays
   */
  public void step(int g, float[] q, int qOff, float[] k, int kOff, float[] v, int vOff, float[] out, int outOff) {
    checkGroup(g);
    if (qOff < 0 || kOff < 0 || vOff < 0 || outOff < 0 || (long) qOff + heads * d > q.length || (long) kOff + kvHeads * d > k.length
        || (long) vOff + kvHeads * dv > v.length || (long) outOff + heads * dv > out.length) {
      throw new IllegalArgumentException("LinearAttentionState.step: expected rows of q " + heads * d + ", k " + kvHeads * d + ", v "
          + kvHeads * dv + ", out " + heads * dv + " floats at offsets " + qOff + ", " + kOff + ", " + vOff + ", " + outOff
          + " of arrays of " + q.length + ", " + k.length + ", " + v.length + ", " + out.length);
    }
    stepGroup(g, q, qOff, k, kOff, v, vOff, out, outOff);
  }

  private void stepGroup(int g, float[] q, int qOff, float[] k, int kOff, float[] v, int vOff, float[] out, int outOff) {
    int so = g * d * dv, zo = g * d;
    double[] sc = scratch[g];
    LinearAttentionKernels.accumulate(k, kOff + g * d, v, vOff + g * dv, d, dv, s, so, z, zo, sc);
    for (int hh = g * group; hh < (g + 1) * group; hh++) {
      LinearAttentionKernels.read(q, qOff + hh * d, d, dv, s, so, z, zo, sc, out, outOff + hh * dv);
    }
    lengths[g]++;
  }

  private void checkGroup(int g) {
    if (g < 0 || g >= kvHeads) {
      throw new IllegalArgumentException("LinearAttentionState: kv head group " + g + " out of range [0, " + kvHeads + ")");
    }
  }
}
