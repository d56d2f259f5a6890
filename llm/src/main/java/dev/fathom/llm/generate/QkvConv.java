package dev.fathom.llm.generate;

/**
 * The depthwise causal convolution of a hybrid layer at inference, one position at a time: for
 * channel c of the stacked q/k/v row, {@code y_c(p) = Σ_{j<K} w_c[j] · x_c(p − K + 1 + j)}, with
 * x before position 0 taken as zero; x is the projection (before rotary positions), kept in
 * {@link MixerState#convIn}. The same sums, in the same order, as the training op.
 */
final class QkvConv {
  private QkvConv() {}

  /**
   * Replaces channels [c0, c1) of the projections of one row at position {@code pos} of sequence
   * {@code slot} by their convolution, after recording them as inputs: stacked channel c is
   * {@code q[qOff + c]} for c &lt; qd, then {@code k[kOff + c − qd]}, then {@code v[vOff + c − qd − kvd]}.
   * Earlier positions' inputs must be recorded already (rows of one sequence in order).
   */
  static void apply(MixerState ms, int layer, LayerWeights lw, int slot, int pos, int qd, int kvd,
      float[] q, int qOff, float[] k, int kOff, float[] v, int vOff, int c0, int c1) {
    float[] in = ms.convIn[layer];
    int kw = ms.kernel, now = ms.convRow(slot, pos);
    for (int c = c0; c < c1; c++) {
      float[] x;
      float[] w;
      int at, wc;
      if (c < qd) {
        x = q; at = qOff + c; w = lw.qConv(); wc = c;
      } else if (c < qd + kvd) {
        x = k; at = kOff + c - qd; w = lw.kConv(); wc = c - qd;
      } else {
        x = v; at = vOff + c - qd - kvd; w = lw.vConv(); wc = c - qd - kvd;
      }
      in[now + c] = x[at];
      float y = 0f;
      for (int j = Math.max(0, kw - 1 - pos); j < kw; j++) {
        int p = pos - (kw - 1) + j;
        y = Math.fma(w[wc * kw + j], in[ms.convRow(slot, p) + c], y);
      }
      x[at] = y;
    }
  }
}
