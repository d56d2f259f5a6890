package dev.fathom.llm.generate;

import dev.fathom.llm.AttentionType;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.nn.LinearAttentionState;

/**
 * What a sequence carries between steps besides the key/value cache, per layer and slot: the
 * recurrent state of linear attention (constant size whatever the length), and the recent q/k/v
 * projections that the depthwise causal convolution of a hybrid layer reads (its inputs, before
 * the convolution).
 *
 * <p>The convolution inputs of position p sit in row {@code p mod rows} of (layer, slot); rows
 * covers every position of the session (full cache), or the cache's capacity plus the kernel
 * width (bounded caches), so a sequence truncated as far back as its cache allows finds the
 * inputs of its last positions. A linear-attention state cannot be rolled back.
 */
final class MixerState {
  /** [layer][slot], or null when the layers run softmax attention. */
  final LinearAttentionState[][] linear;
  /** [layer]: (batch, rows, width) convolution inputs, or null without a convolution. */
  final float[][] convIn;
  /** Kernel width, rows kept per (layer, slot), channels per row (q, k and v stacked: H·Dh + 2·Hkv·Dh). */
  final int kernel, rows, width;

  /**
   * @param positions positions a sequence may reach (full cache), or the bounded cache's capacity
   * @param bounded whether the cache drops entries (then rows = positions + kernel)
   */
  MixerState(LlamaConfig c, int batch, int positions, boolean bounded) {
    int layers = c.numHiddenLayers();
    if (c.attention() == AttentionType.LINEAR) {
      linear = new LinearAttentionState[layers][batch];
      for (int l = 0; l < layers; l++) {
        for (int b = 0; b < batch; b++) {
          linear[l][b] = new LinearAttentionState(c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(), c.headDim());
        }
      }
    } else {
      linear = null;
    }
    kernel = c.convKernel();
    width = (c.numAttentionHeads() + 2 * c.numKeyValueHeads()) * c.headDim();
    rows = kernel == 0 ? 0 : bounded ? positions + kernel : positions;
    long perLayer = (long) batch * rows * width;
    if (perLayer > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("convolution inputs: " + batch + " sequences x " + rows + " positions x " + width
          + " channels = " + perLayer + " floats per layer, more than one Java array holds");
    }
    convIn = kernel == 0 ? null : new float[layers][(int) perLayer];
  }

  /** Offset of the inputs of position {@code pos} of sequence {@code slot} in a layer's {@link #convIn}. */
  int convRow(int slot, int pos) {
    return (slot * rows + pos % rows) * width;
  }

  /** Forgets sequence {@code slot}'s linear-attention state (when it is emptied). */
  void clear(int slot) {
    if (linear != null) for (LinearAttentionState[] layer : linear) layer[slot].reset();
  }
}
