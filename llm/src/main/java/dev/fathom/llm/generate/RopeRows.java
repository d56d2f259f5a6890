package dev.fathom.llm.generate;

import dev.fathom.llm.Rotary;

/**
 * Rotary position rows for one thread: the session's table below its end, and beyond it the same
 * row ({@link Rotary#row}) computed on the fly and kept for the two positions used last, so that
 * a bounded cache can run past any table without memory growing with the position.
 */
final class RopeRows {
  private final float[] cos, sin, invFreq;
  private final int half, tablePositions;
  private final float[][] c = new float[2][], s = new float[2][];
  private final int[] at = {-1, -1};
  private int older;

  RopeRows(ModelWeights w, int half) {
    this.cos = w.cos();
    this.sin = w.sin();
    this.invFreq = w.invFreq();
    this.half = half;
    this.tablePositions = cos.length / half;
    for (int i = 0; i < 2; i++) {
      c[i] = new float[half];
      s[i] = new float[half];
    }
  }

  /** Rotates {@code heads} vectors of size 2·half at {@code x[off..]} to position {@code pos}. */
  void rotate(float[] x, int off, int heads, int pos) {
    if (pos < tablePositions) {
      Rotary.rotate(x, off, heads, half, cos, sin, pos, 1f);
      return;
    }
    int e = at[0] == pos ? 0 : at[1] == pos ? 1 : fill(pos);
    older = 1 - e;  // the other row is replaced next
    Rotary.rotate(x, off, heads, half, c[e], s[e], 0, 1f);
  }

  private int fill(int pos) {
    int e = older;
    Rotary.row(invFreq, pos, c[e], s[e], 0);
    at[e] = pos;
    return e;
  }
}
