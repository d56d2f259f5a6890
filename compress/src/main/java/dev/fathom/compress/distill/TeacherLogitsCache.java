package dev.fathom.compress.distill;

import dev.fathom.nn.Module;
import dev.fathom.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;

/**
 * A frozen teacher's logits remembered by the content of each input row, so that from the second
 * epoch on a distillation step runs the teacher only on rows it has not seen. The key is a 64-bit
 * hash of the row's float bits (two equal images share an entry, which is right: an eval-mode
 * teacher gives them the same logits; two different rows collide with probability about
 * n²/2⁶⁵, 10⁻¹⁰ for the 60,000 Fashion-MNIST images). Only for un-augmented data: every
 * augmented view is new, so {@code fathom compress distill --augment} does not use it.
 *
 * <p>A row's cached logits come from the batch it was first seen in; the teacher's kernels may
 * round a row's logits differently in another batch (GEMM blocking depends on the batch size), by
 * a few ulps. That is the only difference from running the teacher every step.
 */
public final class TeacherLogitsCache {
  private final int maxEntries;
  private final Map<Long, float[]> rows = new HashMap<>();
  private long hits;
  private long misses;

  /** @param maxEntries rows kept at most (later new rows are computed but not stored) */
  public TeacherLogitsCache(int maxEntries) {
    if (maxEntries < 1) throw new IllegalArgumentException("TeacherLogitsCache: expected maxEntries >= 1, got " + maxEntries);
    this.maxEntries = maxEntries;
  }

  /**
   * The teacher's logits (N, C) for {@code inputs} (N, ...): cached rows are looked up, the others
   * go through {@code teacher} in one batch (the caller has disabled gradient recording and set the
   * teacher's eval mode).
   */
  public Tensor logits(Module teacher, Tensor inputs) {
    int[] shape = inputs.shape();
    int n = shape[0];
    float[] x = inputs.toFloatArray();
    int width = n == 0 ? 0 : x.length / n;
    long[] keys = new long[n];
    float[][] found = new float[n][];
    int[] missing = new int[n];
    int m = 0;
    for (int i = 0; i < n; i++) {
      keys[i] = hash(x, i * width, width);
      found[i] = rows.get(keys[i]);
      if (found[i] == null) missing[m++] = i;
    }
    hits += n - m;
    misses += m;
    if (m > 0) {
      float[] sub = new float[m * width];
      for (int j = 0; j < m; j++) System.arraycopy(x, missing[j] * width, sub, j * width, width);
      int[] subShape = shape.clone();
      subShape[0] = m;
      float[] out = teacher.call(Tensor.of(sub, subShape)).toFloatArray();
      int classes = out.length / m;
      for (int j = 0; j < m; j++) {
        float[] row = new float[classes];
        System.arraycopy(out, j * classes, row, 0, classes);
        found[missing[j]] = row;
        if (rows.size() < maxEntries) rows.put(keys[missing[j]], row);
      }
    }
    int classes = n == 0 ? 0 : found[0].length;
    float[] logits = new float[n * classes];
    for (int i = 0; i < n; i++) System.arraycopy(found[i], 0, logits, i * classes, classes);
    return Tensor.of(logits, n, classes);
  }

  /** Rows served from the cache so far. */
  public long hits() {
    return hits;
  }

  /** Rows the teacher had to score so far. */
  public long misses() {
    return misses;
  }

  /** Distinct rows held. */
  public int size() {
    return rows.size();
  }

  /** A 64-bit hash of {@code x[off, off + n)}'s float bits (SplitMix64-style mixing per element). */
  static long hash(float[] x, int off, int n) {
    long h = 0x9E3779B97F4A7C15L ^ n;
    for (int i = 0; i < n; i++) {
      h ^= Float.floatToRawIntBits(x[off + i]) & 0xFFFFFFFFL;
      h *= 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
    }
    h ^= h >>> 30;
    h *= 0x94D049BB133111EBL;
    return h ^ (h >>> 31);
  }
}
