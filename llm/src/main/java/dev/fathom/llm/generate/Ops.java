package dev.fathom.llm.generate;

import dev.fathom.kernel.VecMath;
import java.util.Arrays;

/** Small row operations shared by prefill and decode: RMS norm, attention of one query over the cache. */
final class Ops {
  private Ops() {}

  /** out = x · rsqrt(mean(x²) + eps) · w over one row of d (sum of squares in double). */
  static void rmsNorm(float[] x, int xOff, float[] w, double eps, float[] out, int outOff, int d) {
    double ss = 0;
    for (int i = 0; i < d; i++) {
      double xi = x[xOff + i];
      ss += xi * xi;
    }
    float inv = (float) (1.0 / Math.sqrt(ss / d + eps));
    for (int i = 0; i < d; i++) out[outOff + i] = x[xOff + i] * inv * w[i];
  }

  /**
   * One query head against cached positions [lo, hi) of one (sequence, kv head):
   * out = softmax(q·K^T · scale) · V.
   *
   * @param base offset of position 0 of this (sequence, kv head) in {@code kc} and {@code vc}
   * @param scores scratch of at least hi − lo floats
   */
  static void attend(float[] q, int qOff, float[] kc, float[] vc, int base, int dh, int lo, int hi, float scale,
      float[] scores, float[] out, int outOff) {
    attend(q, qOff, null, 0, kc, vc, base, dh, lo, hi, scale, scores, out, outOff);
  }

  /**
   * As {@link #attend}, but with the keys of cache entries [0, firstCount) taken from
   * {@code firstKeys} (firstCount rows of dh) instead of the cache when it is not null: the
   * attention sinks rotated to their shifted positions. Leaves the probabilities in
   * {@code scores[0 .. hi − lo)}.
   */
  static void attend(float[] q, int qOff, float[] firstKeys, int firstCount, float[] kc, float[] vc, int base, int dh, int lo,
      int hi, float scale, float[] scores, float[] out, int outOff) {
    int n = hi - lo;
    for (int j = 0; j < n; j++) {
      int e = lo + j;
      scores[j] = (firstKeys != null && e < firstCount ? MatVec.dot(q, qOff, firstKeys, e * dh, dh)
          : MatVec.dot(q, qOff, kc, base + e * dh, dh)) * scale;
    }
    VecMath.softmaxRows(scores, 0, 1, n, scores, 0);
    Arrays.fill(out, outOff, outOff + dh, 0f);
    for (int j = 0; j < n; j++) MatVec.axpy(scores[j], vc, base + (lo + j) * dh, out, outOff, dh);
  }

  /**
   * Block-sparse attention of one query head at position {@code pos}: over the cached positions
   * of the key blocks it sees ({@code blocks}, sorted, blocks of {@code blockSize}), each cut at
   * pos. Leaves the probabilities of the visited keys, in order, in {@code scores}.
   */
  static void attendBlocks(float[] q, int qOff, float[] kc, float[] vc, int base, int dh, int[] blocks, int blockSize, int pos,
      float scale, float[] scores, float[] out, int outOff) {
    int n = 0;
    for (int kb : blocks) {
      for (int e = kb * blockSize, end = Math.min(e + blockSize, pos + 1); e < end; e++) {
        scores[n++] = MatVec.dot(q, qOff, kc, base + e * dh, dh) * scale;
      }
    }
    VecMath.softmaxRows(scores, 0, 1, n, scores, 0);
    Arrays.fill(out, outOff, outOff + dh, 0f);
    n = 0;
    for (int kb : blocks) {
      for (int e = kb * blockSize, end = Math.min(e + blockSize, pos + 1); e < end; e++) {
        MatVec.axpy(scores[n++], vc, base + e * dh, out, outOff, dh);
      }
    }
  }

  /** First key position a query at {@code pos} sees: pos − window + 1 with a window, else 0. */
  static int firstKey(int pos, int window) {
    return window > 0 ? Math.max(0, pos - window + 1) : 0;
  }

  /** Start of part {@code t} of {@code parts} over [0, n) (static partition). */
  static int split(int n, int parts, int t) {
    return (int) ((long) n * t / parts);
  }
}
